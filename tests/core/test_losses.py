"""Losses: values against their formulas, gradients against finite differences, stability on extreme logits,
target checks, metrics and `make_loss`."""

from __future__ import annotations

import numpy as np
import pytest

from core.network.losses import Loss, make_loss, r2_score
from core.network import NetworkError
from core.spec import LOSSES, default_spec
from tests.core.gradcheck_helpers import numeric_gradient, relative_error

RNG = np.random.default_rng(0)
OUT = RNG.normal(size=(5, 3))
REGRESSION_Y = RNG.normal(size=(5, 3))
LABELS = np.array([0, 2, 1, 2, 0])
BINARY_Y = RNG.integers(0, 2, size=(5, 3)).astype(float)


def _targets(name):
    return {"cross_entropy": LABELS, "binary_cross_entropy": BINARY_Y}.get(name, REGRESSION_Y)


def _expected(name, out, y, delta=0.7):
    d = out - y if name not in ("cross_entropy", "binary_cross_entropy") else None
    if name == "cross_entropy":
        log_probabilities = out - np.log(np.exp(out).sum(axis=1, keepdims=True))
        return -log_probabilities[np.arange(len(y)), y].mean()
    if name == "binary_cross_entropy":
        p = 1 / (1 + np.exp(-out))
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    if name == "mse":
        return (d ** 2).mean()
    if name == "mae":
        return np.abs(d).mean()
    return np.where(np.abs(d) < delta, 0.5 * d ** 2, delta * (np.abs(d) - 0.5 * delta)).mean()


@pytest.mark.parametrize("name", list(LOSSES))
def test_value_matches_the_formula_and_gradient_matches_finite_differences(name):
    loss = Loss(name, huber_delta=0.7)
    y = _targets(name)
    value, grad = loss.value_and_grad(OUT, y)
    assert value == pytest.approx(_expected(name, OUT, y), rel=1e-12)
    out = OUT.copy()
    numeric = numeric_gradient(lambda: loss.value(out, y), out)
    assert relative_error(loss.value_and_grad(out, y)[1], numeric) < 1e-8


def test_fused_losses_are_stable_on_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    with np.errstate(all="raise"):
        value, grad = Loss("cross_entropy").value_and_grad(logits, np.array([0, 0]))
        assert value == pytest.approx(2e4 / 2)  # first row right (0), second wrong by 2e4
        np.testing.assert_allclose(grad, [[0, 0, 0], [-0.5, 0.5, 0]])
        value, grad = Loss("binary_cross_entropy").value_and_grad(np.array([[1e4], [-1e4]]), np.array([0.0, 0.0]))
    assert value == pytest.approx(1e4 / 2)
    np.testing.assert_allclose(grad, [[0.5], [0.0]])


def test_float32_outputs_give_float32_gradients():
    value, grad = Loss("mse").value_and_grad(OUT.astype(np.float32), REGRESSION_Y)
    assert grad.dtype == np.float32
    assert value == pytest.approx(_expected("mse", OUT, REGRESSION_Y), rel=1e-5)


def test_make_loss_reads_the_training_section():
    loss = make_loss({"loss": "huber", "huber_delta": 2.5})
    assert (loss.name, loss.huber_delta, loss.fused_activation, loss.metric_name) == ("huber", 2.5, None, "r2")
    assert make_loss(default_spec()["training"]).fused_activation == "softmax"
    assert make_loss({"loss": "binary_cross_entropy"}).fused_activation == "sigmoid"
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        make_loss({"loss": "hinge"})


@pytest.mark.parametrize("name,y,message", [
    ("cross_entropy", np.array([0, 1, 3, 0, 1]), "target row 2 is class 3, but the network has 3 outputs"),
    ("cross_entropy", np.array([0, 1, -1, 0, 1]), "target row 2 is class -1"),
    ("cross_entropy", np.array([0.0, 1.5, 1, 0, 1]), "target row 1 is 1.5"),
    ("cross_entropy", np.zeros((5, 3)), r"class indices of shape \(n,\)"),
    ("binary_cross_entropy", np.full((5, 3), 2.0), "target row 0 .* between 0 and 1"),
    ("mse", np.zeros((4, 3)), "targets have 4 rows but the input has 5 rows"),
    ("mse", np.zeros((5, 2)), r"targets have shape \(5, 2\), the network has 3 outputs"),
    ("mae", np.where(np.arange(15).reshape(5, 3) == 10, np.nan, 0.0), "target row 3 contains NaN"),
    ("huber", np.array([["a"] * 3] * 5), "targets must be numbers"),
])
def test_unusable_targets_are_refused_with_a_located_message(name, y, message):
    with pytest.raises(NetworkError, match=message):
        Loss(name).value_and_grad(OUT, y)


def test_one_output_accepts_flat_targets():
    out = OUT[:, :1]
    flat, column = (Loss("mse").value(out, y) for y in (REGRESSION_Y[:, 0], REGRESSION_Y[:, :1]))
    assert flat == column


def test_metrics():
    assert Loss("cross_entropy").metric(OUT, np.argmax(OUT, axis=1)) == 1.0
    assert Loss("cross_entropy").metric(OUT, (np.argmax(OUT, axis=1) + 1) % 3) == 0.0
    assert Loss("binary_cross_entropy").metric(OUT, (OUT > 0).astype(float)) == 1.0
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    assert Loss("mse").metric(OUT, REGRESSION_Y) == pytest.approx(sklearn_metrics.r2_score(REGRESSION_Y, OUT))
    assert r2_score(np.ones(4), np.ones(4)) == 1.0 and r2_score(np.ones(4), np.zeros(4)) == 0.0
