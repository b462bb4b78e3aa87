"""Where every parameter lives: one flat trainable buffer (W, b, γ, β per block, in block order) and one flat
buffer of non-trainable state (batch-norm running mean and variance), with named views into both.

Keeping everything in one buffer lets an optimizer update every layer in one fused kernel call, a checkpoint
be one copy, and a later speed-up compile a whole small network into one kernel over the same memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.layers.dense_block import BlockViews
from core.network.memory import parameter_counts
from core.spec import LayerSpec, Spec
from core.spec.parameter_count import parameter_count


@dataclass
class Layout:
    params: np.ndarray
    grads: np.ndarray
    weight_mask: np.ndarray
    buffers: np.ndarray
    views: list[BlockViews] = field(default_factory=list)
    param_slices: list[slice] = field(default_factory=list)
    named_params: list[tuple[str, np.ndarray]] = field(default_factory=list)
    named_grads: list[tuple[str, np.ndarray]] = field(default_factory=list)
    named_buffers: list[tuple[str, np.ndarray]] = field(default_factory=list)


@dataclass(frozen=True)
class LayerParams:
    """One layer's parameters as named views into a flat parameter buffer (writing to them writes the buffer)."""

    weight: np.ndarray  # (fan_in, units)
    bias: np.ndarray  # (units,)
    gamma: np.ndarray | None = None  # batch norm's scale and shift, (units,) each; None without batch norm
    beta: np.ndarray | None = None


def layer_views(spec: Spec, flat: np.ndarray) -> list[LayerParams]:
    """Cut a flat parameter buffer (`Network.get_state()["params"]`) into each layer's named views, in the order
    `build_layout` lays them out. ValueError when `flat` is not a 1-D buffer of exactly the spec's size, so a
    buffer saved for another network is never misread."""
    flat = np.asarray(flat)
    widths = [int(spec.input_size)] + [int(layer.units) for layer in spec.layers]
    sizes = [(n_in, units, bool(layer.batch_norm)) for layer, n_in, units in zip(spec.layers, widths, widths[1:])]
    expected = parameter_count(spec)
    if flat.ndim != 1 or flat.size != expected:
        raise ValueError(f"the parameter buffer has shape {flat.shape}, but this network has {expected:,} "
                         f"parameters")
    views, p = [], 0
    for n_in, units, bn in sizes:
        weight = flat[p:p + n_in * units].reshape(n_in, units)
        p += n_in * units
        bias = flat[p:p + units]
        p += units
        gamma = beta = None
        if bn:
            gamma, beta = flat[p:p + units], flat[p + units:p + 2 * units]
            p += 2 * units
        views.append(LayerParams(weight, bias, gamma, beta))
    return views


def build_layout(input_size: int, layers: Sequence[LayerSpec], dtype: np.dtype) -> Layout:
    """Allocate the flat buffers for a list of validated layer specs and cut them into per-block views."""
    widths = [input_size] + [layer.units for layer in layers]
    n_params, n_buffers = parameter_counts(input_size, layers)
    layout = Layout(params=np.zeros(n_params, dtype), grads=np.zeros(n_params, dtype),
                    weight_mask=np.zeros(n_params, dtype), buffers=np.zeros(n_buffers, dtype))
    p = 0
    q = 0

    def take(size: int, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, slice]:
        nonlocal p
        s = slice(p, p + size)
        p += size
        return layout.params[s].reshape(shape), layout.grads[s].reshape(shape), s

    def take_buffer(units: int) -> np.ndarray:
        nonlocal q
        view = layout.buffers[q:q + units]
        q += units
        return view

    for i, (layer, n_in) in enumerate(zip(layers, widths)):
        units = layer.units
        start = p
        weight, grad_weight, weight_slice = take(n_in * units, (n_in, units))
        layout.weight_mask[weight_slice] = 1.0
        bias, grad_bias, _ = take(units, (units,))
        views = BlockViews(weight, bias, grad_weight, grad_bias)
        layout.named_params += [(f"layers.{i}.weight", weight), (f"layers.{i}.bias", bias)]
        layout.named_grads += [(f"layers.{i}.weight", grad_weight), (f"layers.{i}.bias", grad_bias)]
        if layer.batch_norm:
            views.gamma, views.grad_gamma, _ = take(units, (units,))
            views.beta, views.grad_beta, _ = take(units, (units,))
            views.running_mean = take_buffer(units)
            views.running_var = take_buffer(units)
            layout.named_params += [(f"layers.{i}.bn.weight", views.gamma), (f"layers.{i}.bn.bias", views.beta)]
            layout.named_grads += [(f"layers.{i}.bn.weight", views.grad_gamma),
                                   (f"layers.{i}.bn.bias", views.grad_beta)]
            layout.named_buffers += [(f"layers.{i}.bn.running_mean", views.running_mean),
                                     (f"layers.{i}.bn.running_var", views.running_var)]
        layout.views.append(views)
        layout.param_slices.append(slice(start, p))
    return layout
