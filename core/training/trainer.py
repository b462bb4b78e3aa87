"""The Trainer: a generator that trains a Network and yields a Snapshot every k batches, every epoch and at the end.

Driving it: ``for snap in trainer.run(): ...``. Pausing is not calling next(); stepping one batch is setting
``report_every = 1`` and calling next() once; stepping one epoch is calling next() until an "epoch" snapshot.
`stop()`, `set_live(path, value)` and `request_histograms()` may be called from another thread; they take effect
between batches. Time is measured only inside the generator, so a paused run's elapsed time stands still.

One batch, in order: data loss and gradient → L1/L2 terms → finite check (non-finite: restore the last finite
weights and stop with a reason naming the first layer that broke) → clipping → optimizer step → decoupled weight
decay. A loss 10⁴ times its start also counts as divergence (`explosion_factor`). Per-layer figures are computed
only when a snapshot is about to be emitted.

While the generator runs, denormal floats flush to zero on its thread (`core.kernels.float_mode`: an optimizer's
state decaying under zero gradients otherwise slows every step by up to 200×); the caller's mode is put back
whenever it yields.

Plain dense networks train through the fused kernel (`core.training.fast_path` says when): one Numba call runs
the batches up to the next report point or the epoch's end, so controls (stop, live settings) take effect at the
next chunk, which is one batch when reporting every batch and never more than ~10 ms of work otherwise.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from core.kernels.float_mode import flush_denormals, restore_float_mode
from core.spec import Spec, TrainingSpec, with_changes
from core.training.batching import BatchSampler, batch_size_for
from core.training.clock import RunClock
from core.training.divergence import EXPLOSION_FACTOR, divergence_reason, explosion_reason, has_exploded
from core.training.early_stopping import EarlyStopping
from core.training.epoch_end import EpochEvaluator
from core.training.fast_path import fused_path_refusal
from core.training.fused_steps import FusedSteps
from core.training.live_settings import check_live_changes
from core.training.reports import SnapshotReports
from core.training.rng_streams import training_streams
from core.training.run_controls import RunControls
from core.training.run_counters import RunCounters
from core.training.running_metric import RunningMetric
from core.training.snapshot import Snapshot
from core.training.step import StepOutcome, StepRunner
from core.training.trainer_state import load_trainer_state, trainer_state

_NO_VALUE = object()


class Trainer:
    """Trains `network` on `data` with the spec's training settings (or `training`, e.g. for a fork)."""

    def __init__(self, network, data, training: dict[str, Any] | None = None, *, report_every: int = 1,
                 histogram_every: int = 0, histogram_bins: int = 30, confusion: bool = True,
                 fast_path: bool = True):
        from core.spec import SpecError, validate_spec
        if training is None:  # a Network's spec was validated when it was built: not again
            spec = network.spec
        else:  # the caller's own settings (e.g. a fork's): checked here, with the network's layers
            spec = validate_spec({**network.spec, "training": training})
        self._spec: Spec = spec
        for name in ("loss", "huber_delta"):  # the network computes its own loss: the settings must agree
            ours, networks = getattr(self.training, name), getattr(network.spec.training, name)
            if ours != networks:
                raise SpecError(f"training: {name} must match the network's ({networks!r}), got {ours!r}; build "
                                f"the network from a spec with this loss", f"training.{name}")
        self.network, self.data = network, data
        self.report_every, self.histogram_every, self.histogram_bins = report_every, histogram_every, histogram_bins
        # Checked and converted once (dtype, layout, NaN/inf with the row), so the hot loop can skip the checks.
        x_train = network.check_input(data.x_train)
        y_train = network.check_targets(data.y_train, x_train.shape[0])
        streams = training_streams(self.training.seed)
        self.rngs = streams
        self.sampler = BatchSampler(x_train, y_train, batch_size_for(self.training, x_train.shape[0]),
                                    self.training.shuffle, streams["shuffle"])
        self.evaluator = EpochEvaluator(network, data, x_train, y_train, confusion=confusion)
        self.steps = StepRunner(network, self.training, streams["dropout"])
        self.running_metric = RunningMetric(data.task == "classification", network.output_size)
        # The fused kernel trains runs of batches in one call where it applies (see core.training.fast_path);
        # `fast_path_refusal` says why it does not (None when it does).
        self.fast_path_refusal = (fused_path_refusal(network, self.training, self.sampler.batch_size) if fast_path
                                  else "turned off by the caller")
        self.fused = (FusedSteps(network, self.steps, self.sampler, self.running_metric,
                                 streams["dropout"]) if self.fast_path_refusal is None else None)
        self.early_stopping = EarlyStopping(self.training.early_stopping, self.evaluator.has_validation)
        self.counters = RunCounters()  # where the run stands: changed only through its event methods
        self.reports = SnapshotReports(network, self.steps, self.counters, self.evaluator.metric_name)
        self.explosion_factor: float | None = EXPLOSION_FACTOR  # None: only inf/NaN count as divergence
        self.history: list[dict[str, Any]] = []
        self.best_state: dict[str, Any] | None = None
        self._last_confusion: np.ndarray | None = None
        self.clock = RunClock()
        self.controls = RunControls()  # requests from other threads, taken between batches
        self._caller_errors: dict[str, str] | None = None
        self._caller_float_mode: int | None = None  # the caller's floating-point mode, while the generator runs

    @property
    def spec(self) -> Spec:
        """The run's spec: live changes are checked against it and replace it (a Spec never changes in place)."""
        return self._spec

    @spec.setter
    def spec(self, spec: Spec) -> None:
        """Run on with `spec` (e.g. more epochs for the next `run()`): its training settings reach the step too."""
        self._spec = spec
        self.steps.training = spec.training

    @property
    def training(self) -> TrainingSpec:
        """The run's training settings as they stand (live changes included)."""
        return self.spec.training

    # --- thread-safe controls ---------------------------------------------------------------------------------
    def stop(self) -> None:
        """End the run after the current batch (stop_reason "stopped")."""
        self.controls.request_stop()

    def set_live(self, changes: str | Mapping[str, Any], value: Any = _NO_VALUE) -> None:
        """Change live settings by spec path: ``set_live("training.optimizer.lr", 0.01)`` or
        ``set_live({"training.optimizer.lr": 0.01, "training.l2": 1e-4})``. The catalogue's `live` flag says which
        may change (`core.spec.live_paths(trainer.spec)`); checked now (SpecError naming the path), applied
        before the next batch."""
        if isinstance(changes, str):
            if value is _NO_VALUE:
                raise TypeError(f"set_live({changes!r}, value): the value is missing")
            changes = {changes: value}
        elif value is not _NO_VALUE:
            raise TypeError("set_live: give a path and a value, or one mapping of paths to values")
        self.controls.request_live(check_live_changes(self.spec, changes))

    def request_histograms(self) -> None:
        """Attach weight and gradient histograms to the next snapshot."""
        self.controls.request_histograms()

    # --- the run ----------------------------------------------------------------------------------------------
    @property
    def epochs(self) -> int:
        return int(self.training.epochs)

    @property
    def lr(self) -> float:
        return float(self.steps.optimizer.hyper["lr"])

    # Read-only views of the counters (`trainer.counters` holds them all).
    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return self.counters.epoch

    @property
    def step(self) -> int:
        """Optimizer steps (batches) completed."""
        return self.counters.step

    @property
    def samples_seen(self) -> int:
        return self.counters.samples_seen

    @property
    def first_loss(self) -> float | None:
        """The first batch's loss: the yardstick for an exploding loss (None before it)."""
        return self.counters.first_loss

    def run(self) -> Iterator[Snapshot]:
        """Train until the epochs are done, early stopping, stop() or divergence; yield Snapshots on the way."""
        counters = self.counters
        self._resume()
        try:
            stop_reason, diverged, diverged_layer = "completed", False, None
            while counters.epoch < self.epochs and stop_reason == "completed":
                if not counters.epoch_started:  # (a run stopped before an epoch's first batch keeps its order)
                    self.sampler.start_epoch()
                    self.steps.set_epoch_lr(counters.epoch)
                    counters.start_epoch()
                while counters.batch_in_epoch < self.sampler.batches_per_epoch:
                    if self._take_controls():
                        stop_reason = "stopped"
                        break
                    failed = self._train_chunk() if self.fused is not None else self._train_batch()
                    divergence = None if failed is None else self._divergence(failed)
                    if divergence is not None:
                        diverged, (stop_reason, diverged_layer) = True, divergence
                        break
                    if self.report_every > 0 and counters.batches_since_report >= self.report_every:
                        yield self._paused(self._snapshot("batch", counters.last_loss))
                        self._resume()
                if stop_reason != "completed" or counters.batch_in_epoch < self.sampler.batches_per_epoch:
                    break
                should_stop = self._end_epoch()
                record = self.history[-1]
                yield self._paused(self._snapshot("epoch", record["train_loss"], epoch_end=True, record=record,
                                                  confusion=self._last_confusion))
                self._resume()
                if should_stop:
                    stop_reason = "early stopping"
            self.controls.forget_stop()  # a stop that came too late to matter must not end the next run at once
            if self._restores_best(stop_reason):
                self.network.set_state(copy.deepcopy(self.best_state))  # restore_best: the best epoch's weights
                np.copyto(self.steps.previous_params, self.network.params)  # a restore is no update to report
            yield self._paused(self._end_snapshot(stop_reason, diverged, diverged_layer))
        finally:
            self._pause()

    def _resume(self) -> None:
        """Back inside the generator: count time, and silence NumPy's overflow warnings (a diverging run is
        detected and explained by the finite checks instead). Set here rather than per batch: it is cheaper."""
        self.clock.resume()
        if self._caller_errors is None:
            self._caller_errors = np.seterr(over="ignore", invalid="ignore")
            self._caller_float_mode = flush_denormals()  # denormals are 50–200× slower (core.kernels.float_mode)

    def _pause(self) -> None:
        """Leaving the generator: stop the clock and give the caller its own NumPy error settings back."""
        self.clock.pause()
        if self._caller_errors is not None:
            np.seterr(**self._caller_errors)
            self._caller_errors = None
            restore_float_mode(self._caller_float_mode)

    def _paused(self, snapshot: Snapshot) -> Snapshot:
        """Pause for the time the caller holds the snapshot; the generator resumes on next()."""
        self._pause()
        return snapshot

    def _train_batch(self) -> StepOutcome | None:
        """One batch through the general path; its outcome when it may have diverged, else None."""
        x, y = self.sampler.batch(self.counters.batch_in_epoch)
        outcome = self.steps.run_batch(x, y)
        if outcome.diverged or has_exploded(outcome.loss, self.counters.first_loss, self.explosion_factor):
            return outcome
        self.counters.batches_done((outcome.loss,), (x.shape[0],))
        self.running_metric.update(self.network.blocks[-1].last_output, y)
        return None

    def _train_chunk(self) -> StepOutcome | None:
        """Batches up to the next report point or the epoch's end (at most `fused.max_chunk`) in one fused call;
        the outcome of a batch that diverged, else None."""
        counters = self.counters
        count = self.sampler.batches_per_epoch - counters.batch_in_epoch
        if self.report_every > 0:
            count = min(count, max(1, self.report_every - counters.batches_since_report))
        result = self.fused.run(counters.batch_in_epoch, min(count, self.fused.max_chunk), counters.first_loss,
                                self.explosion_factor)
        # The kernel's first loss is the first completed batch's, which batches_done records the same way.
        counters.batches_done(result.losses, result.batch_sizes)
        return result.failed

    def _divergence(self, outcome) -> tuple[str, str | None] | None:
        """(reason, first broken layer) when this batch diverged (the step runner has already restored the last
        finite weights; an exploding loss is rolled back here), else None."""
        epoch, step, first_loss = self.counters.epoch + 1, self.counters.step + 1, self.counters.first_loss
        if outcome.diverged:
            layer = self.reports.layer_name(outcome)
            return divergence_reason(epoch=epoch, step=step, loss=outcome.loss,
                                     gradient_finite=outcome.gradient_finite, layer=layer), layer
        if has_exploded(outcome.loss, first_loss, self.explosion_factor):
            # Nothing is non-finite yet: the layer to name is the one whose weights this step moved the most.
            ratios = np.nan_to_num(self.reports.layer_stats().update_ratios, nan=np.inf)
            layer = self.network.layer_names[int(np.argmax(ratios))]
            self.steps.roll_back()
            return explosion_reason(epoch=epoch, step=step, loss=outcome.loss, first_loss=first_loss,
                                    layer=layer), layer
        return None

    def _take_controls(self) -> bool:
        """Apply pending live changes; True when a stop was requested."""
        pending, stop = self.controls.take()  # a stop ends one run; run() again resumes
        if pending:  # checked when they were queued; the new spec is validated as a whole once more
            self._spec = with_changes(self._spec, pending)
            self.steps.apply_live(self._spec.training, pending, self.counters.epoch)
        return stop

    def _end_epoch(self) -> bool:
        """Evaluate, record history, feed early stopping and the schedule; True when early stopping says stop."""
        results = self.evaluator.evaluate(self.running_metric.value())
        stats = self.reports.layer_stats()
        train_loss = self.counters.epoch_done()
        epoch = self.counters.epoch
        record = {"epoch": epoch, "train_loss": train_loss, "train_metric": results.train_metric,
                  "val_loss": results.val_loss, "val_metric": results.val_metric, "lr": self.lr,
                  "grad_norms": [float(v) for v in stats.grad_norms], "elapsed": self.clock.read(),
                  # what the doctor reads from a saved project (`core.diagnostics.saved_history`), per layer
                  "grad_mean_abs": [float(v) for v in stats.grad_mean_abs],
                  "update_ratios": [float(v) for v in stats.update_ratios]}
        self.history.append(record)
        self._last_confusion = results.confusion
        improved, should_stop = self.early_stopping.update(epoch, self.early_stopping.monitored_value(record))
        if improved and self.early_stopping.enabled and self.early_stopping.restore_best:
            self.best_state = copy.deepcopy(self.network.get_state())
        # Reduce-on-plateau watches a loss (it waits for a decrease): the monitored one, or val loss when the
        # monitor is a metric.
        use_train = self.early_stopping.monitor_used == "train_loss" or results.val_loss is None
        self.steps.epoch_end(epoch - 1, train_loss if use_train else results.val_loss)
        self.running_metric.reset()
        return should_stop

    # --- reports ----------------------------------------------------------------------------------------------
    def _snapshot(self, kind: str, train_loss: float, *, epoch_end: bool = False, record: dict | None = None,
                  confusion: np.ndarray | None = None) -> Snapshot:
        stopper = self.early_stopping
        return self.reports.snapshot(
            kind, train_loss, lr=self.lr, elapsed=self.clock.read(),
            best_epoch=stopper.best_epoch if stopper.enabled else None,
            batches_per_epoch=self.sampler.batches_per_epoch, epoch_end=epoch_end, record=record,
            confusion=confusion, histogram_bins=self.histogram_bins if self._wants_histograms(epoch_end) else None)

    def _wants_histograms(self, epoch_end: bool) -> bool:
        requested = self.controls.take_histogram_request()
        periodic = epoch_end and self.histogram_every > 0 and self.counters.epoch % self.histogram_every == 0
        return requested or periodic

    def _restores_best(self, stop_reason: str) -> bool:
        """Whether the run ends on the best epoch's weights: early stopping with restore_best, and the run
        completed or was stopped early (a user's stop or a divergence keeps the weights as they are)."""
        stopper = self.early_stopping
        return (self.best_state is not None and stopper.enabled and stopper.restore_best
                and stop_reason in ("completed", "early stopping"))

    def _end_snapshot(self, stop_reason: str, diverged: bool, diverged_layer: str | None) -> Snapshot:
        # After restoring the best weights, the end snapshot reports the best epoch's figures.
        restored = self._restores_best(stop_reason)
        record = (self.history[self.early_stopping.best_epoch - 1] if restored
                  else self.history[-1] if self.history else None)
        # Stopped or diverged in the first epoch: the mean over the batches done so far.
        train_loss = record["train_loss"] if record else self.counters.partial_epoch_loss()
        snap = self._snapshot("end", train_loss, record=record, confusion=self._last_confusion)
        if record and restored:
            snap.confusion = self.evaluator.confusion()
        snap.finished, snap.stop_reason = True, stop_reason
        snap.diverged, snap.diverged_layer = diverged, diverged_layer
        return snap

    # --- checkpoints -------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume this run bit for bit: weights, optimizer, schedule, RNGs, counters."""
        return trainer_state(self)

    def load_state_dict(self, state: dict[str, Any], *, keep_settings: bool = False) -> None:
        """Resume from `state_dict()`. keep_settings=True keeps this Trainer's training settings (a fork with
        other settings); otherwise the saved settings, live changes included, come back too."""
        load_trainer_state(self, state, keep_settings=keep_settings)
