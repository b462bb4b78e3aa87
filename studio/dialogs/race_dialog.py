"""Training → Race optimizers…: pick 2–8 optimizers (each with its learning rate), race them from the same start off
the GUI thread, watch their loss curves overlaid live, read the ranking, then see their paths on the loss
landscape.

The race is `core.race.OptimizerRace` on the document's spec and prepared data: every racer starts from the same
initial weights, data order, dropout masks and seed. It runs on a `BackgroundJob` thread, which reports each
racer's epoch record; the GUI thread only draws. The document is never changed: the race is a comparison, not a
run of the project; but each racer is recorded as a run (kind "race", named by its optimizer) in the project's run store
(`core.race.recording`, written on the race's thread and the store's writer thread), so the Runs dock keeps the
comparison after the dialog closes; `recorded` tells the window when the runs are in the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSpinBox, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from core.race import OptimizerRace, RacerSetup, rank_racers
from core.runs import RunStoreError, store_path_for
from core.spec.catalogue import OPTIMIZERS
from studio.plots.race_curves_plot import RaceCurvesPlot
from studio.training.background_job import BackgroundJob
from studio.widgets.landscape_panel import LandscapePanel

if TYPE_CHECKING:
    from studio.document import Document

DEFAULT_RACERS = ("adam", "sgd", "momentum", "rmsprop")
RANKING_COLUMNS = ("rank", "optimizer", "loss at epoch N", "epochs to target", "best val loss", "seconds",
                   "stopped")


def _start_recording(race: OptimizerRace, store_path: Any, data_config: dict[str, Any], data_hash: str
                     ) -> tuple[Any, str | None]:
    """(the race's recording, None), or (None, why not) when the store can't be used: the race runs anyway."""
    if store_path is None:
        return None, None
    from core.race.recording import RaceRecording
    try:
        return RaceRecording.start(race, store_path, data_config, data_hash), None
    except (RunStoreError, OSError) as error:
        return None, str(error)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


class RaceDialog(QDialog):
    recorded = Signal(object)  # the store's path: the racers' runs are in it (the Runs dock refreshes)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RaceDialog")
        self.setWindowTitle("Race optimizers")
        self.document = document
        self.race: OptimizerRace | None = None
        self.record_runs = True  # record each racer as a run in the project's store (core.race.recording)
        self.recording_problem: str | None = None  # why the last race went unrecorded, one line
        self.data: Any = None
        self.job = BackgroundJob(self)
        self.job.reported.connect(self._on_epochs)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self._build()
        self.resize(1180, 720)

    # -- layout ---------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.racers = QTableWidget(len(OPTIMIZERS), 2)
        self.racers.setHorizontalHeaderLabels(["optimizer", "learning rate"])
        self.racers.verticalHeader().hide()
        self.racers.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.racers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.rate_boxes: dict[str, QDoubleSpinBox] = {}
        for row, (name, choice) in enumerate(OPTIMIZERS.items()):
            item = QTableWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if name in DEFAULT_RACERS else Qt.CheckState.Unchecked)
            item.setToolTip(choice.help)
            self.racers.setItem(row, 0, item)
            box = QDoubleSpinBox()
            box.setDecimals(5)
            box.setRange(1e-5, 10.0)
            box.setSingleStep(0.001)
            box.setValue(float(choice.defaults()["lr"]))
            self.racers.setCellWidget(row, 1, box)
            self.rate_boxes[name] = box
        self.racers.itemChanged.connect(lambda _item: self._update_state())
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 10_000)
        self.epochs.setValue(min(int(self.document.spec.training.epochs), 100))
        self.start_button = QPushButton("Start race")
        self.start_button.setObjectName("StartRace")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.job.cancel)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        left = QWidget()
        left.setMinimumWidth(330)  # the optimizers' full names and their rates side by side
        left_layout = QVBoxLayout(left)
        intro = QLabel("Racers (2 to 8), each from the project's initial weights, data order, dropout masks and "
                       "seed:")
        intro.setWordWrap(True)
        left_layout.addWidget(intro)
        left_layout.addWidget(self.racers, 1)
        epochs_row = QHBoxLayout()
        epochs_row.addWidget(QLabel("Epochs"))
        epochs_row.addWidget(self.epochs)
        epochs_row.addStretch(1)
        left_layout.addLayout(epochs_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.status)

        self.curves = RaceCurvesPlot()
        self.ranking = QTableWidget(0, len(RANKING_COLUMNS))
        self.ranking.setObjectName("RaceRanking")
        self.ranking.setHorizontalHeaderLabels(list(RANKING_COLUMNS))
        self.ranking.verticalHeader().hide()
        self.ranking.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ranking.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ranking.horizontalHeader().setStretchLastSection(True)
        self.ranking.setMaximumHeight(180)
        curves_tab = QWidget()
        curves_layout = QVBoxLayout(curves_tab)
        curves_layout.addWidget(self.curves, 1)
        curves_layout.addWidget(self.ranking)
        self.landscape = LandscapePanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(curves_tab, "Loss curves and ranking")
        self.tabs.addTab(self.landscape, "Loss landscape")
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([330, 850])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._update_state()

    # -- the race -------------------------------------------------------------------------------------------------
    def chosen_setups(self) -> list[RacerSetup]:
        setups = []
        for row in range(self.racers.rowCount()):
            item = self.racers.item(row, 0)
            if item.checkState() != Qt.CheckState.Checked:
                continue
            name = item.data(Qt.ItemDataRole.UserRole)
            rate = self.rate_boxes[name].value()
            default = float(OPTIMIZERS[name].defaults()["lr"])
            label = name if abs(rate - default) <= 1e-12 else f"{name} (lr {rate:g})"
            setups.append(RacerSetup(label, {"training.optimizer.name": name, "training.optimizer.lr": rate}))
        return setups

    def set_chosen(self, names: list[str]) -> None:
        for row in range(self.racers.rowCount()):
            item = self.racers.item(row, 0)
            checked = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def start(self) -> None:
        setups = self.chosen_setups()
        if self.job.running or not 2 <= len(setups) <= 8 or self.document.training_blockers():
            return
        spec, data, epochs = self.document.spec, self.document.prepared(), self.epochs.value()
        self.data, self.race = data, None
        self.curves.start([setup.name for setup in setups])
        self.ranking.setRowCount(0)
        self.landscape.plot.clear("The landscape is drawn when the race ends")

        store_path = store_path_for(self.document.path) if self.record_runs else None
        data_config = self.document.data_config

        def work(report, cancelled):
            race = OptimizerRace(spec, data, setups, epochs=epochs)
            recording, problem = _start_recording(race, store_path, data_config, data.dataset_hash)
            try:
                for update in race.run():
                    if cancelled():
                        race.stop()
                    if recording is not None:
                        recording.record(update)
                    if update.kind == "epoch":
                        record = race.results[update.index].history[-1]
                        report((update.index, {key: record[key] for key in ("epoch", "train_loss", "val_loss")}))
            except BaseException:
                if recording is not None:
                    recording.interrupted()
                raise
            if recording is not None:
                problem = recording.finish(data)
            return race, store_path if recording is not None else None, problem

        self.status.setText(f"Racing {len(setups)} optimizers for {epochs} epochs…")
        self.job.start(work, "OptimizerRace")
        self._update_state()

    def _on_epochs(self, items: list) -> None:
        for index, record in items:
            self.curves.add_epoch(index, record)
        self.curves.redraw()

    def _on_finished(self, outcome: tuple) -> None:
        race, store_path, self.recording_problem = outcome
        self.race = race
        rows = rank_racers(race.results)
        self._fill_ranking(rows)
        winner = rows[0]
        kept = (f" Not recorded: {self.recording_problem}" if self.recording_problem else
                " Each racer is kept as a run (see the Runs dock)." if store_path is not None else "")
        self.status.setText(f"{winner.name} wins: loss {_number(winner.loss_at_epoch)} at epoch {winner.epoch} "
                            f"(ranked by loss at epoch N, then epochs to reach {_number(winner.target_loss)}, then "
                            f"time).{kept}")
        if store_path is not None:
            self.recorded.emit(store_path)
        self.landscape.set_race(race, self.data, [row.name for row in rows])
        self._update_state()
        self.landscape.draw()

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"The race could not run: {message}")
        self._update_state()

    def _fill_ranking(self, rows) -> None:
        self.ranking.setRowCount(len(rows))
        if rows:
            self.ranking.horizontalHeaderItem(2).setText(f"loss at epoch {rows[0].epoch}")
            self.ranking.horizontalHeaderItem(3).setText(f"epochs to {_number(rows[0].target_loss)}")
        for r, row in enumerate(rows):
            cells = (str(row.rank), row.name, _number(row.loss_at_epoch), str(row.epochs_to_target or "–"),
                     _number(row.best_val_loss), f"{row.seconds:.2f}", row.stop_reason or "–")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.ranking.setItem(r, c, item)

    def _update_state(self) -> None:
        running = self.job.running
        count = len(self.chosen_setups())
        blockers = self.document.training_blockers()
        self.start_button.setEnabled(not running and 2 <= count <= 8 and not blockers)
        self.stop_button.setEnabled(running)
        self.racers.setEnabled(not running)
        if blockers and not running:
            self.status.setText(f"Can't race: {blockers[0]}")
        elif not running and not 2 <= count <= 8 and self.race is None:
            self.status.setText(f"Pick 2 to 8 optimizers ({count} picked).")
        elif not running and self.race is None:
            self.status.setText("")

    def done(self, result: int) -> None:  # closing: stop the race and the landscape, wait for their threads
        self.job.cancel_and_wait()
        self.landscape.shutdown()
        super().done(result)
