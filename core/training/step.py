"""One training step on one batch, and the optimizer, schedule and regularisation settings it uses.

Order: data loss and gradient → L1/L2 terms (weights only) → finite check → clipping → optimizer step →
decoupled weight decay. Before every step the parameters are copied to `previous_params`; that copy serves the
update ratios ‖Δw‖/‖w‖ and, when a step produces non-finite weights, the restore of the last finite ones. The
network's buffers (batch-norm running statistics) are saved before the forward pass for the same reason.
The invariant: between steps the weights are always finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.training.layer_stats import all_finite


@dataclass
class StepOutcome:
    loss: float  # data loss + L1/L2 terms of this batch
    diverged: bool = False
    gradient_finite: bool = True
    nonfinite_params: np.ndarray | None = None  # a copy of the broken weights, to locate the first bad layer


def _copy_buffers(buffers: Any) -> Any:
    if isinstance(buffers, np.ndarray):
        return buffers.copy()
    if isinstance(buffers, dict):
        return {k: np.array(v, copy=True) for k, v in buffers.items()}
    return [np.array(v, copy=True) for v in (buffers or [])]


def _restore_buffers(target: Any, saved: Any) -> None:
    if isinstance(target, np.ndarray):
        target[...] = saved
    elif isinstance(target, dict):
        for k, v in saved.items():
            target[k][...] = v
    else:
        for t, v in zip(target or [], saved):
            t[...] = v


class StepRunner:
    """Owns the optimizer and schedule of a run and performs its steps."""

    def __init__(self, network, training: dict[str, Any], dropout_rng: np.random.Generator):
        from core.optimizers import make_optimizer
        from core.schedules import make_schedule
        self.network = network
        self.training = training
        self.dropout_rng = dropout_rng
        self.optimizer = make_optimizer(training, network.params)
        self.schedule = make_schedule(training)
        self.is_lbfgs = training["optimizer"]["name"] == "lbfgs"
        self.previous_params = network.params.copy()
        self.weight_mask = np.asarray(network.weight_mask, dtype=bool)  # the regularizers want a boolean mask
        self._has_buffers = bool(np.size(network.buffers) if isinstance(network.buffers, np.ndarray)
                                 else network.buffers)
        self._clip_views = self._weight_views() if training["clipping"]["mode"] == "agc" else []

    # --- settings ---------------------------------------------------------------------------------------------
    def set_epoch_lr(self, epoch0: int) -> None:
        self.optimizer.hyper["lr"] = float(self.schedule.lr_for_epoch(epoch0))

    def epoch_end(self, epoch0: int, monitored: float) -> None:
        self.schedule.epoch_end(epoch0, monitored)

    def apply_live(self, changes: dict[str, Any], epoch0: int) -> None:
        """Apply validated live changes (the training dict already holds them)."""
        for name in ("weight_decay", "momentum"):
            if name in changes:
                self.optimizer.hyper[name] = changes[name]
        if "lr" in changes:  # a new base rate: the schedule keeps shaping it from here on
            from core.schedules import make_schedule
            if hasattr(self.schedule, "base_lr"):
                self.schedule.base_lr = changes["lr"]
                if hasattr(self.schedule, "current_lr"):  # reduce-on-plateau: the user's rate replaces its own
                    self.schedule.current_lr = changes["lr"]
            else:
                self.schedule = make_schedule(self.training, base_lr=changes["lr"])
            self.set_epoch_lr(epoch0)

    def _weight_views(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W, dW) view pairs per layer, for adaptive clipping: dW is found at W's offset in the flat buffer."""
        net = self.network
        base, itemsize = net.params.ctypes.data, net.params.itemsize
        views = []
        for name, view in net.parameters():
            if name.endswith(".weight"):
                offset = (view.ctypes.data - base) // itemsize
                views.append((view, net.grads[offset:offset + view.size].reshape(view.shape)))
        return views

    # --- the step ---------------------------------------------------------------------------------------------
    def _loss_and_grad(self, x: np.ndarray, y: np.ndarray) -> float:
        net, t = self.network, self.training
        loss = float(net.loss_and_grad(x, y, training=True, rng=self.dropout_rng, check=False))
        if t["l1"] or t["l2"]:
            from core.regularizers import regularization_loss_and_grad
            loss += float(regularization_loss_and_grad(net.params, net.grads, self.weight_mask, t["l1"], t["l2"]))
        return loss

    def run_batch(self, x: np.ndarray, y: np.ndarray) -> StepOutcome:
        net, t = self.network, self.training
        params = net.params
        np.copyto(self.previous_params, params)
        saved_buffers = _copy_buffers(net.buffers) if self._has_buffers else None
        if self.is_lbfgs:
            loss = float(self.optimizer.step(lambda: (self._loss_and_grad(x, y), net.grads)))
            gradient_finite = all_finite(net.grads)
            if not math.isfinite(loss) or not gradient_finite:
                return self._diverge(loss, gradient_finite, saved_buffers)
        else:
            loss = self._loss_and_grad(x, y)
            gradient_finite = all_finite(net.grads)
            if not (math.isfinite(loss) and gradient_finite):
                return self._diverge(loss, gradient_finite, saved_buffers)
            clipping = t["clipping"]
            if clipping["mode"] != "none":
                from core.clipping import clip_gradients
                clip_gradients(net.grads, clipping["mode"], clipping["value"], params=params,
                               layer_weight_views=self._clip_views)
            self.optimizer.step(net.grads)
        if t["decoupled_weight_decay"]:
            from core.regularizers import apply_decoupled_weight_decay
            apply_decoupled_weight_decay(params, self.weight_mask, float(self.optimizer.hyper["lr"]),
                                         t["decoupled_weight_decay"])
        if not all_finite(params):
            return self._diverge(loss, gradient_finite, saved_buffers, broken=params.copy())
        return StepOutcome(loss)

    def _diverge(self, loss: float, gradient_finite: bool, saved_buffers: Any,
                 broken: np.ndarray | None = None) -> StepOutcome:
        """Put back the weights (and buffers) from before this step: the last finite ones."""
        np.copyto(self.network.params, self.previous_params)
        if saved_buffers is not None:
            _restore_buffers(self.network.buffers, saved_buffers)
        return StepOutcome(loss, diverged=True, gradient_finite=gradient_finite, nonfinite_params=broken)
