"""Per-parameter step sizes from running gradient statistics: RMSprop, Adagrad, Adadelta (PyTorch's algorithms).

RMSprop is fusable (`kernels.fused_update.FUSED_RMSPROP`): the fused dense kernel steps it through its kernel
contract, and its own step runs through that contract too.
"""

from __future__ import annotations


import numpy as np

from core.kernels.fused_update import FUSED_RMSPROP, fill_rmsprop_scalars
from core.kernels.optim_kernels import adadelta_step, adagrad_step
from core.optimizers.base import FusableOptimizer, Optimizer, register


@register
class RMSprop(FusableOptimizer):
    """torch.optim.RMSprop: divide by a running RMS of gradients; optionally centered and with momentum."""

    name = "rmsprop"
    fused_kind = FUSED_RMSPROP

    def _init_state(self) -> None:
        self.state["square_avg"] = self.zeros()
        self.state["grad_avg"] = self.zeros()  # used when centered
        self.state["momentum_buffer"] = self.zeros()  # used when momentum > 0

    def kernel_scalars(self, first_step: int, rows: np.ndarray) -> None:
        h = self.hyper
        fill_rmsprop_scalars(rows, float(h["lr"]), float(h["weight_decay"]), float(h["alpha"]), float(h["eps"]),
                             float(h["momentum"]), bool(h["centered"]))

    def kernel_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.state["square_avg"], self.state["grad_avg"], self.state["momentum_buffer"]


@register
class Adagrad(Optimizer):
    """torch.optim.Adagrad: the sum of all squared gradients shrinks each parameter's step."""

    name = "adagrad"

    def _init_state(self) -> None:
        self.state["sum"] = np.full_like(self.params, self.hyper["initial_accumulator_value"])

    def _update(self, grads: np.ndarray) -> None:
        h = self.hyper
        decayed_lr = float(h["lr"]) / (1.0 + (self.steps - 1) * float(h["lr_decay"]))
        adagrad_step(self.params, grads, self.state["sum"], decayed_lr, float(h["eps"]), float(h["weight_decay"]))


@register
class Adadelta(Optimizer):
    """torch.optim.Adadelta: RMS of past updates over RMS of gradients, times lr."""

    name = "adadelta"

    def _init_state(self) -> None:
        self.state["square_avg"] = self.zeros()
        self.state["acc_delta"] = self.zeros()

    def _update(self, grads: np.ndarray) -> None:
        h = self.hyper
        adadelta_step(self.params, grads, self.state["square_avg"], self.state["acc_delta"], float(h["lr"]),
                      float(h["rho"]), float(h["eps"]), float(h["weight_decay"]))


__all__ = ["RMSprop", "Adagrad", "Adadelta"]
