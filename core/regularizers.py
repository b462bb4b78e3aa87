"""L1 and L2 regularization as loss terms, and decoupled weight decay, applied to the weights of the flat buffer.

The Trainer calls `regularization_loss_and_grad` after backward (it adds the penalty's gradient and returns the
penalty to add to the reported loss) and `apply_decoupled_weight_decay` after the optimizer step (AdamW-style
shrinkage for any optimizer). `weight_mask` is a boolean array over the flat buffer, True on weights (not biases);
None means every entry.
"""

from __future__ import annotations

import numpy as np

from core.kernels.optim_regularization import add_l1_l2_penalty, decay_weights

_ALL = np.zeros(0, dtype=np.bool_)  # an empty mask: the kernels then touch every entry


def _mask(weight_mask: np.ndarray | None, params: np.ndarray, owner: str) -> np.ndarray:
    if weight_mask is None:
        return _ALL
    if weight_mask.dtype != np.bool_ or weight_mask.shape != params.shape:
        raise ValueError(f"{owner}: weight_mask must be a boolean array shaped like params {params.shape}, "
                         f"got {weight_mask.dtype} {weight_mask.shape}")
    return weight_mask


def _check_strength(name: str, value: float) -> float:
    value = float(value)
    if not value >= 0.0 or not np.isfinite(value):
        raise ValueError(f"regularization: {name} must be a finite number ≥ 0, got {value!r}")
    return value


def regularization_loss_and_grad(params: np.ndarray, grads: np.ndarray, weight_mask: np.ndarray | None,
                                 l1: float, l2: float) -> float:
    """Add λ1·sign(w) + λ2·w to `grads` on the weights (in place); return λ1·Σ|w| + λ2/2·Σw²."""
    l1, l2 = _check_strength("l1", l1), _check_strength("l2", l2)
    if l1 == 0.0 and l2 == 0.0:
        return 0.0
    if grads.shape != params.shape:
        raise ValueError(f"regularization: grads {grads.shape} must be shaped like params {params.shape}")
    return float(add_l1_l2_penalty(params, grads, _mask(weight_mask, params, "regularization"), l1, l2))


def apply_decoupled_weight_decay(params: np.ndarray, weight_mask: np.ndarray | None, lr: float,
                                 decay: float) -> None:
    """Shrink the weights in place: w ← (1 − lr·decay)·w, apart from the gradient (decoupled, as in AdamW)."""
    decay = _check_strength("decoupled_weight_decay", decay)
    if decay == 0.0:
        return
    decay_weights(params, _mask(weight_mask, params, "decoupled weight decay"), 1.0 - float(lr) * decay)
