"""The update contract between a fusable optimizer and the kernels: one step from one row of scalars.

A fusable optimizer (`core.optimizers`) declares `fused_kind`, one of the `FUSED_*` codes below, and hands over
everything its step needs through public methods, so no caller reads its private attributes:

- `kernel_scalars(first_step, rows)` fills one row of `STEP_SCALARS` float64 per step: the learning rate
  (`STEP_LR`), the weight decay (`STEP_WEIGHT_DECAY`), its own columns (`ADAM_*`, `SGD_*`; switches are 0.0 or
  1.0) and what depends on the step count (Adam's bias corrections), computed once, by the optimizer;
- `kernel_state()`: its `STATE_ARRAYS` state arrays (views, updated in place; an empty array where unused);
- `kernel_started()` and `kernel_stepped(count, started)`: the scalar state a step advances (the step count, and
  whether SGD's momentum buffer has started).

`fused_update` performs one step from one row. The optimizers' own `step` and the fused dense kernel
(`core.kernels.fused_dense`, a run of batches in one call) both call it. `guarded_update` is the same step that
also keeps the old weights and says whether the new ones are finite (the general training step's roll-back copy
and check, in one pass: `FusableOptimizer.guarded_step`); its loops share each weight's arithmetic with the plain
ones, so every path runs the same code. A new fused optimizer adds a `FUSED_*` code, its columns and its branch here, and declares the contract.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from core.kernels.guarded_steps import adam_step_keeping, rmsprop_step_keeping, sgd_step_keeping
from core.kernels.optim_kernels import adam_step, rmsprop_step, sgd_step

FUSED_SGD, FUSED_ADAM, FUSED_RMSPROP = range(3)
# Columns of a row of step scalars. Every kind starts with the learning rate (decoupled weight decay reads it).
STEP_LR, STEP_WEIGHT_DECAY = range(2)
SGD_MOMENTUM, SGD_DAMPENING, SGD_NESTEROV = range(2, 5)
(ADAM_BETA1, ADAM_BETA2, ADAM_EPS, ADAM_DECOUPLED, ADAM_AMSGRAD, ADAM_BIAS_CORRECTION1,
 ADAM_BIAS_CORRECTION2_SQRT) = range(2, 9)
RMSPROP_ALPHA, RMSPROP_EPS, RMSPROP_MOMENTUM, RMSPROP_CENTERED = range(2, 6)
STEP_SCALARS = 9
STATE_ARRAYS = 3


@njit(cache=True, nogil=True)
def fill_adam_scalars(rows: np.ndarray, first_step: int, lr: float, weight_decay: float, beta1: float,
                      beta2: float, eps: float, decoupled: bool, amsgrad: bool) -> None:
    """Adam's rows for steps first_step, first_step + 1, …: its settings and the bias corrections
    1 − β1^t and √(1 − β2^t) (torch.optim.Adam's), which depend only on the step t."""
    for i in range(rows.shape[0]):
        t = float(first_step + i)
        row = rows[i]
        row[STEP_LR], row[STEP_WEIGHT_DECAY] = lr, weight_decay
        row[ADAM_BETA1], row[ADAM_BETA2], row[ADAM_EPS] = beta1, beta2, eps
        row[ADAM_DECOUPLED], row[ADAM_AMSGRAD] = 1.0 if decoupled else 0.0, 1.0 if amsgrad else 0.0
        row[ADAM_BIAS_CORRECTION1] = 1.0 - beta1 ** t
        row[ADAM_BIAS_CORRECTION2_SQRT] = math.sqrt(1.0 - beta2 ** t)


@njit(cache=True, nogil=True)
def fill_sgd_scalars(rows: np.ndarray, lr: float, weight_decay: float, momentum: float, dampening: float,
                     nesterov: bool) -> None:
    """SGD's rows: its settings, the same at every step."""
    for i in range(rows.shape[0]):
        row = rows[i]
        row[STEP_LR], row[STEP_WEIGHT_DECAY] = lr, weight_decay
        row[SGD_MOMENTUM], row[SGD_DAMPENING], row[SGD_NESTEROV] = momentum, dampening, 1.0 if nesterov else 0.0


@njit(cache=True, nogil=True)
def fill_rmsprop_scalars(rows: np.ndarray, lr: float, weight_decay: float, alpha: float, eps: float,
                         momentum: float, centered: bool) -> None:
    """RMSprop's rows: its settings, the same at every step."""
    for i in range(rows.shape[0]):
        row = rows[i]
        row[STEP_LR], row[STEP_WEIGHT_DECAY] = lr, weight_decay
        row[RMSPROP_ALPHA], row[RMSPROP_EPS], row[RMSPROP_MOMENTUM] = alpha, eps, momentum
        row[RMSPROP_CENTERED] = 1.0 if centered else 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def fused_update(kind: int, params: np.ndarray, grads: np.ndarray, state: tuple, row: np.ndarray,
                 started: bool) -> bool:
    """One step of optimizer `kind` on `params` in place, from its row of scalars and its state arrays.
    `started`: whether SGD's momentum buffer holds a gradient yet; returns it after the step."""
    if kind == FUSED_ADAM:
        adam_step(params, grads, state[0], state[1], state[2], row[STEP_LR], row[ADAM_BETA1], row[ADAM_BETA2],
                  row[ADAM_EPS], row[STEP_WEIGHT_DECAY], row[ADAM_DECOUPLED] != 0.0, row[ADAM_AMSGRAD] != 0.0,
                  row[ADAM_BIAS_CORRECTION1], row[ADAM_BIAS_CORRECTION2_SQRT])
        return started
    if kind == FUSED_RMSPROP:
        rmsprop_step(params, grads, state[0], state[1], state[2], row[STEP_LR], row[RMSPROP_ALPHA],
                     row[RMSPROP_EPS], row[STEP_WEIGHT_DECAY], row[RMSPROP_MOMENTUM], row[RMSPROP_CENTERED] != 0.0)
        return started
    momentum = row[SGD_MOMENTUM]
    sgd_step(params, grads, state[0], row[STEP_LR], momentum, row[SGD_DAMPENING], row[STEP_WEIGHT_DECAY],
             row[SGD_NESTEROV] != 0.0, not started)
    return started or momentum != 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def guarded_update(kind: int, params: np.ndarray, grads: np.ndarray, state: tuple, row: np.ndarray,
                   started: bool, previous: np.ndarray) -> tuple[bool, bool]:
    """`fused_update`, keeping each old weight in `previous` in the same pass (`core.kernels.guarded_steps`);
    returns (`started` after the step, whether every new weight is finite)."""
    if kind == FUSED_ADAM:
        finite = adam_step_keeping(params, grads, state[0], state[1], state[2], row[STEP_LR], row[ADAM_BETA1],
                                   row[ADAM_BETA2], row[ADAM_EPS], row[STEP_WEIGHT_DECAY],
                                   row[ADAM_DECOUPLED] != 0.0, row[ADAM_AMSGRAD] != 0.0,
                                   row[ADAM_BIAS_CORRECTION1], row[ADAM_BIAS_CORRECTION2_SQRT], previous)
        return started, finite
    if kind == FUSED_RMSPROP:
        finite = rmsprop_step_keeping(params, grads, state[0], state[1], state[2], row[STEP_LR],
                                      row[RMSPROP_ALPHA], row[RMSPROP_EPS], row[STEP_WEIGHT_DECAY],
                                      row[RMSPROP_MOMENTUM], row[RMSPROP_CENTERED] != 0.0, previous)
        return started, finite
    momentum = row[SGD_MOMENTUM]
    finite = sgd_step_keeping(params, grads, state[0], row[STEP_LR], momentum, row[SGD_DAMPENING],
                              row[STEP_WEIGHT_DECAY], row[SGD_NESTEROV] != 0.0, not started, previous)
    return started or momentum != 0.0, finite
