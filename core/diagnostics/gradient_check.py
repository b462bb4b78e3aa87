"""Honest gradients on display: backprop's gradient against central finite differences, layer by layer.

The check runs on a float64 copy of the network (same spec, same weights), so round-off cannot hide or fake an
error, and leaves the network it was given untouched. Dropout draws the same masks in every evaluation (a fresh
generator from `seed` each time), so the loss is one fixed function of the weights. Per layer it probes up to
`max_entries_per_layer` entries of that layer's W, b (and γ, β), chosen at random from the seed, and reports
the largest relative error |analytic − numeric| / max(|analytic| + |numeric|, floor).

The floor is scaled to the finite difference's own round-off: a loss L evaluated in float64 carries a few ulps
of L of round-off (more or fewer depending on the CPU's BLAS kernel), and (L+ − L−) / 2ε turns that into
~ulps · 2.2e-16 · |L| / 2ε of noise in the numeric gradient (1.1e-10 for L ≈ 1, ε = 1e-6). A zero analytic
gradient against that noise is agreement, not an error, so the floor is chosen such that noise alone stays a
factor `ROUNDOFF_ULPS` away from failing: floor = noise bound / tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

DEFAULT_TOLERANCE = 1e-4
# The smallest floor, whatever the loss and eps: below this size a gradient entry is "zero" for the relative error.
RELATIVE_ERROR_FLOOR = 1e-6
# How many ulps of the loss the round-off bound allows: one BLAS kernel against another differs by one or two
# ulps on these small sums (1.1e-10 of numeric gradient for L ≈ 1, ε = 1e-6, seen under OPENBLAS_CORETYPE=
# Sandybridge); 64 keeps a wide margin while a real backprop error of more than ~1e-8 absolute still fails.
ROUNDOFF_ULPS = 64


def relative_error_floor(loss: float, eps: float, tolerance: float = DEFAULT_TOLERANCE) -> float:
    """The denominator's floor for a loss of size `loss` probed with step `eps`: the finite difference's
    round-off bound divided by the tolerance, so round-off alone can never fail the check. |L| below 1 counts as
    1: the loss is a mean of terms that may each be larger than their mean, and their round-off adds up."""
    noise = ROUNDOFF_ULPS * float(np.finfo(np.float64).eps) * max(abs(loss), 1.0) / (2.0 * eps)
    return max(RELATIVE_ERROR_FLOOR, noise / tolerance)


def relative_error(analytic: float, numeric: float, floor: float) -> float:
    """|analytic − numeric| / max(|analytic| + |numeric|, floor): 0 when they agree, up to 1 when they differ
    entirely (opposite signs or one of them zero while the other is above the floor)."""
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), floor)


def central_difference(f, values: np.ndarray, index: int, eps: float) -> float:
    """(f(v + ε) − f(v − ε)) / 2ε for the entry `values[index]` of a flat array, perturbed in place and restored:
    the finite difference the check compares backprop against."""
    original = values[index]
    values[index] = original + eps
    loss_plus = f()
    values[index] = original - eps
    loss_minus = f()
    values[index] = original
    return (loss_plus - loss_minus) / (2.0 * eps)


@dataclass
class LayerGradientCheck:
    layer_name: str
    max_relative_error: float
    checked_entries: int
    passed: bool
    worst_analytic: float = 0.0  # backprop's value at the worst entry
    worst_numeric: float = 0.0  # the finite-difference value there


def _float64_copy(network):
    from core.network import Network
    copy = Network.from_spec(network.spec, dtype="float64")
    copy.set_state({"params": network.params.astype(np.float64), "buffers": network.buffers.astype(np.float64)})
    return copy


def check_gradients(network, x: np.ndarray, y: np.ndarray, eps: float = 1e-6, max_entries_per_layer: int = 20,
                    seed: int = 0, tolerance: float = DEFAULT_TOLERANCE,
                    on_layer: Callable[[int, int], None] | None = None) -> list[LayerGradientCheck]:
    """One LayerGradientCheck per layer (in order) for the data loss on (x, y) in training mode.
    `on_layer(done, layers)` is called after each layer (the studio's progress bar); an exception it raises (a
    cancel) ends the check: the network given is never changed either way."""
    if not eps > 0:
        raise ValueError(f"gradient check: eps must be > 0, got {eps!r}")
    if max_entries_per_layer < 1:
        raise ValueError(f"gradient check: max_entries_per_layer must be ≥ 1, got {max_entries_per_layer!r}")
    net = _float64_copy(network)
    x = net.check_input(x)
    y = net.check_targets(y, x.shape[0])
    saved_buffers = net.buffers.copy()

    def loss_at() -> float:
        value = net.loss_and_grad(x, y, training=True, rng=np.random.default_rng(seed), check=False)
        np.copyto(net.buffers, saved_buffers)  # batch-norm running statistics must not drift between probes
        return float(value)

    floor = relative_error_floor(loss_at(), eps, tolerance)
    analytic = net.grads.copy()
    pick = np.random.default_rng(seed)
    params = net.params
    results = []
    for name, block_slice in zip(net.layer_names, net.layer_param_slices):
        indices = np.arange(block_slice.start, block_slice.stop)
        if indices.size > max_entries_per_layer:
            indices = np.sort(pick.choice(indices, size=max_entries_per_layer, replace=False))
        worst, worst_pair = 0.0, (0.0, 0.0)
        for i in indices:
            numeric = central_difference(loss_at, params, i, eps)
            error = relative_error(float(analytic[i]), numeric, floor)
            if error >= worst or math.isnan(error):  # a NaN error is a failure, never a pass (NaN >= x is False)
                worst, worst_pair = (math.inf if math.isnan(error) else float(error)), (float(analytic[i]),
                                                                                      float(numeric))
        results.append(LayerGradientCheck(name, worst, int(indices.size), worst < tolerance, *worst_pair))
        if on_layer is not None:
            on_layer(len(results), len(net.layer_names))
    return results
