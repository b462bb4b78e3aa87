"""Kernels for a dense block's elementwise work: bias + activation, inverted dropout, residual add, and the
backward pass through them; plus the softmax and sigmoid that `predict` applies to fused-loss logits.

Activations are chosen by an integer code (see `core.activations`), so one compiled kernel per dtype serves
every activation. GELU is the tanh
approximation (PyTorch's `approximate="tanh"`), ELU uses α = 1, and softplus is computed stably as
max(z, 0) + log1p(exp(−|z|)).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, GELU, SOFTPLUS = range(8)

_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


@njit(cache=True, nogil=True)
def _sigmoid(z):
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, nogil=True)
def _gelu(z):
    return 0.5 * z * (1.0 + math.tanh(_GELU_C * (z + _GELU_K * z * z * z)))


@njit(cache=True, nogil=True)
def _gelu_derivative(z):
    t = math.tanh(_GELU_C * (z + _GELU_K * z * z * z))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (1.0 + 3.0 * _GELU_K * z * z)


@njit(cache=True, nogil=True)
def _softplus(z):
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


# The activation is chosen once per row, outside the inner loop: a per-element switch keeps LLVM from vectorising
# (measured ~50x slower for ReLU). Both kernels walk the batch a row at a time and do all their passes over one
# row while it is in the L1 cache (a row of 1,024 float32 is 4 KB), instead of one pass over the whole (n, m)
# array per step: the same arithmetic on each element, in the same order, so the results are bit for bit the
# same as pass after pass; a wide layer's array (256 × 1,024 float32, 1 MB) is read from L2 once, not 2–3 times.

@njit(cache=True, nogil=True, inline="always")
def _activate_row(z, i, code, slope, out):
    """out[i] = f(z[i])."""
    m = z.shape[1]
    if code == LINEAR:
        for j in range(m):
            out[i, j] = z[i, j]
    elif code == SIGMOID:
        for j in range(m):
            out[i, j] = _sigmoid(z[i, j])
    elif code == TANH:
        for j in range(m):
            out[i, j] = math.tanh(z[i, j])
    elif code == RELU:
        for j in range(m):
            v = z[i, j]
            out[i, j] = v if v > 0.0 else 0.0
    elif code == LEAKY_RELU:
        for j in range(m):
            v = z[i, j]
            out[i, j] = v if v > 0.0 else slope * v
    elif code == ELU:
        for j in range(m):
            v = z[i, j]
            out[i, j] = v if v > 0.0 else math.expm1(v)
    elif code == GELU:
        for j in range(m):
            out[i, j] = _gelu(z[i, j])
    else:  # SOFTPLUS
        for j in range(m):
            out[i, j] = _softplus(z[i, j])


@njit(cache=True, nogil=True)
def bias_activation(z, bias, add_bias, code, slope, out):
    """out = f(z + bias); z gets the bias added in place (it is the pre-activation backward needs)."""
    n, m = z.shape
    for i in range(n):
        if add_bias:
            for j in range(m):
                z[i, j] += bias[j]
        _activate_row(z, i, code, slope, out)


@njit(cache=True, nogil=True, inline="always")
def _derivative_row(z, a, i, code, slope, grad_z):
    """grad_z[i] *= f'(z[i]), with a = f(z) (LINEAR: nothing to do)."""
    m = grad_z.shape[1]
    if code == SIGMOID:
        for j in range(m):
            grad_z[i, j] *= a[i, j] * (1.0 - a[i, j])
    elif code == TANH:
        for j in range(m):
            grad_z[i, j] *= 1.0 - a[i, j] * a[i, j]
    elif code == RELU:
        for j in range(m):
            if z[i, j] <= 0.0:
                grad_z[i, j] = 0.0
    elif code == LEAKY_RELU:
        for j in range(m):
            if z[i, j] <= 0.0:
                grad_z[i, j] *= slope
    elif code == ELU:
        for j in range(m):
            if z[i, j] <= 0.0:
                grad_z[i, j] *= a[i, j] + 1.0
    elif code == GELU:
        for j in range(m):
            grad_z[i, j] *= _gelu_derivative(z[i, j])
    elif code == SOFTPLUS:
        for j in range(m):
            grad_z[i, j] *= _sigmoid(z[i, j])


@njit(cache=True, nogil=True)
def activation_backward(grad_out, z, a, code, slope, mask, use_mask, grad_z, grad_bias):
    """grad_z = dL/dz = grad_out (· dropout mask) · f'(z), with a = f(z) before dropout; grad_bias = the
    column sums of grad_z (overwritten). f'(z) is taken from a where that is cheaper."""
    n, m = grad_z.shape
    for j in range(m):
        grad_bias[j] = 0.0
    for i in range(n):
        if use_mask:
            for j in range(m):
                grad_z[i, j] = grad_out[i, j] * mask[i, j]
        else:
            for j in range(m):
                grad_z[i, j] = grad_out[i, j]
        _derivative_row(z, a, i, code, slope, grad_z)
        for j in range(m):
            grad_bias[j] += grad_z[i, j]


@njit(cache=True, nogil=True)
def dropout_forward(a, mask, dropout, out):
    """Inverted dropout: `mask` holds uniform [0, 1) draws on entry and the mask (0 or 1/(1−p)) on exit;
    out = a · mask, so the expected output equals the input and nothing needs scaling at inference."""
    n, m = a.shape
    scale = 1.0 / (1.0 - dropout)
    for i in range(n):
        for j in range(m):
            keep = scale if mask[i, j] >= dropout else 0.0
            mask[i, j] = keep
            out[i, j] = a[i, j] * keep


@njit(cache=True, nogil=True)
def add_into(a, b, out):
    """out = a + b, elementwise (a residual skip)."""
    n, m = out.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = a[i, j] + b[i, j]


@njit(cache=True, nogil=True)
def add_inplace(a, b):
    """a += b, elementwise (the skip's gradient joins the block's input gradient)."""
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            a[i, j] += b[i, j]


# Inlined into its callers by Numba (inline="always"): left to LLVM it stayed a call, and the loss ran ~10 % slower.
# Numba's cache tracks a kernel's own file only: after editing this one, clear the cached callers (losses.py's).
@njit(cache=True, nogil=True, inline="always")
def exp_shifted_row(z, i, out):
    """out[i] = exp(z[i] − max z[i]), elementwise; returns (max z[i], sum of out[i]). The overflow-free first half of
    a softmax over row i, shared by `softmax_rows` and the softmax cross-entropy loss."""
    m = z.shape[1]
    top = z[i, 0]
    for j in range(1, m):
        top = max(top, z[i, j])
    total = 0.0
    for j in range(m):
        e = math.exp(z[i, j] - top)
        out[i, j] = e
        total += e
    return top, total


@njit(cache=True, nogil=True)
def softmax_rows(z, out):
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    n, m = z.shape
    for i in range(n):
        total = exp_shifted_row(z, i, out)[1]
        inv = 1.0 / total
        for j in range(m):
            out[i, j] *= inv


@njit(cache=True, nogil=True)
def sigmoid_into(z, out):
    """Elementwise stable logistic function."""
    n, m = z.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = _sigmoid(z[i, j])


def empty_mask(dtype: np.dtype) -> np.ndarray:
    """A placeholder `mask` argument when there is no dropout (same type, so no extra compilation)."""
    return np.zeros((1, 1), dtype=dtype)
