"""A fixed small problem shared by the optimizer tests: softmax regression on 40 samples, analytic gradients.

Parameters are one flat buffer: W (4 inputs × 3 classes) then b (3), like the network's layout.
"""

from __future__ import annotations

import numpy as np

N_INPUTS, N_CLASSES = 4, 3
N_PARAMS = N_INPUTS * N_CLASSES + N_CLASSES


def dataset() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, N_INPUTS))
    true_w = rng.normal(size=(N_INPUTS, N_CLASSES)) * 2.0
    labels = np.argmax(x @ true_w + rng.normal(scale=0.5, size=(40, N_CLASSES)), axis=1)
    return x, labels


def initial_params(dtype: type = np.float64) -> np.ndarray:
    return np.random.default_rng(3).normal(scale=0.5, size=N_PARAMS).astype(dtype)


def loss_and_grad(params: np.ndarray, x: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the flat buffer."""
    w = params[: N_INPUTS * N_CLASSES].reshape(N_INPUTS, N_CLASSES).astype(np.float64)
    b = params[N_INPUTS * N_CLASSES:].astype(np.float64)
    logits = x @ w + b
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    n = len(labels)
    loss = -np.mean(np.log(probs[np.arange(n), labels]))
    delta = probs
    delta[np.arange(n), labels] -= 1.0
    delta /= n
    grad = np.concatenate([(x.T @ delta).ravel(), delta.sum(axis=0)])
    return float(loss), grad.astype(params.dtype)


def test_analytic_gradient_matches_finite_differences() -> None:
    x, labels = dataset()
    params = initial_params()
    _, grad = loss_and_grad(params, x, labels)
    h = 1e-6
    for i in range(N_PARAMS):
        bumped = params.copy()
        bumped[i] += h
        up, _ = loss_and_grad(bumped, x, labels)
        bumped[i] -= 2 * h
        down, _ = loss_and_grad(bumped, x, labels)
        assert abs((up - down) / (2 * h) - grad[i]) < 1e-7
