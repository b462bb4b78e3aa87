"""Clipping by value and by norm equals torch.nn.utils.clip_grad_value_ / clip_grad_norm_."""

from __future__ import annotations

import numpy as np
import pytest

from core.clipping import clip_gradients

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@pytest.mark.parametrize("threshold", [0.1, 1.0, 100.0])
@pytest.mark.parametrize("mode", ["value", "norm"])
def test_clipping_matches_torch(mode: str, threshold: float) -> None:
    rng = np.random.default_rng(1)
    grads = rng.normal(scale=2.0, size=50)
    # torch sees the same buffer as two parameters (a layer's W and b) and clips them together
    w = torch.zeros(40, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(10, dtype=torch.float64, requires_grad=True)
    w.grad, b.grad = torch.tensor(grads[:40]), torch.tensor(grads[40:])
    ours = clip_gradients(grads, mode, threshold)
    if mode == "norm":
        theirs = float(torch.nn.utils.clip_grad_norm_([w, b], threshold))
        assert ours == pytest.approx(theirs, rel=1e-12)
    else:
        torch.nn.utils.clip_grad_value_([w, b], threshold)
    np.testing.assert_allclose(grads, np.concatenate([w.grad.numpy(), b.grad.numpy()]), rtol=0, atol=1e-12)
