"""`ScrubRun`: one recorded run opened for scrubbing; `view(epoch)` rebuilds the run at a checkpoint.

    run = ScrubRun.open(store_path, run_id)        # the spec, the data (hash checked), the checkpoints' index
    for point in run.timeline:                      # epoch 0 (the initial weights), every kept checkpoint, and
                                                    # the final weights when the last epoch kept no checkpoint
        view = run.view(point.epoch)                # weights, gradient flow and decision boundary at that epoch
    run.close()

At a checkpoint the run's network (rebuilt from its recorded spec) holds the checkpoint's weights, and the view
carries what the studio's scrub draws:
- each layer's W, b (γ, β) as named views (`core.network.layout.layer_views`: core owns the layout) into a copy of
  the checkpoint's parameters, each layer's W as a histogram over fixed edges (the same for every checkpoint);
- the gradient of one forward and backward pass on a fixed batch of the run's training rows (`RunData.batch_x`):
  batch norm in training mode (batch statistics, as a training step sees them), dropout with a fixed mask (the
  same draws at every checkpoint, from a stream of their own), the data loss plus the L1/L2 terms on the weights
  as a training step adds them, before clipping; per layer its L2 norm and mean |g| (`core.training.layer_stats`,
  the figures a live run's gradient-flow plot shows);
- for data of one or two inputs, the network's outputs over the grid the studio's decision-boundary plot draws
  (`core.network.grid_prediction`, evaluation mode: running statistics, no dropout).
One `ScrubRun` is used by one thread at a time (it owns one network); `view` may run on any thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.memory_budget import MemoryBudgetError
from core.network import Network, NetworkError
from core.network.grid_prediction import GridPrediction, GridPredictor
from core.network.layout import LayerParams, layer_views
from core.regularizers import regularization_loss_and_grad
from core.runs import EpochRow, RunStore, RunStoreError, RunSummary
from core.scrub.checkpoint_weights import checked_state, load_checkpoint
from core.scrub.errors import ScrubError
from core.scrub.run_data import RunData, load_run_data
from core.spec import SpecError
from core.training.layer_stats import LayerStats, layer_stats, slice_bounds
from core.training.snapshot import Snapshot

HISTOGRAM_BINS = 40
_DROPOUT_STREAM = 7  # the fixed dropout masks' stream (the network's own is 1): the same at every checkpoint


@dataclass(frozen=True)
class TimelinePoint:
    """A point of the scrub's timeline: the initial weights (epoch 0) or a kept checkpoint."""

    epoch: int
    best: bool = False  # the checkpoint that held the best monitored loss when the run ended
    final: bool = False  # the run's final weights, at its last epoch, which kept no checkpoint of its own


@dataclass(frozen=True)
class CheckpointView:
    """The run at one point of its timeline (arrays are the view's own: keep them, share them read-only)."""

    epoch: int
    best: bool
    layer_names: list[str]
    layers: list[LayerParams]  # per layer: weight (fan_in, units), bias, gamma/beta: views into `params`
    params: np.ndarray  # the checkpoint's flat parameters (the network's dtype)
    weight_histograms: list[tuple[np.ndarray, np.ndarray]]  # per layer: (counts, edges) of W over fixed edges
    grad_norms: np.ndarray  # per layer: the L2 norm of its gradient (W, b, γ, β together)
    grad_mean_abs: np.ndarray  # per layer: mean |gradient|
    weight_norms: np.ndarray  # per layer: the L2 norm of W
    batch_loss: float  # the loss on the fixed batch (training mode, with L1/L2 terms)
    batch_rows: int
    prediction: GridPrediction | None  # outputs over the data's plane (None: the data has not 1 or 2 inputs)

    def snapshot(self) -> Snapshot:
        """The gradient figures as a training `Snapshot` (x = the epoch), as a live run's plots take them."""
        return _snapshot(self.epoch, self.layer_names, self.batch_loss, self.grad_norms, self.grad_mean_abs,
                         self.weight_norms)


