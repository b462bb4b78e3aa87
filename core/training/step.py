"""One training step on one batch, and the optimizer, schedule and regularisation settings it uses.

Order: data loss and gradient → L1/L2 terms (weights only) → finite check → clipping → optimizer step →
decoupled weight decay. Once the loss and gradient are found finite, the weights (and batch-norm running
statistics) are copied to `previous_params`/`previous_buffers` before stepping; that copy serves the update ratios
‖Δw‖/‖w‖ and, when a later loss, gradient or step goes non-finite, the restore of the last weights whose loss
was finite. So between steps the weights are always finite.

With SGD, RMSprop or Adam and neither clipping nor decoupled weight decay between them, the copy, the step and
the check of the new weights are one pass (`FusableOptimizer.guarded_step`), with the same values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.kernels.batch_reductions import all_finite
from core.spec import SpecError, TrainingSpec, parse_path


@dataclass
class StepOutcome:
    loss: float  # data loss + L1/L2 terms of this batch
    diverged: bool = False
    gradient_finite: bool = True
    nonfinite_params: np.ndarray | None = None  # a copy of the broken weights, to locate the first bad layer
    locate_layer: Callable[[], str | None] | None = None  # finds the first non-finite layer (default: the network's)


class StepRunner:
    """Owns the optimizer and schedule of a run and performs its steps."""

    def __init__(self, network, training: TrainingSpec, dropout_rng: np.random.Generator):
        from core.optimizers import make_optimizer
        from core.schedules import make_schedule
        self.network = network
        self.training = training  # the run's settings; a live change replaces them (they never change in place)
        self.dropout_rng = dropout_rng
        self.optimizer = make_optimizer(training, network.params)
        self.schedule = make_schedule(training)
        self.is_lbfgs = training.optimizer.name == "lbfgs"
        self.guarded_step = getattr(self.optimizer, "guarded_step", None)  # a FusableOptimizer's one-pass step
        self.previous_params = network.params.copy()
        self.weight_mask = np.asarray(network.weight_mask, dtype=bool)  # the regularizers want a boolean mask
        self._has_buffers = network.buffers.size > 0  # batch-norm running statistics
        self.previous_buffers = network.buffers.copy()
        self._clip_views: list[tuple[np.ndarray, np.ndarray]] | None = None  # built when AGC first needs them

    # --- settings ---------------------------------------------------------------------------------------------
    def set_epoch_lr(self, epoch0: int) -> None:
        self.optimizer.hyper["lr"] = float(self.schedule.lr_for_epoch(epoch0))

    def epoch_end(self, epoch0: int, monitored: float) -> None:
        self.schedule.epoch_end(epoch0, monitored)

    def apply_live(self, training: TrainingSpec, changes: Mapping[str, Any], epoch0: int) -> None:
        """Take `training`, the run's settings with the checked live changes {spec path: value} applied
        (core.training.live_settings); the step, the fused chunks and a checkpoint read them from here. An
        optimizer field also reaches the optimizer's hyperparameters, and a new learning rate becomes the
        schedule's base η."""
        self.training = training
        for path, value in changes.items():
            parts = parse_path(path)
            if parts[0] != "training":  # pragma: no cover - every live setting is a training setting
                raise SpecError(f"{path}: only training settings change live", path)
            if parts[1:-1] == ("optimizer",):
                if parts[-1] == "lr":  # a new base rate η: the schedule keeps shaping it (decays, warm-up, cuts)
                    self.schedule.set_base_lr(value)
                    self.set_epoch_lr(epoch0)
                else:
                    self.optimizer.hyper[parts[-1]] = value

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
        if t.l1 or t.l2:
            from core.regularizers import regularization_loss_and_grad
            loss += float(regularization_loss_and_grad(net.params, net.grads, self.weight_mask, t.l1, t.l2))
        return loss

    def run_batch(self, x: np.ndarray, y: np.ndarray) -> StepOutcome:
        net, t = self.network, self.training
        params = net.params
        if self.is_lbfgs:  # the closure runs inside the step: save first
            self._save_last_finite()
            loss = float(self.optimizer.step(lambda: (self._loss_and_grad(x, y), net.grads)))
            gradient_finite = all_finite(net.grads)
            if not math.isfinite(loss) or not gradient_finite:
                return self._diverge(loss, gradient_finite)
        else:
            loss = self._loss_and_grad(x, y)
            gradient_finite = all_finite(net.grads)
            if not (math.isfinite(loss) and gradient_finite):
                return self._diverge(loss, gradient_finite)
            if self.guarded_step is not None and t.clipping.mode == "none" and not t.decoupled_weight_decay:
                if self._has_buffers:
                    np.copyto(self.previous_buffers, net.buffers)
                if not self.guarded_step(net.grads, self.previous_params):
                    return self._diverge(loss, gradient_finite, broken=params.copy())
                return StepOutcome(loss)
            self._save_last_finite()
            clipping = t.clipping
            if clipping.mode != "none":
                from core.clipping import clip_gradients
                if clipping.mode == "agc" and self._clip_views is None:
                    self._clip_views = self._weight_views()
                clip_gradients(net.grads, clipping.mode, clipping.value, params=params,
                               layer_weight_views=self._clip_views)
            self.optimizer.step(net.grads)
        if t.decoupled_weight_decay:
            from core.regularizers import apply_decoupled_weight_decay
            apply_decoupled_weight_decay(params, self.weight_mask, float(self.optimizer.hyper["lr"]),
                                         t.decoupled_weight_decay)
        if not all_finite(params):
            return self._diverge(loss, gradient_finite, broken=params.copy())
        return StepOutcome(loss)

    def _save_last_finite(self) -> None:
        """Keep the weights (and batch-norm statistics) whose loss was just found finite, before stepping."""
        np.copyto(self.previous_params, self.network.params)
        if self._has_buffers:
            np.copyto(self.previous_buffers, self.network.buffers)

    def roll_back(self) -> None:
        """Put back the weights (and batch-norm statistics) saved before the last step."""
        np.copyto(self.network.params, self.previous_params)
        if self._has_buffers:
            np.copyto(self.network.buffers, self.previous_buffers)

    def _diverge(self, loss: float, gradient_finite: bool, broken: np.ndarray | None = None) -> StepOutcome:
        """Put back the last weights whose loss and gradient were finite (those saved before the last step)."""
        self.roll_back()
        return StepOutcome(loss, diverged=True, gradient_finite=gradient_finite, nonfinite_params=broken)
