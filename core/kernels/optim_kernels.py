"""Fused optimizer updates: one pass over the flat parameter buffer per step, in place.

Each kernel mirrors the arithmetic of the PyTorch optimizer of the same name (torch/optim/*.py, single-tensor
path), so the reference tests can compare step by step. Scalars that only depend on the step count (bias
corrections, decayed rates) are computed by the caller and passed in. Coupled weight decay (PyTorch's
`weight_decay`) is applied to a local copy of the gradient; the caller's gradient buffer is never modified.
Works for float32 and float64 buffers (state arrays share the parameters' dtype). The scalars are cast to the
buffer's dtype first, so a float32 buffer is updated in float32 arithmetic (as PyTorch does) and the loops
vectorise; `error_model="numpy"` lets a division by zero give inf/nan (which the trainer detects as divergence)
instead of a per-element check that would block vectorisation.

SGD's, RMSprop's and Adam's arithmetic for one weight is an inlined function (`sgd_update`, …): the loops here and
the general training step's guarded loops (`core.kernels.guarded_steps`: the same update, plus the copy of the old
weights and the finite check in the same pass) both call it, so the two compute the same values.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, error_model="numpy", inline="always")
def sgd_update(p, g, b, lr_, mu, keep, wd, momentum: float, nesterov: bool, first_momentum_step: bool):
    """One weight's SGD step: (new weight, new momentum buffer entry). Shared by `sgd_step` and the guarded step
    (`core.kernels.guarded_steps`), so both compute the same values."""
    g = g + wd * p
    if momentum == 0.0:
        return p - lr_ * g, b
    b = g if first_momentum_step else mu * b + keep * g
    return p - lr_ * (g + mu * b if nesterov else b), b


@njit(cache=True, nogil=True, error_model="numpy")
def sgd_step(params: np.ndarray, grads: np.ndarray, buf: np.ndarray, lr: float, momentum: float,
             dampening: float, weight_decay: float, nesterov: bool, first_momentum_step: bool) -> None:
    """torch.optim.SGD: buf = μ·buf + (1−τ)·g (buf = g on the first step); p −= lr·(g + μ·buf | buf)."""
    real = params.dtype.type
    lr_, mu, keep, wd, zero = real(lr), real(momentum), real(1.0 - dampening), real(weight_decay), real(0.0)
    for i in range(params.size):
        p, b = sgd_update(params[i], grads[i], buf[i] if momentum != 0.0 else zero, lr_, mu, keep, wd, momentum,
                          nesterov, first_momentum_step)
        params[i] = p
        if momentum != 0.0:
            buf[i] = b


@njit(nogil=True, error_model="numpy", inline="always")
def rmsprop_update(p, g, s, a, b, lr_, alpha_, one_minus_alpha, eps_, wd, mu, momentum: float, centered: bool):
    """One weight's RMSprop step: (new weight, square average, gradient average, momentum buffer entry)."""
    g = g + wd * p
    s = alpha_ * s + one_minus_alpha * g * g
    if centered:
        a = a + one_minus_alpha * (g - a)
        avg = np.sqrt(s - a * a) + eps_
    else:
        avg = np.sqrt(s) + eps_
    if momentum > 0.0:
        b = mu * b + g / avg
        return p - lr_ * b, s, a, b
    return p - lr_ * g / avg, s, a, b


@njit(cache=True, nogil=True, error_model="numpy")
def rmsprop_step(params: np.ndarray, grads: np.ndarray, square_avg: np.ndarray, grad_avg: np.ndarray,
                 buf: np.ndarray, lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                 centered: bool) -> None:
    """torch.optim.RMSprop, optionally centered (divide by the variance) and with momentum."""
    real = params.dtype.type
    lr_, a_, one_minus_a, eps_ = real(lr), real(alpha), real(1.0 - alpha), real(eps)
    wd, mu, zero = real(weight_decay), real(momentum), real(0.0)
    for i in range(params.size):
        p, s, a, b = rmsprop_update(params[i], grads[i], square_avg[i], grad_avg[i] if centered else zero,
                                    buf[i] if momentum > 0.0 else zero, lr_, a_, one_minus_a, eps_, wd, mu,
                                    momentum, centered)
        params[i] = p
        square_avg[i] = s
        if centered:
            grad_avg[i] = a
        if momentum > 0.0:
            buf[i] = b


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


@njit(nogil=True, error_model="numpy", inline="always")
def adam_update(p, g, m, v, v_max, step_size, one_minus_b1, b2, one_minus_b2, eps_, bc2_sqrt, shrink, wd,
                amsgrad: bool):
    """One weight's Adam step: (new weight, first moment, second moment, its running maximum)."""
    p = p * shrink
    g = g + wd * p
    m = m + one_minus_b1 * (g - m)
    v = b2 * v + one_minus_b2 * g * g
    denominator = v
    if amsgrad:
        v_max = max(v_max, v)
        denominator = v_max
    return p - step_size * m / (np.sqrt(denominator) / bc2_sqrt + eps_), m, v, v_max


@njit(nogil=True, inline="always")
def adam_scalars(params, lr, beta1, beta2, eps, weight_decay, decoupled, bias_correction1, bias_correction2_sqrt):
    """Adam's step scalars in the buffer's dtype (see `adam_step`)."""
    real = params.dtype.type
    shrink = real(1.0 - lr * weight_decay) if decoupled else real(1.0)
    wd = real(0.0) if decoupled else real(weight_decay)
    return (real(lr / bias_correction1), real(1.0 - beta1), real(beta2), real(1.0 - beta2), real(eps),
            real(bias_correction2_sqrt), shrink, wd)


@njit(cache=True, nogil=True, error_model="numpy")
def adam_step(params: np.ndarray, grads: np.ndarray, m: np.ndarray, v: np.ndarray, v_max: np.ndarray,
              lr: float, beta1: float, beta2: float, eps: float, weight_decay: float, decoupled: bool,
              amsgrad: bool, bias_correction1: float, bias_correction2_sqrt: float) -> None:
    """torch.optim.Adam / AdamW (decoupled: p *= 1 − lr·wd before the step), optionally AMSGrad.

    `v_max` is only touched when amsgrad is on (it may be empty otherwise).
    """
    step_size, one_minus_b1, b2, one_minus_b2, eps_, bc2_sqrt, shrink, wd = adam_scalars(
        params, lr, beta1, beta2, eps, weight_decay, decoupled, bias_correction1, bias_correction2_sqrt)
    zero = params.dtype.type(0.0)
    for i in range(params.size):
        p, mi, vi, vmax = adam_update(params[i], grads[i], m[i], v[i], v_max[i] if amsgrad else zero, step_size,
                                      one_minus_b1, b2, one_minus_b2, eps_, bc2_sqrt, shrink, wd, amsgrad)
        params[i] = p
        m[i] = mi
        v[i] = vi
        if amsgrad:
            v_max[i] = vmax


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
