"""How the Trainer turns its state into Snapshots: per-layer figures, histograms on request, the end report.

A mixin of `Trainer` (it reads the trainer's counters, network and evaluator), kept apart so the training loop
stays readable. Per-layer figures are computed only here, i.e. only when a snapshot is emitted.
"""

from __future__ import annotations

import numpy as np

from core.kernels.histogram import layer_histograms
from core.training.layer_stats import LayerStats, first_nonfinite_slice, layer_stats
from core.training.snapshot import Histogram, Snapshot


class SnapshotReports:
    """Snapshot building for `Trainer`."""

    def _restores_best(self, stop_reason: str) -> bool:
        """Whether the run ends on the best epoch's weights: early stopping with restore_best, and the run
        completed or was stopped early (a user's stop or a divergence keeps the weights as they are)."""
        stopper = self.early_stopping
        return (self.best_state is not None and stopper.enabled and stopper.restore_best
                and stop_reason in ("completed", "early stopping"))

    def _layer_stats(self) -> LayerStats:
        net = self.network
        return layer_stats(net.params, net.grads, self.steps.previous_params, net.weight_mask, self._starts,
                           self._stops)

    def _layer_name(self, outcome) -> str | None:
        name = (outcome.locate_layer or self.network.first_nonfinite_layer)()
        if name is None:
            buffer = self.network.grads if not outcome.gradient_finite else outcome.nonfinite_params
            if buffer is not None:
                index = first_nonfinite_slice(buffer, self._starts, self._stops)
                name = self.network.layer_names[index] if index >= 0 else None
        return name

    def _wants_histograms(self, epoch_end: bool) -> bool:
        with self._lock:
            requested, self._histograms_requested = self._histograms_requested, False
        periodic = epoch_end and self.histogram_every > 0 and self.epoch % self.histogram_every == 0
        return requested or periodic

    def _histograms(self, values: np.ndarray) -> list[Histogram]:
        counts, edges = layer_histograms(values, self._starts, self._stops, self.histogram_bins,
                                         mask=self.network.weight_mask)
        return [Histogram(counts[i], edges[i]) for i in range(counts.shape[0])]

    def _snapshot(self, kind: str, train_loss: float, epoch_end: bool = False) -> Snapshot:
        self.batches_since_report = 0
        stats = self._layer_stats()
        elapsed = self.clock.read()
        snap = Snapshot(
            kind=kind, epoch=self.epoch, step=self.step, batches_per_epoch=self.sampler.batches_per_epoch,
            batch_in_epoch=self.batch_in_epoch if not epoch_end else self.sampler.batches_per_epoch,
            train_loss=float(train_loss), lr=self.lr, metric_name=self.evaluator.metric_name,
            layer_names=list(self.network.layer_names), grad_norms=stats.grad_norms,
            grad_mean_abs=stats.grad_mean_abs, weight_norms=stats.weight_norms, update_ratios=stats.update_ratios,
            elapsed=elapsed, samples_per_second=self.samples_seen / elapsed if elapsed > 0 else 0.0,
            best_epoch=self.early_stopping.best_epoch if self.early_stopping.enabled else None,
            batch_losses=self.step_losses.take())
        if epoch_end:
            record = self.history[-1]
            snap.train_metric, snap.val_loss, snap.val_metric = (record["train_metric"], record["val_loss"],
                                                                 record["val_metric"])
            snap.confusion = self._last_confusion
        if self._wants_histograms(epoch_end):
            snap.weight_histograms = self._histograms(self.network.params)
            snap.grad_histograms = self._histograms(self.network.grads)
        return snap

    def _end_snapshot(self, stop_reason: str, diverged: bool, diverged_layer: str | None) -> Snapshot:
        # After restoring the best weights, the end snapshot reports the best epoch's figures.
        restored = self._restores_best(stop_reason)
        record = (self.history[self.early_stopping.best_epoch - 1] if restored
                  else self.history[-1] if self.history else None)
        if record:
            train_loss = record["train_loss"]
        else:  # stopped or diverged in the first epoch: the mean over the batches done so far
            train_loss = self.epoch_loss_sum / self.epoch_samples if self.epoch_samples else float("nan")
        snap = self._snapshot("end", train_loss, epoch_end=False)
        if record:
            snap.train_metric, snap.val_loss, snap.val_metric = (record["train_metric"], record["val_loss"],
                                                                 record["val_metric"])
            snap.confusion = self.evaluator.confusion() if restored else self._last_confusion
        snap.finished, snap.stop_reason = True, stop_reason
        snap.diverged, snap.diverged_layer = diverged, diverged_layer
        return snap
