"""The general training step's optimizer pass: SGD's, RMSprop's or Adam's update, the copy of each old weight
(the weights a divergence rolls back to) and the finite check of each new weight, in one pass over the buffer.

Why one pass: on a wide network these passes are bound by memory bandwidth. Measured on 1.6 M float32 weights
(Xeon, one thread): Adam's step 0.89 ms, the copy 0.44 ms and the check 0.22 ms one after the other, 1.10 ms as
one pass. The arithmetic is the plain steps' own (`core.kernels.optim_kernels`: `sgd_update`, …), so the values
are the same bit for bit.

Each loop stands alone (and the plain steps keep theirs) rather than one loop with a "keep the old weights?"
switch: with that third loop-invariant branch beside RMSprop's two, LLVM stopped vectorising one of the versions
(measured 2.6 ms instead of 0.66 ms). So the few lines that write an update's results back are repeated in both
loops: a shared inlined helper for them, tried, made RMSprop's loop 50× slower. The finite check is an OR of flags, which vectorises without reassociation,
unlike a float sum.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from core.kernels.optim_kernels import adam_scalars, adam_update, rmsprop_update, sgd_update


@njit(cache=True, nogil=True, error_model="numpy")
def sgd_step_keeping(params: np.ndarray, grads: np.ndarray, buf: np.ndarray, lr: float, momentum: float,
                     dampening: float, weight_decay: float, nesterov: bool, first_momentum_step: bool,
                     previous: np.ndarray) -> bool:
    """`sgd_step`, keeping each old weight in `previous`; whether every new weight is finite."""
    real = params.dtype.type
    lr_, mu, keep, wd, zero = real(lr), real(momentum), real(1.0 - dampening), real(weight_decay), real(0.0)
    largest, broken = real(np.finfo(params.dtype).max), False
    for i in range(params.size):
        old = params[i]
        previous[i] = old
        p, b = sgd_update(old, grads[i], buf[i] if momentum != 0.0 else zero, lr_, mu, keep, wd, momentum,
                          nesterov, first_momentum_step)
        params[i] = p
        if momentum != 0.0:
            buf[i] = b
        broken |= not abs(p) <= largest
    return not broken


@njit(cache=True, nogil=True, error_model="numpy")
def rmsprop_step_keeping(params: np.ndarray, grads: np.ndarray, square_avg: np.ndarray, grad_avg: np.ndarray,
                         buf: np.ndarray, lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                         centered: bool, previous: np.ndarray) -> bool:
    """`rmsprop_step`, keeping each old weight in `previous`; whether every new weight is finite."""
    real = params.dtype.type
    lr_, a_, one_minus_a, eps_ = real(lr), real(alpha), real(1.0 - alpha), real(eps)
    wd, mu, zero = real(weight_decay), real(momentum), real(0.0)
    largest, broken = real(np.finfo(params.dtype).max), False
    for i in range(params.size):
        old = params[i]
        previous[i] = old
        p, s, a, b = rmsprop_update(old, grads[i], square_avg[i], grad_avg[i] if centered else zero,
                                    buf[i] if momentum > 0.0 else zero, lr_, a_, one_minus_a, eps_, wd, mu,
                                    momentum, centered)
        params[i] = p
        square_avg[i] = s
        if centered:
            grad_avg[i] = a
        if momentum > 0.0:
            buf[i] = b
        broken |= not abs(p) <= largest
    return not broken


@njit(cache=True, nogil=True, error_model="numpy")
def adam_step_keeping(params: np.ndarray, grads: np.ndarray, m: np.ndarray, v: np.ndarray, v_max: np.ndarray,
                      lr: float, beta1: float, beta2: float, eps: float, weight_decay: float, decoupled: bool,
                      amsgrad: bool, bias_correction1: float, bias_correction2_sqrt: float,
                      previous: np.ndarray) -> bool:
    """`adam_step`, keeping each old weight in `previous`; whether every new weight is finite."""
    step_size, one_minus_b1, b2, one_minus_b2, eps_, bc2_sqrt, shrink, wd = adam_scalars(
        params, lr, beta1, beta2, eps, weight_decay, decoupled, bias_correction1, bias_correction2_sqrt)
    real = params.dtype.type
    zero, largest, broken = real(0.0), real(np.finfo(params.dtype).max), False
    for i in range(params.size):
        old = params[i]
        previous[i] = old
        p, mi, vi, vmax = adam_update(old, grads[i], m[i], v[i], v_max[i] if amsgrad else zero, step_size,
                                      one_minus_b1, b2, one_minus_b2, eps_, bc2_sqrt, shrink, wd, amsgrad)
        params[i] = p
        m[i] = mi
        v[i] = vi
        if amsgrad:
            v_max[i] = vmax
        broken |= not abs(p) <= largest
    return not broken