def _snapshot(epoch: int, layer_names: list[str], loss: float, grad_norms: np.ndarray, grad_mean_abs: np.ndarray,
              weight_norms: np.ndarray) -> Snapshot:
    """A Snapshot whose step is the epoch (one step an epoch), so a plot's x axis counts epochs."""
    return Snapshot(kind="epoch", epoch=epoch, step=epoch, batches_per_epoch=1, batch_in_epoch=1, train_loss=loss,
                    lr=float("nan"), metric_name="", layer_names=list(layer_names), grad_norms=grad_norms.copy(),
                    grad_mean_abs=grad_mean_abs.copy(), weight_norms=weight_norms.copy())


class ScrubRun:
    """A recorded run, its network and data, ready to show any of its checkpoints. Build it with `open`."""

    def __init__(self, store: RunStore, summary: RunSummary, network: Network, data: RunData,
                 timeline: list[TimelinePoint], listed: dict[int, list[int]], limits: list[float]):
        self.store, self.summary, self.network, self.data = store, summary, network, data
        self.timeline = timeline
        self.weight_limits = limits  # per layer: max |W| over the initial and final weights (fixed colour scales)
        self._listed = listed  # epoch → the sizes the store lists for its checkpoint rows
        self._initial: dict[str, np.ndarray] | None = None
        self._final: tuple[int, dict[str, np.ndarray]] | None = None  # (epoch, weights) of a final point
        self.epoch_rows: dict[int, EpochRow] = {}  # the figures recorded at each epoch's end
        self._predictor = GridPredictor(data.grid, data.prepared.preprocess) if data.grid is not None else None
        self._starts, self._stops = slice_bounds(network.layer_param_slices)

    @property
    def run_id(self) -> int:
        return self.summary.id

    @property
    def where(self) -> str:
        return f"{self.store.path.name}: run {self.summary.id}"

    @classmethod
    def open(cls, store_path: str | Path, run_id: int) -> ScrubRun:
        """Open the run `run_id` of the store at `store_path`; ScrubError (one line) when it can't be scrubbed."""
        if not Path(store_path).exists():  # RunStore.open would make a new, empty store there
            raise ScrubError(f"{store_path}: no run store is there")
        try:
            store = RunStore.open(store_path)
        except RunStoreError as error:
            raise ScrubError(str(error)) from None
        try:
            return cls._build(store, int(run_id))
        except BaseException:
            store.close()
            raise

    @classmethod
    def _build(cls, store: RunStore, run_id: int) -> ScrubRun:
        where = f"{store.path.name}: run {run_id}"
        try:
            record = store.load_run(run_id)
        except RunStoreError as error:
            raise ScrubError(str(error)) from None
        try:
            network = Network.from_spec(record.spec)
        except (SpecError, NetworkError, MemoryBudgetError) as error:
            raise ScrubError(f"{where}: its recorded network can't be rebuilt: {error}") from None
        spec = network.spec
        data = load_run_data(record.data_ref, record.data_hash, spec, where)
        initial, final = (checked_state(weights, spec, f"{where}, {role} weights") if weights is not None else None
                          for role, weights in (("initial", record.initial_weights), ("final", record.final_weights)))
        listed: dict[int, list[int]] = {}
        best_epochs = set()
        for info in record.checkpoints:
            listed.setdefault(info.epoch, []).append(info.nbytes)
            if info.best:
                best_epochs.add(info.epoch)
        timeline = ([TimelinePoint(0)] if initial is not None else []) + [
            TimelinePoint(epoch, epoch in best_epochs) for epoch in sorted(listed) if epoch > 0]
        final_epoch = _final_point_epoch(record.summary, spec, listed, final)
        if final_epoch is not None:
            timeline.append(TimelinePoint(final_epoch, final=True))
        if not timeline:
            raise ScrubError(f"{where}: keeps no weights to show (no initial weights, no checkpoint)")
        limits = _weight_limits(spec, [state for state in (initial, final) if state is not None])
        run = cls(store, record.summary, network, data, timeline, listed, limits)
        run._initial = initial
        run._final = (final_epoch, final) if final_epoch is not None and final is not None else None
        run.epoch_rows = {row.epoch: row for row in record.epochs}
        return run

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> ScrubRun:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    @property
    def epochs(self) -> list[int]:
        return [point.epoch for point in self.timeline]

    def weights(self, epoch: int) -> dict[str, np.ndarray]:
        """The checked state at a point of the timeline (epoch 0: the initial weights)."""
        if epoch == 0 and self._initial is not None:
            return self._initial
        if self._final is not None and epoch == self._final[0]:
            return self._final[1]
        if epoch not in self._listed:
            raise ScrubError(f"{self.where} keeps no checkpoint at epoch {epoch}")
        return load_checkpoint(self.store, self.run_id, epoch, self._listed[epoch], self.network.spec,
                               f"{self.where}, checkpoint at epoch {epoch}")

    def view(self, epoch: int) -> CheckpointView:
        """The run at `epoch` (a point of `timeline`); ScrubError when its checkpoint is missing or damaged."""
        network = self.network
        network.set_state(self.weights(epoch))
        # Evaluation mode first: the training-mode pass below moves the batch-norm running statistics.
        prediction = self._predictor.predict(network, 0, epoch) if self._predictor is not None else None
        loss, stats = self._gradient()
        params = network.params.copy()
        layers = layer_views(network.spec, params)
        histograms = [np.histogram(layer.weight, bins=HISTOGRAM_BINS, range=(-limit, limit))
                      for layer, limit in zip(layers, self.weight_limits)]
        best = any(point.best for point in self.timeline if point.epoch == epoch)
        return CheckpointView(epoch, best, list(network.layer_names), layers, params, histograms, stats.grad_norms,
                              stats.grad_mean_abs, stats.weight_norms, loss, int(self.data.batch_x.shape[0]),
                              prediction)

    def gradient_snapshot(self, epoch: int) -> Snapshot:
        """Only the gradient figures at `epoch` (no grid, no copies): the timeline's gradient flow, point by
        point. The same figures as `view(epoch).snapshot()`."""
        self.network.set_state(self.weights(epoch))
        loss, stats = self._gradient()
        return _snapshot(epoch, list(self.network.layer_names), loss, stats.grad_norms, stats.grad_mean_abs,
                         stats.weight_norms)

    def _gradient(self) -> tuple[float, LayerStats]:
        """One forward and backward pass on the fixed batch, as a training step computes its gradient: the loss
        and the per-layer figures."""
        network, training = self.network, self.network.spec.training
        x = network.check_input(self.data.batch_x)
        y = network.check_targets(self.data.batch_y, x.shape[0])
        masks = np.random.default_rng([network.seed, _DROPOUT_STREAM])  # the same masks at every checkpoint
        loss = float(network.loss_and_grad(x, y, training=True, rng=masks, check=False))
        if training.l1 or training.l2:
            loss += float(regularization_loss_and_grad(network.params, network.grads,
                                                       np.asarray(network.weight_mask, dtype=bool),
                                                       training.l1, training.l2))
        return loss, layer_stats(network.params, network.grads, network.params, network.weight_mask, self._starts,
                                 self._stops)


def _final_point_epoch(summary: RunSummary, spec: Any, listed: dict[int, list[int]],
                       final: dict[str, np.ndarray] | None) -> int | None:
    """The epoch to show the run's final weights at, when its last epoch kept no checkpoint (e.g. 57 epochs with
    a checkpoint every 5): the run's end would be missing from the timeline otherwise. None when that epoch has a
    checkpoint, or when the final weights are the best epoch's restored by early stopping (that checkpoint is on
    the timeline already)."""
    epoch = summary.epochs
    if final is None or epoch < 1 or epoch in listed:
        return None
    if summary.stop_reason == "early stopping" and spec.training.early_stopping.restore_best:
        return None
    return epoch


def _weight_limits(spec: Any, states: list[dict[str, np.ndarray]]) -> list[float]:
    """Per layer, the largest |W| over `states`: one colour scale and one set of histogram edges for the whole
    timeline, so a change between checkpoints shows (a checkpoint beyond it is clipped to it)."""
    limits = np.zeros(len(spec.layers))
    for state in states:
        for i, layer in enumerate(layer_views(spec, state["params"])):
            limits[i] = max(limits[i], float(np.abs(layer.weight).max(initial=0.0)))
    return [float(limit) if limit > 0 else 1.0 for limit in limits]
