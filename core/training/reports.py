"""`SnapshotReports`: how a run's state becomes a Snapshot: per-layer figures, histograms, the epoch's figures.

A collaborator of the `Trainer`, kept apart so the training loop stays readable. It holds what stays fixed for
a run (the network, the step runner's pre-step weights, the run's counters, the metric's name) and is told the
rest on each call (learning rate, elapsed time, early stopping's best epoch, the epoch record). Per-layer
figures are computed only here, i.e. only when a snapshot is emitted or a divergence is explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from core.kernels.histogram import layer_histograms
from core.training.layer_stats import LayerStats, first_nonfinite_slice, layer_stats, slice_bounds
from core.training.run_counters import RunCounters
from core.training.snapshot import Histogram, Snapshot

if TYPE_CHECKING:
    from core.network import Network
    from core.training.step import StepOutcome, StepRunner


class SnapshotReports:
    """Builds the Trainer's Snapshots and names the layer a divergence started in."""

    def __init__(self, network: Network, steps: StepRunner, counters: RunCounters, metric_name: str):
        self.network, self.steps, self.counters, self.metric_name = network, steps, counters, metric_name
        self._starts, self._stops = slice_bounds(network.layer_param_slices)

    def layer_stats(self) -> LayerStats:
        net = self.network
        return layer_stats(net.params, net.grads, self.steps.previous_params, net.weight_mask, self._starts,
                           self._stops)

    def layer_name(self, outcome: StepOutcome) -> str | None:
        """The first layer whose values went non-finite in the batch that diverged."""
        name = (outcome.locate_layer or self.network.first_nonfinite_layer)()
        if name is None:
            buffer = self.network.grads if not outcome.gradient_finite else outcome.nonfinite_params
            if buffer is not None:
                index = first_nonfinite_slice(buffer, self._starts, self._stops)
                name = self.network.layer_names[index] if index >= 0 else None
        return name

    def histograms(self, values: np.ndarray, bins: int) -> list[Histogram]:
        counts, edges = layer_histograms(values, self._starts, self._stops, bins, mask=self.network.weight_mask)
        return [Histogram(counts[i], edges[i]) for i in range(counts.shape[0])]

    def snapshot(self, kind: str, train_loss: float, *, lr: float, elapsed: float, best_epoch: int | None,
                 batches_per_epoch: int, epoch_end: bool = False, record: Mapping[str, Any] | None = None,
                 confusion: np.ndarray | None = None, histogram_bins: int | None = None) -> Snapshot:
        """A snapshot of the run as it stands; it takes the steps' losses gathered since the previous one.
        `record`: an epoch's history record whose metrics and validation figures it carries (with `confusion`);
        `histogram_bins`: attach weight and gradient histograms with that many bins (None: none)."""
        counters = self.counters
        batch_losses = counters.take_report()
        stats = self.layer_stats()
        snap = Snapshot(
            kind=kind, epoch=counters.epoch, step=counters.step, batches_per_epoch=batches_per_epoch,
            batch_in_epoch=counters.batch_in_epoch if not epoch_end else batches_per_epoch,
            train_loss=float(train_loss), lr=lr, metric_name=self.metric_name,
            layer_names=list(self.network.layer_names), grad_norms=stats.grad_norms,
            grad_mean_abs=stats.grad_mean_abs, weight_norms=stats.weight_norms, update_ratios=stats.update_ratios,
            elapsed=elapsed, samples_per_second=counters.samples_seen / elapsed if elapsed > 0 else 0.0,
            best_epoch=best_epoch, batch_losses=batch_losses)
        if record:
            snap.train_metric, snap.val_loss, snap.val_metric = (record["train_metric"], record["val_loss"],
                                                                 record["val_metric"])
            snap.confusion = confusion
        if histogram_bins is not None:
            snap.weight_histograms = self.histograms(self.network.params, histogram_bins)
            snap.grad_histograms = self.histograms(self.network.grads, histogram_bins)
        return snap
