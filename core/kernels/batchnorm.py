"""Batch-normalisation kernels over a (samples × units) batch, PyTorch's BatchNorm1d semantics.

Training mode normalises with the batch mean and biased variance and updates the running statistics with
momentum (running = (1 − momentum)·running + momentum·batch), using the UNBIASED batch variance for the running
variance as PyTorch does. A batch of one sample has no unbiased variance; its running variance is updated
with the biased one (0) rather than dividing by zero. Evaluation mode normalises with the running statistics.
Sums are accumulated in float64 whatever the array dtype.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True, nogil=True)
def batchnorm_forward(z, bias, gamma, beta, eps, momentum, training, running_mean, running_var,
                      z_hat, inv_std, out):
    """z += bias (in place); z_hat = normalised z; out = gamma·z_hat + beta; inv_std = 1/√(var + eps)."""
    n, m = z.shape
    for i in range(n):
        for j in range(m):
            z[i, j] += bias[j]
    for j in range(m):
        if training:
            total = 0.0
            for i in range(n):
                total += z[i, j]
            mean = total / n
            squares = 0.0
            for i in range(n):
                d = z[i, j] - mean
                squares += d * d
            var = squares / n
            unbiased = squares / (n - 1) if n > 1 else var
            running_mean[j] = (1.0 - momentum) * running_mean[j] + momentum * mean
            running_var[j] = (1.0 - momentum) * running_var[j] + momentum * unbiased
        else:
            mean = running_mean[j]
            var = running_var[j]
        inv = 1.0 / math.sqrt(var + eps)
        inv_std[j] = inv
        g = gamma[j]
        b = beta[j]
        for i in range(n):
            zh = (z[i, j] - mean) * inv
            z_hat[i, j] = zh
            out[i, j] = g * zh + b


@njit(cache=True, nogil=True)
def batchnorm_backward(grad_out, z_hat, gamma, inv_std, training, grad_z, grad_gamma, grad_beta, grad_bias):
    """From dL/d(out): grad_gamma, grad_beta, grad_z = dL/dz and grad_bias = its column sums (all overwritten).

    In training mode the batch statistics depend on z, which gives the familiar
    dz = γ/(n·σ)·(n·g − Σg − ẑ·Σ(g·ẑ)); in evaluation mode they are constants and dz = γ·g/σ.
    """
    n, m = grad_out.shape
    for j in range(m):
        sum_g = 0.0
        sum_gz = 0.0
        for i in range(n):
            g = grad_out[i, j]
            sum_g += g
            sum_gz += g * z_hat[i, j]
        grad_gamma[j] = sum_gz
        grad_beta[j] = sum_g
        scale = gamma[j] * inv_std[j]
        col = 0.0
        if training:
            mean_g = sum_g / n
            mean_gz = sum_gz / n
            for i in range(n):
                d = scale * (grad_out[i, j] - mean_g - z_hat[i, j] * mean_gz)
                grad_z[i, j] = d
                col += d
        else:
            for i in range(n):
                d = scale * grad_out[i, j]
                grad_z[i, j] = d
                col += d
        grad_bias[j] = col
