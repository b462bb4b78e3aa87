"""Gradient-clipping kernels: global squared norm, scaling, clipping by value, and unit-wise adaptive clipping."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc"})  # reassoc: a vectorised sum
def sum_of_squares(values: np.ndarray) -> float:
    """Σx² accumulated in float64 (the global norm is its square root)."""
    total = 0.0
    for i in range(values.size):
        x = float(values[i])
        total += x * x
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def scale_in_place(values: np.ndarray, factor: float) -> None:
    factor_ = values.dtype.type(factor)
    for i in range(values.size):
        values[i] *= factor_


@njit(cache=True, nogil=True, error_model="numpy")
def clip_to_range(values: np.ndarray, limit: float) -> None:
    """Clamp every entry to [−limit, limit]; NaN stays NaN (as torch.clamp), so divergence is still seen."""
    high = values.dtype.type(limit)
    low = -high
    for i in range(values.size):
        x = values[i]
        values[i] = high if x > high else (low if x < low else x)  # selects, not branches: it vectorises


@njit(cache=True, nogil=True, error_model="numpy")
def clip_units_adaptively(weights: np.ndarray, grads: np.ndarray, clip: float, eps: float) -> None:
    """AGC on one (in, out) layer: for each output unit j (column), scale g[:, j] so that
    ‖g_j‖ ≤ clip·max(‖w_j‖, eps); the scale is clip·max(‖w_j‖, eps) / max(‖g_j‖, 1e-6) as in Brock et al."""
    rows, units = weights.shape
    weight_norms = np.zeros(units)
    grad_norms = np.zeros(units)
    for i in range(rows):  # row by row: contiguous reads
        for j in range(units):
            w = float(weights[i, j])
            g = float(grads[i, j])
            weight_norms[j] += w * w
            grad_norms[j] += g * g
    for j in range(units):
        max_norm = clip * max(math.sqrt(weight_norms[j]), eps)
        grad_norm = math.sqrt(grad_norms[j])
        grad_norms[j] = max_norm / max(grad_norm, 1e-6) if grad_norm > max_norm else 1.0
    for i in range(rows):
        for j in range(units):
            grads[i, j] *= grad_norms[j]
