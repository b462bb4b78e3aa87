"""Per-parameter step sizes from running gradient statistics: RMSprop, Adagrad, Adadelta (PyTorch's algorithms)."""

from __future__ import annotations


import numpy as np

from core.kernels.optim_kernels import adadelta_step, adagrad_step, rmsprop_step
from core.optimizers.base import Optimizer, register


@register
class RMSprop(Optimizer):
    """torch.optim.RMSprop: divide by a running RMS of gradients; optionally centered and with momentum."""

    name = "rmsprop"

    def _init_state(self) -> None:
        self.state["square_avg"] = self.zeros()
        self.state["grad_avg"] = self.zeros()  # used when centered
        self.state["momentum_buffer"] = self.zeros()  # used when momentum > 0

    def _update(self, grads: np.ndarray) -> None:
        h = self.hyper
        rmsprop_step(self.params, grads, self.state["square_avg"], self.state["grad_avg"],
                     self.state["momentum_buffer"], float(h["lr"]), float(h["alpha"]), float(h["eps"]),
                     float(h["weight_decay"]), float(h["momentum"]), bool(h["centered"]))


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
