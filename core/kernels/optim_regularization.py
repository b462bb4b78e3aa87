"""Regularization kernels over the flat buffer: L1/L2 penalty terms and decoupled weight decay, masked to weights.

`weight_mask` marks the entries that are weights (biases and batch-norm parameters are not penalised); an empty
mask means every entry.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def add_l1_l2_penalty(params: np.ndarray, grads: np.ndarray, weight_mask: np.ndarray, l1: float,
                      l2: float) -> float:
    """grads += λ1·sign(w) + λ2·w on masked entries; return λ1·Σ|w| + λ2/2·Σw² (accumulated in float64)."""
    use_mask = weight_mask.size > 0
    penalty = 0.0
    for i in range(params.size):
        if use_mask and not weight_mask[i]:
            continue
        w = params[i]
        sign = 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)
        grads[i] += l1 * sign + l2 * w
        penalty += l1 * abs(w) + 0.5 * l2 * w * w
    return penalty


@njit(cache=True, nogil=True)
def decay_weights(params: np.ndarray, weight_mask: np.ndarray, shrink: float) -> None:
    """params *= shrink on masked entries (shrink = 1 − lr·decay)."""
    use_mask = weight_mask.size > 0
    for i in range(params.size):
        if use_mask and not weight_mask[i]:
            continue
        params[i] *= shrink
