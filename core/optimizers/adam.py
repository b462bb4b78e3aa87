"""The Adam family: Adam (± AMSGrad), AdamW (decoupled decay), Adamax (infinity norm), NAdam (Nesterov momentum).

Bias corrections and NAdam's momentum schedule depend only on the step count; they are computed here and passed
to one fused kernel per step. The arithmetic follows torch.optim's single-tensor implementations. Adam and AdamW
are fusable (`kernels.fused_update.FUSED_ADAM`): the fused dense kernel steps them through their kernel contract.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.kernels.fused_update import FUSED_ADAM, fill_adam_scalars
from core.kernels.optim_kernels import adamax_step, nadam_step
from core.optimizers.base import FusableOptimizer, Optimizer, register


@register
class Adam(FusableOptimizer):
    """torch.optim.Adam: bias-corrected first and second moments; `weight_decay` is coupled (grad += wd·w)."""

    name = "adam"
    fused_kind = FUSED_ADAM
    decoupled = False

    def _init_state(self) -> None:
        self.state["exp_avg"] = self.zeros()
        self.state["exp_avg_sq"] = self.zeros()
        # AMSGrad's running maximum; an empty array when off, so the memory is not spent
        self.state["max_exp_avg_sq"] = self.zeros() if self.hyper["amsgrad"] else self.params[:0].copy()

    def kernel_scalars(self, first_step: int, rows: np.ndarray) -> None:
        h = self.hyper
        fill_adam_scalars(rows, first_step, float(h["lr"]), float(h["weight_decay"]), float(h["beta1"]),
                          float(h["beta2"]), float(h["eps"]), self.decoupled, bool(h["amsgrad"]))

    def kernel_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.state["exp_avg"], self.state["exp_avg_sq"], self.state["max_exp_avg_sq"]


@register
class AdamW(Adam):
    """torch.optim.AdamW: Adam whose weight decay shrinks the weights directly (w *= 1 − lr·wd)."""

    name = "adamw"
    decoupled = True


@register
class Adamax(Optimizer):
    """torch.optim.Adamax: Adam with the infinity norm (a decayed running maximum of |g|)."""

    name = "adamax"

    def _init_state(self) -> None:
        self.state["exp_avg"] = self.zeros()
        self.state["exp_inf"] = self.zeros()

    def _update(self, grads: np.ndarray) -> None:
        h = self.hyper
        beta1 = float(h["beta1"])
        corrected_lr = float(h["lr"]) / (1.0 - beta1 ** self.steps)
        adamax_step(self.params, grads, self.state["exp_avg"], self.state["exp_inf"], corrected_lr, beta1,
                    float(h["beta2"]), float(h["eps"]), float(h["weight_decay"]))


@register
class NAdam(Optimizer):
    """torch.optim.NAdam (coupled weight decay): Adam with a Nesterov look-ahead on a warming momentum μ_t."""

    name = "nadam"

    def _init_state(self) -> None:
        self.state["exp_avg"] = self.zeros()
        self.state["exp_avg_sq"] = self.zeros()
        self.mu_product = 1.0  # Π μ_i over the steps so far

    def _momentum_at(self, step: int) -> float:
        h = self.hyper
        return float(h["beta1"]) * (1.0 - 0.5 * 0.96 ** (step * float(h["momentum_decay"])))

    def _update(self, grads: np.ndarray) -> None:
        h = self.hyper
        lr, t = float(h["lr"]), self.steps
        mu, mu_next = self._momentum_at(t), self._momentum_at(t + 1)
        self.mu_product *= mu
        grad_coef = -lr * (1.0 - mu) / (1.0 - self.mu_product)
        momentum_coef = -lr * mu_next / (1.0 - self.mu_product * mu_next)
        nadam_step(self.params, grads, self.state["exp_avg"], self.state["exp_avg_sq"], float(h["beta1"]),
                   float(h["beta2"]), float(h["eps"]), float(h["weight_decay"]),
                   1.0 - float(h["beta2"]) ** t, grad_coef, momentum_coef)

    def _scalars(self) -> dict[str, Any]:
        return {"mu_product": self.mu_product}

    def _load_scalars(self, scalars: dict[str, Any]) -> None:
        self.mu_product = float(scalars.get("mu_product", 1.0))


__all__ = ["Adam", "AdamW", "Adamax", "NAdam"]
