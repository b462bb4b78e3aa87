"""Fused optimizer updates: one pass over the flat parameter buffer per step, in place.

Each kernel mirrors the arithmetic of the PyTorch optimizer of the same name (torch/optim/*.py, single-tensor
path), so the reference tests can compare step by step. Scalars that only depend on the step count (bias
corrections, decayed rates) are computed by the caller and passed in. Coupled weight decay (PyTorch's
`weight_decay`) is applied to a local copy of the gradient; the caller's gradient buffer is never modified.
Works for float32 and float64 buffers (state arrays share the parameters' dtype).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def sgd_step(params: np.ndarray, grads: np.ndarray, buf: np.ndarray, lr: float, momentum: float,
             dampening: float, weight_decay: float, nesterov: bool, first_momentum_step: bool) -> None:
    """torch.optim.SGD: buf = μ·buf + (1−τ)·g (buf = g on the first step); p −= lr·(g + μ·buf | buf)."""
    for i in range(params.size):
        g = grads[i] + weight_decay * params[i]
        if momentum != 0.0:
            if first_momentum_step:
                b = g
            else:
                b = momentum * buf[i] + (1.0 - dampening) * g
            buf[i] = b
            if nesterov:
                g = g + momentum * b
            else:
                g = b
        params[i] -= lr * g


@njit(cache=True, nogil=True)
def rmsprop_step(params: np.ndarray, grads: np.ndarray, square_avg: np.ndarray, grad_avg: np.ndarray,
                 buf: np.ndarray, lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                 centered: bool) -> None:
    """torch.optim.RMSprop, optionally centered (divide by the variance) and with momentum."""
    for i in range(params.size):
        g = grads[i] + weight_decay * params[i]
        s = alpha * square_avg[i] + (1.0 - alpha) * g * g
        square_avg[i] = s
        if centered:
            a = grad_avg[i] + (1.0 - alpha) * (g - grad_avg[i])
            grad_avg[i] = a
            avg = math.sqrt(s - a * a) + eps
        else:
            avg = math.sqrt(s) + eps
        if momentum > 0.0:
            b = momentum * buf[i] + g / avg
            buf[i] = b
            params[i] -= lr * b
        else:
            params[i] -= lr * g / avg


@njit(cache=True, nogil=True)
def adagrad_step(params: np.ndarray, grads: np.ndarray, state_sum: np.ndarray, clr: float, eps: float,
                 weight_decay: float) -> None:
    """torch.optim.Adagrad with the decayed rate clr = lr / (1 + (t−1)·lr_decay) computed by the caller."""
    for i in range(params.size):
        g = grads[i] + weight_decay * params[i]
        s = state_sum[i] + g * g
        state_sum[i] = s
        params[i] -= clr * g / (math.sqrt(s) + eps)


@njit(cache=True, nogil=True)
def adadelta_step(params: np.ndarray, grads: np.ndarray, square_avg: np.ndarray, acc_delta: np.ndarray,
                  lr: float, rho: float, eps: float, weight_decay: float) -> None:
    """torch.optim.Adadelta: the step is RMS(past updates)/RMS(gradients)·g, scaled by lr."""
    for i in range(params.size):
        g = grads[i] + weight_decay * params[i]
        s = rho * square_avg[i] + (1.0 - rho) * g * g
        square_avg[i] = s
        delta = math.sqrt(acc_delta[i] + eps) / math.sqrt(s + eps) * g
        acc_delta[i] = rho * acc_delta[i] + (1.0 - rho) * delta * delta
        params[i] -= lr * delta


@njit(cache=True, nogil=True)
def adam_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, v: np.ndarray, v_max: np.ndarray,
              lr: float, beta1: float, beta2: float, eps: float, weight_decay: float, decoupled: bool,
              amsgrad: bool, bias_correction1: float, bias_correction2_sqrt: float) -> None:
    """torch.optim.Adam / AdamW (decoupled: p *= 1 − lr·wd before the step), optionally AMSGrad.

    `v_max` is only touched when amsgrad is on (it may be empty otherwise).
    """
    step_size = lr / bias_correction1
    for i in range(params.size):
        if decoupled:
            params[i] *= 1.0 - lr * weight_decay
            g = grads[i]
        else:
            g = grads[i] + weight_decay * params[i]
        mi = m[i] + (1.0 - beta1) * (g - m[i])
        m[i] = mi
        vi = beta2 * v[i] + (1.0 - beta2) * g * g
        v[i] = vi
        if amsgrad:
            if vi > v_max[i]:
                v_max[i] = vi
            vi = v_max[i]
        denom = math.sqrt(vi) / bias_correction2_sqrt + eps
        params[i] -= step_size * mi / denom


@njit(cache=True, nogil=True)
def adamax_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, u: np.ndarray, clr: float,
                beta1: float, beta2: float, eps: float, weight_decay: float) -> None:
    """torch.optim.Adamax: u = max(β2·u, |g| + eps); p −= clr·m/u with clr = lr/(1 − β1^t)."""
    for i in range(params.size):
        g = grads[i] + weight_decay * params[i]
        mi = m[i] + (1.0 - beta1) * (g - m[i])
        m[i] = mi
        ui = max(beta2 * u[i], abs(g) + eps)
        u[i] = ui
        params[i] -= clr * mi / ui


@njit(cache=True, nogil=True)
def nadam_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, v: np.ndarray, beta1: float,
               beta2: float, eps: float, weight_decay: float, bias_correction2: float, grad_coef: float,
               momentum_coef: float) -> None:
    """torch.optim.NAdam (coupled decay): p += grad_coef·g/denom, then p += momentum_coef·m/denom.

    grad_coef = −lr·(1 − μ_t)/(1 − Πμ), momentum_coef = −lr·μ_{t+1}/(1 − Πμ·μ_{t+1}), from the caller.
    """
    for i in range(params.size):
        g = grads[i] + weight_decay * params[i]
        mi = m[i] + (1.0 - beta1) * (g - m[i])
        m[i] = mi
        vi = beta2 * v[i] + (1.0 - beta2) * g * g
        v[i] = vi
        denom = math.sqrt(vi / bias_correction2) + eps
        params[i] += grad_coef * g / denom
        params[i] += momentum_coef * mi / denom


@njit(cache=True, nogil=True)
def lookahead_sync(params: np.ndarray, slow: np.ndarray, alpha: float) -> None:
    """Lookahead's synchronisation: slow += α·(fast − slow); fast = slow."""
    for i in range(params.size):
        s = slow[i] + alpha * (params[i] - slow[i])
        slow[i] = s
        params[i] = s
