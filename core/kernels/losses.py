"""Loss kernels: each returns the mean loss (a float64) and writes dLoss/d(output) into `grad`.

Cross-entropy losses are fused with their output activation and read logits: softmax cross-entropy via
log-sum-exp shifted by the row maximum, binary cross-entropy as max(z, 0) − z·y + log1p(exp(−|z|)). Both never
overflow. Reductions follow PyTorch's 'mean': per sample for softmax cross-entropy, per element otherwise.
"""

from __future__ import annotations

import math

from numba import njit

from core.kernels.activations import exp_shifted_row

MSE, MAE, HUBER = range(3)


@njit(cache=True, nogil=True)
def softmax_cross_entropy(logits, labels, grad):
    """Mean of −log softmax(z)[label] over rows; grad = (softmax(z) − onehot(label)) / n."""
    n, m = logits.shape
    total = 0.0
    inv_n = 1.0 / n
    for i in range(n):
        top, s = exp_shifted_row(logits, i, grad)
        label = labels[i]
        total += top + math.log(s) - logits[i, label]
        inv_s = inv_n / s
        for j in range(m):
            grad[i, j] *= inv_s
        grad[i, label] -= inv_n
    return total * inv_n


@njit(cache=True, nogil=True)
def binary_cross_entropy_logits(logits, targets, grad):
    """Mean over elements of BCE(sigmoid(z), y) computed on z; grad = (sigmoid(z) − y) / count."""
    n, m = logits.shape
    total = 0.0
    inv_count = 1.0 / (n * m)
    for i in range(n):
        for j in range(m):
            z = logits[i, j]
            y = targets[i, j]
            e = math.exp(-abs(z))
            total += max(z, 0.0) - z * y + math.log1p(e)
            p = 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)
            grad[i, j] = (p - y) * inv_count
    return total * inv_count


@njit(cache=True, nogil=True)
def regression_loss(output, targets, code, delta, grad):
    """Mean over elements of MSE, MAE or Huber(δ) between output and targets, with its gradient."""
    n, m = output.shape
    total = 0.0
    inv_count = 1.0 / (n * m)
    for i in range(n):
        for j in range(m):
            d = output[i, j] - targets[i, j]
            if code == MSE:
                total += d * d
                g = 2.0 * d
            elif code == MAE:
                total += abs(d)
                g = 1.0 if d > 0.0 else (-1.0 if d < 0.0 else 0.0)
            else:
                a = abs(d)
                if a < delta:
                    total += 0.5 * d * d
                    g = d
                else:
                    total += delta * (a - 0.5 * delta)
                    g = delta if d > 0.0 else -delta
            grad[i, j] = g * inv_count
    return total * inv_count
