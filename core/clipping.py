"""Gradient clipping over the flat gradient buffer: by value, by global norm, or adaptively per unit (AGC).

"value" equals torch.nn.utils.clip_grad_value_, "norm" torch.nn.utils.clip_grad_norm_ (scale by
c / (‖g‖ + 1e-6) when that is below 1). "agc" is unit-wise adaptive gradient clipping (Brock et al. 2021, NFNets):
each output unit's gradient norm is limited to c·max(‖w_unit‖, 1e-3); it needs each layer's (weight, grad) views,
weights shaped (in, out) with units along the last axis (a 1-D pair, e.g. a bias, counts as one unit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core.kernels.clip_kernels import clip_to_range, clip_units_adaptively, scale_in_place, sum_of_squares
from core.spec.catalogue import CLIPPING_MODES

AGC_EPS = 1e-3  # weights smaller than this still allow a gradient of clip·1e-3 (Brock et al.)
NORM_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_'s


def global_norm(grads: np.ndarray) -> float:
    """The L2 norm of the whole gradient buffer."""
    return math.sqrt(sum_of_squares(grads))


def clip_by_value(grads: np.ndarray, value: float) -> None:
    clip_to_range(grads, value)


def clip_by_global_norm(grads: np.ndarray, max_norm: float, norm: float | None = None) -> float:
    """Rescale `grads` in place if its norm exceeds `max_norm`; return the norm before clipping."""
    norm = global_norm(grads) if norm is None else norm
    coefficient = max_norm / (norm + NORM_EPS)
    if coefficient < 1.0:
        scale_in_place(grads, coefficient)
    return norm


def clip_adaptively(layer_weight_views: Sequence[tuple[np.ndarray, np.ndarray]], clip: float) -> None:
    """AGC over each layer's (weight, grad) views, in place (the views must share memory with the buffers)."""
    for index, (weights, grads) in enumerate(layer_weight_views):
        if weights.shape != grads.shape or weights.ndim not in (1, 2):
            raise ValueError(f"clipping agc: layer {index + 1} needs a weight and gradient of the same 1-D or 2-D "
                             f"shape, got {weights.shape} and {grads.shape}")
        if weights.ndim == 1:  # one unit: the whole vector
            weights, grads = weights.reshape(-1, 1), grads.reshape(-1, 1)
        clip_units_adaptively(weights, grads, clip, AGC_EPS)


def clip_gradients(grads: np.ndarray, mode: str, value: float, *, params: np.ndarray | None = None,
                   layer_weight_views: Sequence[tuple[np.ndarray, np.ndarray]] | None = None) -> float:
    """Clip the flat gradient buffer in place by `mode` ("none" | "value" | "norm" | "agc"), threshold `value`.

    Returns the global gradient norm BEFORE clipping (what the studio plots). `params` is accepted for callers
    that pass it; AGC reads the weights from `layer_weight_views`.
    """
    if mode not in CLIPPING_MODES:
        raise ValueError(f"clipping: mode must be one of {', '.join(CLIPPING_MODES)}, got {mode!r}")
    value = float(value)
    if mode != "none" and not value > 0.0:
        raise ValueError(f"clipping: value (the threshold) must be > 0, got {value!r}")
    norm = global_norm(grads)
    if mode == "value":
        clip_by_value(grads, value)
    elif mode == "norm":
        clip_by_global_norm(grads, value, norm)
    elif mode == "agc":
        if layer_weight_views is None:
            raise ValueError("clipping agc: needs layer_weight_views, a (weight, grad) pair of views per layer")
        clip_adaptively(layer_weight_views, value)
    return norm
