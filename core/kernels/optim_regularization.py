"""Regularization kernels over the flat buffer: L1/L2 penalty terms and decoupled weight decay, masked to weights.

`weight_mask` marks the entries that are weights (biases and batch-norm parameters are not penalised); an empty
mask means every entry.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc"})  # reassoc: a vectorised sum
def add_l1_l2_penalty(params: np.ndarray, grads: np.ndarray, weight_mask: np.ndarray, l1: float,
                      l2: float) -> float:
    """grads += λ1·sign(w) + λ2·w on masked entries; return λ1·Σ|w| + λ2/2·Σw² (accumulated in float64)."""
    real = params.dtype.type
    l1_, l2_ = real(l1), real(l2)
    use_mask = weight_mask.size > 0
    penalty = 0.0
    for i in range(params.size):
        on = real(1.0) if not use_mask or weight_mask[i] else real(0.0)  # a factor, not a branch: it vectorises
        w = params[i] * on
        sign = real(1.0) if w > 0 else (real(-1.0) if w < 0 else real(0.0))
        grads[i] += l1_ * sign + l2_ * w
        penalty += l1 * abs(float(w)) + 0.5 * l2 * float(w) * float(w)
    return penalty


@njit(cache=True, nogil=True, error_model="numpy")
def decay_weights(params: np.ndarray, weight_mask: np.ndarray, shrink: float) -> None:
    """params *= shrink on masked entries (shrink = 1 − lr·decay)."""
    real = params.dtype.type
    shrink_ = real(shrink)
    if weight_mask.size == 0:
        for i in range(params.size):
            params[i] *= shrink_
        return
    for i in range(params.size):
        params[i] *= shrink_ if weight_mask[i] else real(1.0)
