"""Fused optimizer updates: one pass over the flat parameter buffer per step, in place.

Each kernel mirrors the arithmetic of the PyTorch optimizer of the same name (torch/optim/*.py, single-tensor
path), so the reference tests can compare step by step. Scalars that only depend on the step count (bias
corrections, decayed rates) are computed by the caller and passed in. Coupled weight decay (PyTorch's
`weight_decay`) is applied to a local copy of the gradient; the caller's gradient buffer is never modified.
Works for float32 and float64 buffers (state arrays share the parameters' dtype). The scalars are cast to the
buffer's dtype first, so a float32 buffer is updated in float32 arithmetic (as PyTorch does) and the loops
vectorise; `error_model="numpy"` lets a division by zero give inf/nan (which the trainer detects as divergence)
instead of a per-element check that would block vectorisation.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def sgd_step(params: np.ndarray, grads: np.ndarray, buf: np.ndarray, lr: float, momentum: float,
             dampening: float, weight_decay: float, nesterov: bool, first_momentum_step: bool) -> None:
    """torch.optim.SGD: buf = μ·buf + (1−τ)·g (buf = g on the first step); p −= lr·(g + μ·buf | buf)."""
    real = params.dtype.type
    lr_, mu, keep, wd = real(lr), real(momentum), real(1.0 - dampening), real(weight_decay)
    if momentum == 0.0:
        for i in range(params.size):
            params[i] -= lr_ * (grads[i] + wd * params[i])
        return
    for i in range(params.size):
        g = grads[i] + wd * params[i]
        b = g if first_momentum_step else mu * buf[i] + keep * g
        buf[i] = b
        params[i] -= lr_ * (g + mu * b if nesterov else b)


@njit(cache=True, nogil=True, error_model="numpy")
def rmsprop_step(params: np.ndarray, grads: np.ndarray, square_avg: np.ndarray, grad_avg: np.ndarray,
                 buf: np.ndarray, lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                 centered: bool) -> None:
    """torch.optim.RMSprop, optionally centered (divide by the variance) and with momentum."""
    real = params.dtype.type
    lr_, a_, one_minus_a, eps_ = real(lr), real(alpha), real(1.0 - alpha), real(eps)
    wd, mu = real(weight_decay), real(momentum)
    for i in range(params.size):
        g = grads[i] + wd * params[i]
        s = a_ * square_avg[i] + one_minus_a * g * g
        square_avg[i] = s
        if centered:
            a = grad_avg[i] + one_minus_a * (g - grad_avg[i])
            grad_avg[i] = a
            avg = np.sqrt(s - a * a) + eps_
        else:
            avg = np.sqrt(s) + eps_
        if momentum > 0.0:
            b = mu * buf[i] + g / avg
            buf[i] = b
            params[i] -= lr_ * b
        else:
            params[i] -= lr_ * g / avg


@njit(cache=True, nogil=True, error_model="numpy")
def adagrad_step(params: np.ndarray, grads: np.ndarray, state_sum: np.ndarray, clr: float, eps: float,
                 weight_decay: float) -> None:
    """torch.optim.Adagrad with the decayed rate clr = lr / (1 + (t−1)·lr_decay) computed by the caller."""
    real = params.dtype.type
    clr_, eps_, wd = real(clr), real(eps), real(weight_decay)
    for i in range(params.size):
        g = grads[i] + wd * params[i]
        s = state_sum[i] + g * g
        state_sum[i] = s
        params[i] -= clr_ * g / (np.sqrt(s) + eps_)


@njit(cache=True, nogil=True, error_model="numpy")
def adadelta_step(params: np.ndarray, grads: np.ndarray, square_avg: np.ndarray, acc_delta: np.ndarray,
                  lr: float, rho: float, eps: float, weight_decay: float) -> None:
    """torch.optim.Adadelta: the step is RMS(past updates)/RMS(gradients)·g, scaled by lr."""
    real = params.dtype.type
    lr_, rho_, one_minus_rho, eps_, wd = real(lr), real(rho), real(1.0 - rho), real(eps), real(weight_decay)
    for i in range(params.size):
        g = grads[i] + wd * params[i]
        s = rho_ * square_avg[i] + one_minus_rho * g * g
        square_avg[i] = s
        delta = np.sqrt(acc_delta[i] + eps_) / np.sqrt(s + eps_) * g
        acc_delta[i] = rho_ * acc_delta[i] + one_minus_rho * delta * delta
        params[i] -= lr_ * delta


@njit(cache=True, nogil=True, error_model="numpy")
def adam_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, v: np.ndarray, v_max: np.ndarray,
              lr: float, beta1: float, beta2: float, eps: float, weight_decay: float, decoupled: bool,
              amsgrad: bool, bias_correction1: float, bias_correction2_sqrt: float) -> None:
    """torch.optim.Adam / AdamW (decoupled: p *= 1 − lr·wd before the step), optionally AMSGrad.

    `v_max` is only touched when amsgrad is on (it may be empty otherwise).
    """
    real = params.dtype.type
    step_size = real(lr / bias_correction1)
    one_minus_b1, b2, one_minus_b2 = real(1.0 - beta1), real(beta2), real(1.0 - beta2)
    eps_, bc2_sqrt = real(eps), real(bias_correction2_sqrt)
    shrink = real(1.0 - lr * weight_decay) if decoupled else real(1.0)
    wd = real(0.0) if decoupled else real(weight_decay)
    for i in range(params.size):
        p = params[i] * shrink
        g = grads[i] + wd * p
        mi = m[i] + one_minus_b1 * (g - m[i])
        m[i] = mi
        vi = b2 * v[i] + one_minus_b2 * g * g
        v[i] = vi
        if amsgrad:
            vi = max(v_max[i], vi)
            v_max[i] = vi
        params[i] = p - step_size * mi / (np.sqrt(vi) / bc2_sqrt + eps_)


@njit(cache=True, nogil=True, error_model="numpy")
def adamax_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, u: np.ndarray, clr: float,
                beta1: float, beta2: float, eps: float, weight_decay: float) -> None:
    """torch.optim.Adamax: u = max(β2·u, |g| + eps); p −= clr·m/u with clr = lr/(1 − β1^t)."""
    real = params.dtype.type
    clr_, one_minus_b1, b2, eps_, wd = real(clr), real(1.0 - beta1), real(beta2), real(eps), real(weight_decay)
    for i in range(params.size):
        g = grads[i] + wd * params[i]
        mi = m[i] + one_minus_b1 * (g - m[i])
        m[i] = mi
        ui = max(b2 * u[i], abs(g) + eps_)
        u[i] = ui
        params[i] -= clr_ * mi / ui


@njit(cache=True, nogil=True, error_model="numpy")
def nadam_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, v: np.ndarray, beta1: float,
               beta2: float, eps: float, weight_decay: float, bias_correction2: float, grad_coef: float,
               momentum_coef: float) -> None:
    """torch.optim.NAdam (coupled decay): p += grad_coef·g/denom, then p += momentum_coef·m/denom.

    grad_coef = −lr·(1 − μ_t)/(1 − Πμ), momentum_coef = −lr·μ_{t+1}/(1 − Πμ·μ_{t+1}), from the caller.
    """
    real = params.dtype.type
    one_minus_b1, b2, one_minus_b2 = real(1.0 - beta1), real(beta2), real(1.0 - beta2)
    eps_, wd = real(eps), real(weight_decay)
    bc2, c_grad, c_momentum = real(bias_correction2), real(grad_coef), real(momentum_coef)
    for i in range(params.size):
        g = grads[i] + wd * params[i]
        mi = m[i] + one_minus_b1 * (g - m[i])
        m[i] = mi
        vi = b2 * v[i] + one_minus_b2 * g * g
        v[i] = vi
        denom = np.sqrt(vi / bc2) + eps_
        p = params[i] + c_grad * g / denom
        params[i] = p + c_momentum * mi / denom


@njit(cache=True, nogil=True, error_model="numpy")
def lookahead_sync(params: np.ndarray, slow: np.ndarray, alpha: float) -> None:
    """Lookahead's synchronisation: slow += α·(fast − slow); fast = slow."""
    alpha_ = params.dtype.type(alpha)
    for i in range(params.size):
        s = slow[i] + alpha_ * (params[i] - slow[i])
        slow[i] = s
        params[i] = s
