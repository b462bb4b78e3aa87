"""Honest gradients on display: backprop's gradient against central finite differences, layer by layer.

The check runs on a float64 copy of the network (same spec, same weights), so round-off cannot hide or fake an
error, and leaves the network it was given untouched. Dropout draws the same masks in every evaluation (a fresh
generator from `seed` each time), so the loss is one fixed function of the weights. Per layer it probes up to
`max_entries_per_layer` entries of that layer's W, b (and γ, β), chosen at random from the seed, and reports
the largest relative error |analytic − numeric| / max(|analytic| + |numeric|, floor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_TOLERANCE = 1e-4
# Below this size a gradient entry is "zero" for the relative error: float64 differences of a loss near 1 with
# eps 1e-6 carry ~1e-10 of round-off, which must not count as an error on a vanishing gradient.
RELATIVE_ERROR_FLOOR = 1e-6


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
                    seed: int = 0, tolerance: float = DEFAULT_TOLERANCE) -> list[LayerGradientCheck]:
    """One LayerGradientCheck per layer (in order) for the data loss on (x, y) in training mode."""
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

    loss_at()
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
            original = params[i]
            params[i] = original + eps
            loss_plus = loss_at()
            params[i] = original - eps
            loss_minus = loss_at()
            params[i] = original
            numeric = (loss_plus - loss_minus) / (2.0 * eps)
            error = abs(analytic[i] - numeric) / max(abs(analytic[i]) + abs(numeric), RELATIVE_ERROR_FLOOR)
            if error >= worst:
                worst, worst_pair = float(error), (float(analytic[i]), float(numeric))
        results.append(LayerGradientCheck(name, worst, int(indices.size), worst < tolerance, *worst_pair))
    return results
