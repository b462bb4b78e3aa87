"""Batch-normalisation kernels over a (samples × units) batch, PyTorch's BatchNorm1d semantics.

Training mode normalises with the batch mean and biased variance and updates the running statistics with
momentum (running = (1 − momentum)·running + momentum·batch), using the UNBIASED batch variance for the running
variance as PyTorch does. A batch of one sample has no unbiased variance; its running variance is updated
with the biased one (0) rather than dividing by zero. Evaluation mode normalises with the running statistics.
Sums are accumulated in float64 whatever the array dtype.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def batchnorm_forward(z, bias, gamma, beta, eps, momentum, training, running_mean, running_var,
                      z_hat, inv_std, out):
    """z += bias (in place); z_hat = normalised z; out = gamma·z_hat + beta; inv_std = 1/√(var + eps)."""
    # Loops run row by row over the C-contiguous batch, with per-column float64 accumulators.
    n, m = z.shape
    mean = np.zeros(m)
    var = np.zeros(m)
    for i in range(n):
        for j in range(m):
            z[i, j] += bias[j]
    if training:
        for i in range(n):
            for j in range(m):
                mean[j] += z[i, j]
        for j in range(m):
            mean[j] /= n
        for i in range(n):
            for j in range(m):
                d = z[i, j] - mean[j]
                var[j] += d * d
        for j in range(m):
            unbiased = var[j] / (n - 1) if n > 1 else var[j] / n
            var[j] /= n
            running_mean[j] = (1.0 - momentum) * running_mean[j] + momentum * mean[j]
            running_var[j] = (1.0 - momentum) * running_var[j] + momentum * unbiased
    else:
        for j in range(m):
            mean[j] = running_mean[j]
            var[j] = running_var[j]
    for j in range(m):
        inv_std[j] = 1.0 / math.sqrt(var[j] + eps)
    for i in range(n):
        for j in range(m):
            zh = (z[i, j] - mean[j]) * inv_std[j]
            z_hat[i, j] = zh
            out[i, j] = gamma[j] * zh + beta[j]


@njit(cache=True, nogil=True)
def batchnorm_backward(grad_out, z_hat, gamma, inv_std, training, grad_z, grad_gamma, grad_beta, grad_bias):
    """From dL/d(out): grad_gamma, grad_beta, grad_z = dL/dz and grad_bias = its column sums (all overwritten).

    In training mode the batch statistics depend on z, which gives the familiar
    dz = γ/(n·σ)·(n·g − Σg − ẑ·Σ(g·ẑ)); in evaluation mode they are constants and dz = γ·g/σ.
    """
    n, m = grad_out.shape
    sum_g = np.zeros(m)
    sum_gz = np.zeros(m)
    for i in range(n):
        for j in range(m):
            g = grad_out[i, j]
            sum_g[j] += g
            sum_gz[j] += g * z_hat[i, j]
    scale = np.empty(m)
    for j in range(m):
        grad_gamma[j] = sum_gz[j]
        grad_beta[j] = sum_g[j]
        scale[j] = gamma[j] * inv_std[j]
        sum_g[j] /= n  # from here on: means
        sum_gz[j] /= n
        grad_bias[j] = 0.0
    if training:
        for i in range(n):
            for j in range(m):
                grad_z[i, j] = scale[j] * (grad_out[i, j] - sum_g[j] - z_hat[i, j] * sum_gz[j])
    else:
        for i in range(n):
            for j in range(m):
                grad_z[i, j] = scale[j] * grad_out[i, j]
    for i in range(n):
        for j in range(m):
            grad_bias[j] += grad_z[i, j]
