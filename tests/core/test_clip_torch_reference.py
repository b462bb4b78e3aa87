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


def _timm_style_agc(weight: object, grad: object, clip: float, eps: float = 1e-3) -> None:
    """timm's adaptive_clip_grad for a torch Linear weight (out, in): unit norms over the inputs (dim 1)."""
    weight_norm = weight.norm(dim=1, keepdim=True).clamp_(min=eps)
    grad_norm = grad.norm(dim=1, keepdim=True)
    max_norm = weight_norm * clip
    clipped = grad * (max_norm / grad_norm.clamp(min=1e-6))
    grad.copy_(torch.where(grad_norm < max_norm, grad, clipped))


def test_agc_matches_a_torch_implementation_on_transposed_layout() -> None:
    rng = np.random.default_rng(2)
    weights = rng.normal(size=(6, 4))  # ours: (in, out)
    weights[:, 1] = 0.0  # a dead unit: the eps floor decides its limit
    grads = rng.normal(scale=3.0, size=(6, 4))
    ours = grads.copy()
    clip_gradients(ours.reshape(-1), "agc", 0.3, layer_weight_views=[(weights, ours)])
    theirs = torch.tensor(grads.T.copy())  # torch: (out, in)
    _timm_style_agc(torch.tensor(weights.T.copy()), theirs, 0.3)
    np.testing.assert_allclose(ours, theirs.numpy().T, rtol=0, atol=1e-12)
    assert not np.allclose(ours, grads)
