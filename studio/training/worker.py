"""`TrainingWorker`: drives core's Trainer on a QThread; only signals leave it.

The GUI talks to the worker through thread-safe commands (`play`, `pause`, `step_batch`, `step_epoch`, `stop`,
`set_live`) that set state under a condition variable; the worker checks them between snapshots and, when
paused, sleeps on the condition without spinning. It coalesces the Trainer's snapshots and emits ONE ordered
`update` signal at most 20 times a second: a `WorkerUpdate` carrying the newest snapshot, every epoch snapshot
since the last update (so no epoch point is lost), every step's loss since the last update (`PendingLosses`, so
the per-batch curve has every batch), the run's progress and, every ~200 ms, a `GridPrediction` for the 2-D
plots. A snapshot is never changed after the Trainer yields it: the update is built beside it. The worker
also adapts the Trainer's `report_every` to about one snapshot per update however short a batch is (fewer
snapshots let the Trainer run longer fused chunks; their losses still arrive), and, while a weight-histogram
plot shows the run, asks for histograms ≤ 4 times a second. At a slow training speed (`studio.training.speed`)
the worker waits after each snapshot, on its condition variable, so pause, stop and a speed change end the wait
at once. (The controller applies the
`thread_budget` around a run: one BLAS thread, quick GIL hand-backs.) The training doctor
(`core.diagnostics.Doctor`) watches the snapshots here, where they are made: only its new findings travel, in
the update that follows them. The run's record (`RunRecording`) is finished after `finished` is emitted and the
window has shown the run's end (`end_shown`): the store commits its last rows (tens of ms) then, without taking
the GIL from the window's last redraw, and `recorded` follows, before `done` ends the thread, so the controller
turns idle (and a next run may start) only once the record is in.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from core.training.snapshot import Snapshot
from core.network.grid_prediction import GridPrediction, GridPredictor, GridSpec
from studio.training.pending_losses import PendingLosses
from studio.training.run_recording import RecordingPlan, RunRecording
from studio.training.speed import Pacer

if TYPE_CHECKING:  # imported on the worker thread when a run starts (they load the engine and its kernels)
    from core.diagnostics import Doctor, Finding
    from core.data import PreparedData
    from core.spec import Spec
    from core.training.trainer import Trainer

# Seconds between updates sent to the GUI: 20 a second is smooth for the curves (the plots redraw ≤ 6 times a
# second anyway); measured against 30 a second, it spares the GUI thread a third of its per-update work.
UPDATE_INTERVAL = 1 / 20
PREDICTION_INTERVAL = 0.2  # seconds between decision-boundary predictions
END_SHOWN_TIMEOUT = 1.0  # seconds the record waits at most for the window to show a run's end
HISTOGRAM_INTERVAL = 0.25  # seconds between weight/gradient histograms (the plot draws ≤ 4 a second)
# Epoch-end histograms (the heatmap's columns): at every epoch's end for the first EXACT_HISTOGRAM_EPOCHS epochs
# (where distributions move most), then at most one per EPOCH_HISTOGRAM_INTERVAL seconds; for fast runs (digits:
# ~200 epochs a second) the plot repeats the newest column for the epochs in between. Taking them at every epoch
# cost the worker ~5 % of its time on digits.
EXACT_HISTOGRAM_EPOCHS = 50
EPOCH_HISTOGRAM_INTERVAL = 0.1
SNAPSHOT_TARGET = (UPDATE_INTERVAL / 3, UPDATE_INTERVAL)  # a Trainer snapshot every 17–50 ms: about one per update


@dataclass
class TrainingJob:
    """Everything a run needs, handed to the worker before its thread starts (the worker never reads the GUI)."""

    spec: Spec
    data: PreparedData
    weights: dict[str, np.ndarray] | None = None  # continue from these; None = fresh initial weights
    grid: GridSpec | None = None  # the 2-D plane to predict on, for 2-D data sets
    preprocess: Callable[[np.ndarray], np.ndarray] | None = None  # raw grid points → network inputs
    start_paused: bool = False
    epochs_per_second: float | None = None  # the training speed; None: as fast as possible
    recording: RecordingPlan | None = None  # record the run into this run store (core.runs); None: unrecorded
    # A weight-histogram plot shows the run: histograms at each of the first epochs and for "now". Without one,
    # only the sparse epoch-end ones a plot built later catches up from (see `_schedule_epoch_histograms`).
    histograms_watched: bool = True
    # The window shows the run's end (`TrainingWorker.end_shown`) before the record commits: the store's writer
    # then does not compete for the GIL with the window's last redraw. False: commit at once (no window).
    record_after_shown: bool = False


def _no_losses() -> np.ndarray:
    return np.empty(0, np.float64)


@dataclass(frozen=True)
class WorkerUpdate:
    """What crosses the thread boundary ≤ 20 times a second: everything since the previous update, in order
    (the epochs, then the newest snapshot with every step's loss up to it, then the prediction).

    `batch_losses` holds every step's loss since the previous update in step order, the last one at `latest.step`
    (float64; empty without a `latest`): the newest snapshot's own `batch_losses` are only its last ones.
    """

    latest: Snapshot | None  # the newest snapshot, as the Trainer yielded it
    epochs: list[Snapshot] = field(default_factory=list)  # every "epoch"/"end" snapshot since the last update
    batch_losses: np.ndarray = field(default_factory=_no_losses)
    progress: float | None = None  # the fraction of the planned epochs done at `latest` (None without one)
    prediction: GridPrediction | None = None
    paused: bool = False
    findings: list[Finding] = field(default_factory=list)  # the doctor's findings made since the last update

    def batch_loss_steps(self) -> np.ndarray:
        """The (1-based) step of each entry of `batch_losses`: the last one is `latest.step`."""
        end = self.latest.step if self.latest is not None else 0
        return np.arange(end - len(self.batch_losses) + 1, end + 1, dtype=np.int64)


def fraction_done(snapshot: Snapshot | None, epochs_planned: int) -> float:
    """How much of a run of `epochs_planned` epochs is done at `snapshot`, 0..1 (0 before the first)."""
    if snapshot is None:
        return 0.0
    s = snapshot
    done = s.epoch + (s.batch_in_epoch / s.batches_per_epoch if s.batches_per_epoch and s.kind == "batch" else 0)
    return min(1.0, done / max(1, epochs_planned))


@dataclass
class TrainingResult:
    """The end of a run: the final snapshot, the weights to keep (the last finite ones) and the history."""

    snapshot: Snapshot
    weights: dict[str, np.ndarray]
    history: list[dict[str, Any]]
    test_score: tuple[float, float] | None = None  # (loss, metric) on the held-out test set; None without one
    initial_weights: dict[str, np.ndarray] | None = None  # what the run started from ("Apply and retrain")


def held_out_score(network, data, snapshot: Snapshot) -> tuple[float, float] | None:
    """The kept weights' loss and metric on the test set, as `backprop train` prints them (`Network.evaluate`);
    None when no test set is held out or the run diverged."""
    if snapshot.diverged or not len(data.x_test):
        return None
    loss, metric = network.evaluate(data.x_test, data.y_test)
    return float(loss), float(metric)


class TrainingWorker(QObject):
    update = Signal(object)  # WorkerUpdate
    finished = Signal(object)  # TrainingResult: the user sees the end of the run (its record commits next)
    failed = Signal(str, str)  # message, traceback
    # (run store, run id) once the run's record is committed, or None when it is not in a store (unrecorded, or
    # its store failed): after `finished` or `failed`, before `done`.
    recorded = Signal(object)
    # (run store, run id) once the run is in its store with status "running", early in the run (emitted from the
    # thread that opens the store); never for an unrecorded run or one whose store failed.
    recording_opened = Signal(object)
    done = Signal()  # always last: the thread may quit

    def __init__(self, job: TrainingJob):
        super().__init__()
        self.job = job
        self.trainer: Trainer | None = None  # set on the worker thread once built
        self._cond = threading.Condition()
        self._paused = job.start_paused
        self._steps: deque[str] = deque()  # queued "batch"/"epoch" step requests
        self._stop = False
        self._live: dict[str, Any] = {}
        self._epochs: list[Snapshot] = []
        self._latest: Snapshot | None = None
        self._sent: Snapshot | None = None
        self._pending_losses = PendingLosses()  # the losses of steps not sent yet
        self._last_emit = self._last_prediction = self._last_histogram = self._last_snapshot_time = 0.0
        self._last_epoch_histogram = float("-inf")
        self._last_epoch_time, self._epoch_seconds = 0.0, float("inf")  # when the last epoch ended, how long it took
        self._report_every = 1
        self._histograms_watched = job.histograms_watched  # (a bool, set from the GUI thread by watch_histograms)
        self._end_shown = threading.Event()
        self.pacer = Pacer(job.epochs_per_second)
        self._paced_step = 0  # the step the pacer last counted up to
        self._pace_changes = 0  # bumped by set_speed: ends a wait in progress
        self._predictor: GridPredictor | None = None
        self.doctor: Doctor | None = None  # built with the Trainer, on the worker thread
        self._findings: list[Finding] = []  # the doctor's findings not sent yet
        self.initial_weights: dict[str, np.ndarray] | None = None  # a copy of the run's starting weights
        self.recording: RunRecording | None = None  # the run's record in the store, from _build on
        # What the run cost the worker, counted (tests and benchmarks check the rates stay bounded):
        self.batch_snapshots = 0  # "batch" snapshots the Trainer made
        self.histogram_requests = 0  # snapshots that carried weight/gradient histograms (asked for)
        self.epoch_histograms = 0  # epoch-end snapshots that carried histograms (the heatmap's columns)
        self.grid_predictions = 0  # decision-boundary predictions computed

    # --- commands (any thread) ---------------------------------------------------------------------------------
    def play(self) -> None:
        with self._cond:
            self._paused = False
            self.pacer.restart()  # the pace starts again from now, with no burst to catch up the pause
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True
            self._cond.notify_all()

    def step_batch(self) -> None:
        self._queue_step("batch")

    def step_epoch(self) -> None:
        self._queue_step("epoch")

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            trainer = self.trainer
            self._cond.notify_all()
        if trainer is not None:
            trainer.stop()  # thread-safe: ends the run after the current batch

    def set_live(self, changes: Mapping[str, Any]) -> None:
        """Queue live changes {spec path: value}; they reach the Trainer (thread-safe `set_live`) before its next
        batch."""
        with self._cond:
            self._live.update(changes)
            trainer = self.trainer
        if trainer is not None:
            self._forward_live(trainer)

    def set_speed(self, epochs_per_second: float | None) -> None:
        """A new training speed (None: maximum); it applies from the next snapshot, and ends a wait in progress."""
        with self._cond:
            self.pacer.set_rate(epochs_per_second)
            self._pace_changes += 1
            self._cond.notify_all()

    def end_shown(self) -> None:
        """The window has shown the run's end (or will not): the record may commit now (any thread)."""
        self._end_shown.set()

    def watch_histograms(self) -> None:
        """A weight-histogram plot shows the run from now on (see `TrainingJob.histograms_watched`)."""
        self._histograms_watched = True

    @property
    def is_paused(self) -> bool:
        with self._cond:
            return self._paused

    def _queue_step(self, kind: str) -> None:
        with self._cond:
            self._paused = True
            self._steps.append(kind)
            self._cond.notify_all()

    def _forward_live(self, trainer: Trainer) -> None:
        if not self._live:  # (read without the lock: called at every snapshot, and a change queued meanwhile
            return          # is forwarded by `set_live` itself, or at the next snapshot)
        with self._cond:
            changes, self._live = self._live, {}
        if changes:
            trainer.set_live(changes)

    # --- the run (worker thread) ---------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            result = self._train()
            if result is not None:
                self.finished.emit(result)
                if self.recording is not None:  # committed after `finished`: the window shows the end first
                    if self.job.record_after_shown:
                        self._end_shown.wait(END_SHOWN_TIMEOUT)
                    self.recording.finish(result)
        except Exception as exc:  # noqa: BLE001 - any failure becomes a dialog, never a crash
            self.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        finally:
            if self.recording is not None:  # a failure or no step at all: the run is marked interrupted
                self.recording.abandon()
                self.recorded.emit(self.recording.recorded())
            self.done.emit()

    def _build(self) -> Trainer:
        from core.diagnostics import ActivationProbe, Doctor
        from core.network import Network
        from core.training.trainer import Trainer

        network = Network.from_spec(self.job.spec)
        if self.job.weights is not None:
            network.set_state(self.job.weights)
        self.initial_weights = {k: np.array(v, copy=True) for k, v in network.get_state().items()}
        # The store opens and takes the initial weights on a thread of its own while the run trains.
        self.recording = RunRecording.start_soon(self.job.recording, network, self.initial_weights,
                                                 on_open=self.recording_opened.emit)
        # histogram_every: 1 while an epoch-end histogram is due, else 0 (`_schedule_epoch_histograms`).
        trainer = Trainer(network, self.job.data, report_every=1, histogram_every=1, confusion=True)
        if self.job.grid is not None and self.job.preprocess is not None:
            self._predictor = GridPredictor(self.job.grid, self.job.preprocess)
        self.doctor = Doctor(trainer.spec, planned_epochs=trainer.epochs,
                             probe=ActivationProbe(network, self.job.data.x_train))
        with self._cond:
            self.trainer = trainer
            stop = self._stop
        self._forward_live(trainer)
        if stop:
            trainer.stop()
        return trainer

    def _train(self) -> TrainingResult | None:
        trainer = self._build()
        trainer.request_histograms()
        self.histogram_requests += 1
        run = trainer.run()
        self._paced_step = trainer.step
        target: str | None = None  # the step in progress: None (free running), "batch" or "epoch"
        snapshot: Snapshot | None = None
        while True:
            if target is None:
                target = self._wait_while_paused()
            trainer.report_every = 1 if target == "batch" else self._free_report_every()
            try:
                snapshot = next(run)
            except StopIteration:
                break
            self._on_snapshot(trainer, snapshot)
            if snapshot.kind == "end":
                break
            if target is None:
                self._pace(trainer, snapshot)
            else:  # steps asked for by hand are never slowed down
                self._paced_step = snapshot.step
                if snapshot.kind == target:
                    target = None  # the step is done; waiting while paused sends the update
        if snapshot is None:
            return None
        self._flush(trainer, paused=False, predict=True)
        weights = {k: np.array(v, copy=True) for k, v in trainer.network.get_state().items()}
        return TrainingResult(snapshot, weights, [dict(r) for r in trainer.history],
                              held_out_score(trainer.network, self.job.data, snapshot), self.initial_weights)

    def _wait_while_paused(self) -> str | None:
        """Block (without spinning) while paused; return a queued step, or None to run freely."""
        flushed = False
        with self._cond:
            while self._paused and not self._stop and not self._steps:
                if not flushed:
                    self._cond.release()  # emit outside the lock: a slot may call back into a command
                    try:
                        self._flush(self.trainer, paused=True, predict=True)
                    finally:
                        self._cond.acquire()
                    flushed = True
                    continue
                self._cond.wait()
            if self._stop:
                return None
            return self._steps.popleft() if self._steps else None

    def _pace(self, trainer: Trainer, snapshot: Snapshot) -> None:
        """At a slow speed: show this snapshot now, then wait out its share of the epoch's time."""
        trained, self._paced_step = snapshot.step - self._paced_step, snapshot.step
        with self._cond:
            seconds = self.pacer.seconds_to_wait(trained / max(1, snapshot.batches_per_epoch))
        if seconds <= 0:
            return
        if self._latest is not self._sent or self._epochs:  # the user watches this state during the wait
            predict = time.perf_counter() - self._last_prediction >= min(seconds, PREDICTION_INTERVAL)
            self._flush(trainer, paused=False, predict=predict)
        self.wait_paced(seconds)

    def wait_paced(self, seconds: float) -> None:
        """Wait `seconds` on the condition variable; pause, stop, a step request or a new speed end it early."""
        deadline = time.perf_counter() + seconds
        with self._cond:
            changes = self._pace_changes
            while not (self._stop or self._paused or self._steps or self._pace_changes != changes):
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    def _on_snapshot(self, trainer: Trainer, snapshot: Snapshot) -> None:
        now = time.perf_counter()
        self._adapt_report_every(now, snapshot)
        self._latest = snapshot
        self._pending_losses.add(snapshot)
        if self.doctor is not None:
            findings = self.doctor.observe(snapshot)
            self._findings.extend(findings)
            if findings and self.recording is not None:  # the run's record keeps what the doctor named
                self.recording.add_findings(findings)
        if self.recording is not None:
            self.recording.record(snapshot)
        self.batch_snapshots += snapshot.kind == "batch"
        if snapshot.kind == "epoch":
            self._epoch_seconds, self._last_epoch_time = now - self._last_epoch_time, now
        if snapshot.kind in ("epoch", "end"):
            self._epochs.append(snapshot)
        if self._histograms_watched and now - self._last_histogram >= HISTOGRAM_INTERVAL:
            self._last_histogram = now
            self.histogram_requests += 1
            trainer.request_histograms()
        self._schedule_epoch_histograms(trainer, snapshot, now)
        self._forward_live(trainer)
        if snapshot.kind == "end":
            return  # the final flush follows
        if now - self._last_emit >= UPDATE_INTERVAL:
            self._flush(trainer, paused=False, predict=now - self._last_prediction >= PREDICTION_INTERVAL)

    def _schedule_epoch_histograms(self, trainer: Trainer, snapshot: Snapshot, now: float) -> None:
        """Ask for histograms at the next epoch's end when the last epoch-end histograms are
        EPOCH_HISTOGRAM_INTERVAL old, and, while a histogram plot watches, in each of the first
        EXACT_HISTOGRAM_EPOCHS epochs (the Trainer reads `histogram_every` on this thread, between batches).
        Unwatched, a fast run's first epochs would cost ~1 % of a digits run in histograms nobody draws; a plot
        built later still finds a column every EPOCH_HISTOGRAM_INTERVAL, as for any fast run's later epochs."""
        if snapshot.kind == "epoch" and snapshot.weight_histograms is not None:
            self._last_epoch_histogram = now
            self.epoch_histograms += 1
        exact = self._histograms_watched and trainer.epoch < EXACT_HISTOGRAM_EPOCHS
        due = exact or now - self._last_epoch_histogram >= EPOCH_HISTOGRAM_INTERVAL
        trainer.histogram_every = 1 if due else 0

    def _free_report_every(self) -> int:
        """`report_every` for the next stretch of a free run: the adapted value, or 0 (no "batch" snapshot in
        the coming epoch) while epochs are shorter than the snapshot target and the last batch snapshot is recent;
        the Trainer still stops at the epoch's end, so pause and stop stay as quick."""
        low = SNAPSHOT_TARGET[0]
        if self._epoch_seconds < low and time.perf_counter() - self._last_snapshot_time < low:
            return 0
        return self._report_every

    def _adapt_report_every(self, now: float, snapshot: Snapshot) -> None:
        if snapshot.kind != "batch":
            return
        interval = now - self._last_snapshot_time
        self._last_snapshot_time = now
        low, high = SNAPSHOT_TARGET
        # At most one epoch minus a batch: the Trainer's count restarts at each epoch's end, so a larger value
        # would leave epochs with no "batch" snapshot at all, and only batch snapshots adapt the value back down.
        ceiling = max(1, snapshot.batches_per_epoch - 1)
        if interval < low:
            self._report_every = min(self._report_every * 2, ceiling)
        elif interval > high and self._report_every > 1:
            self._report_every //= 2

    def _flush(self, trainer: Trainer | None, paused: bool, predict: bool = False) -> None:
        prediction = None
        if predict and self._predictor is not None and trainer is not None:
            prediction = self._predictor.predict(trainer.network, trainer.step)
            self.grid_predictions += 1
            self._last_prediction = time.perf_counter()
        latest = self._latest if self._latest is not self._sent else None  # never send a snapshot twice
        if latest is None and not self._epochs and prediction is None and not paused and not self._findings:
            return
        losses = self._pending_losses.take(latest.step) if latest is not None else _no_losses()
        progress = fraction_done(latest, self.job.spec.training.epochs) if latest is not None else None
        update = WorkerUpdate(latest, self._epochs, losses, progress, prediction, paused, self._findings)
        self._sent = self._latest
        self._epochs, self._findings = [], []
        self._last_emit = time.perf_counter()
        self.update.emit(update)
