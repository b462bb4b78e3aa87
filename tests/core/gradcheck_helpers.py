"""Shared helpers for the network tests: tiny specs, matching data, and central finite differences."""

from __future__ import annotations

import numpy as np

from core.diagnostics.gradient_check import central_difference
from core.network import Network
from core.spec import default_layer

LOSS_OUTPUT = {"cross_entropy": ("softmax", 3), "binary_cross_entropy": ("sigmoid", 2)}


def make_spec(input_size: int, hidden: list[dict], loss: str, output_activation: str | None = None,
              output_units: int | None = None, **training) -> dict:
    """A spec with the given hidden layers (dicts overriding `default_layer`) and an output fitting `loss`."""
    activation, units = LOSS_OUTPUT.get(loss, (output_activation or "linear", 2))
    layers = [{**default_layer(), **layer} for layer in hidden]
    layers.append({**default_layer(output_units or units, activation), "init": "xavier_normal"})
    return {"version": 1, "input_size": input_size, "layers": layers,
            "training": {"loss": loss, "huber_delta": 0.3, **training}}


def make_data(net: Network, n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, net.input_size))
    k = net.output_size
    if net.loss.name == "cross_entropy":
        y = rng.integers(0, k, size=n)
    elif net.loss.name == "binary_cross_entropy":
        y = rng.integers(0, 2, size=(n, k)).astype(np.float64)
    else:
        y = rng.normal(size=(n, k))
    return x, y


def loss_at(net: Network, x: np.ndarray, y: np.ndarray, training: bool, mask_seed: int) -> float:
    """The data loss with dropout masks fixed: the same seed draws the same masks on every call."""
    out = net.forward(x, training=training, rng=np.random.default_rng(mask_seed))
    return net.loss.value(out, y)


def numeric_gradient(f, values: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of f() with respect to every entry of `values` (perturbed in place, restored)."""
    flat = values.reshape(-1)
    grad = np.array([central_difference(f, flat, i, h) for i in range(flat.size)], dtype=np.float64)
    return grad.reshape(values.shape)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(np.linalg.norm(a), np.linalg.norm(b), 1e-12)
    return float(np.linalg.norm(a - b) / scale)


def check_gradients(net: Network, x: np.ndarray, y: np.ndarray, *, training: bool = True,
                    mask_seed: int = 11) -> tuple[float, float]:
    """(relative error of dL/dparams, relative error of dL/dx) between backprop and finite differences."""
    out = net.forward(x, training=training, rng=np.random.default_rng(mask_seed))
    value, grad_out = net.loss.value_and_grad(out, y)
    grad_x = net.backward(grad_out.copy()).copy()
    analytic = net.grads.copy()
    numeric = numeric_gradient(lambda: loss_at(net, x, y, training, mask_seed), net.params)
    numeric_x = numeric_gradient(lambda: loss_at(net, x, y, training, mask_seed), x)
    return relative_error(analytic, numeric), relative_error(grad_x, numeric_x)
