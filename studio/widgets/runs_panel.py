"""`RunsPanel`: the Runs dock. Every recorded run of the project in one table, their curves overlaid, and the
actions on them: rename, star, delete, fork from a checkpoint, rewind.

The table (`run_table_model`) lists the project's run store (`<project>.runs.sqlite`, core.runs.store_file; the
user data folder for an unsaved project) in tree order, with one column per setting that differs among the runs
and the final and best figures; it sorts by any column and filters by name or `PATH=VALUE`. Selecting runs
overlays their loss, metric or learning-rate curves (`RunCurvesPlot`); the first selected run is the reference
the setting cells are compared with. Fork and Rewind (`run_actions`) start a new run through the
`TrainingController`, which records where it came from.

Reading the store happens off the GUI thread (`BackgroundJob`): the list when the dock opens, when a run starts
(its row is in the store as "running" moments after Train, so the table lists it while it trains), when it ends
(its record committed), when the project's file changes and when a race recorded its racers (`refresh`). A
running run's row shows the figures of its start until it ends: re-reading the list during the run would compete
with the training for the GIL. The selected runs' curves and checkpoints are read when the selection changes.
Renaming, starring and deleting are single short writes, made where the user clicks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from core.runs import RunStore, RunStoreError, store_path_for
from studio.plots.run_curves_plot import RunCurves, RunCurvesPlot
from studio.training.background_job import BackgroundJob
from studio.widgets.run_actions import RunActionError, fork_run, rewind_run
from studio.widgets.run_rows import RunRows, build_rows
from studio.widgets.run_table_model import RunFilterProxy, RunTableModel

if TYPE_CHECKING:
    from studio.document import Document
    from studio.training.controller import TrainingController

RESIZE_SAMPLE_ROWS = 64  # columns fit the widest of this many rows (all 1,000 took the GUI thread ~1 s)
MAX_OVERLAID = 12  # runs whose curves are drawn at once (beyond a dozen colours no longer tell runs apart)
FILTER_HINT = "Filter: name or setting, e.g. adam  lr=0.01  training.batch_size=32"


class RunsPanel(QWidget):
    loaded = Signal()  # the table shows the store as it was just read
    curves_loaded = Signal()  # the plot shows the selected runs

    def __init__(self, document: Document, controller: TrainingController, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RunsPanel")
        self.document, self.controller = document, controller
        self.store_path: Path = store_path_for(document.path)
        self.model = RunTableModel(self)
        self.model.write = self._write
        self.proxy = RunFilterProxy(self.model, self)
        self._list_job, self._curves_job = BackgroundJob(self), BackgroundJob(self)
        self._list_job.finished.connect(self._on_listed)
        self._list_job.failed.connect(self._on_failed)
        self._curves_job.finished.connect(self._on_curves)
        self._curves_job.failed.connect(self._on_failed)
        self._list_again = self._curves_again = False
        self._build()
        # Once a run is in the store ("running"), and once its record is committed (after `finished`; a failed
        # run is recorded as interrupted).
        controller.run_opened.connect(self.refresh)
        controller.run_recorded.connect(self.refresh)
        document.path_changed.connect(self._on_path_changed)
        self.refresh()

    # --- layout --------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(FILTER_HINT)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.count = QLabel()
        self.table = QTableView()
        self.table.setObjectName("RunTable")
        self.table.setModel(self.proxy)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # sorted by the indicator: none, the tree order, until a header click
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(RESIZE_SAMPLE_ROWS)
        self.table.setAlternatingRowColors(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        self.tree_button = QPushButton("Tree order")
        self.tree_button.setToolTip("Undo the sorting: each run with its forks right below it")
        self.tree_button.clicked.connect(self._tree_order)
        self.fork_epoch = QComboBox()
        self.fork_epoch.setToolTip("The checkpoint (epoch) of the selected run to fork from")
        self.fork_button = QPushButton("Fork")
        self.fork_button.setToolTip("Train the current settings from the selected run's checkpoint at this epoch; "
                                    "the new run is listed under it")
        self.fork_button.clicked.connect(self.fork)
        self.rewind_button = QPushButton("Rewind")
        self.rewind_button.setToolTip("Train the current settings again from the selected run's initial weights "
                                      "and seed (the same data order): change a setting first, then compare")
        self.rewind_button.clicked.connect(self.rewind)
        self.scrub_button = QPushButton("Scrub…")
        self.scrub_button.setToolTip("Step through the selected run's checkpoints")
        self.scrub_button.clicked.connect(lambda: self._open_scrubber(self.selected_ids()[0]))
        self.scrub_button.setVisible(self.scrub_available())
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Forget the selected runs and everything recorded for them")
        self.delete_button.clicked.connect(self.delete_selected)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #c0392b;")
        self.notice.hide()
        self.curves = RunCurvesPlot()
        top_row = QHBoxLayout()
        top_row.addWidget(self.filter, 1)
        top_row.addWidget(self.count)
        top_row.addWidget(self.tree_button)
        actions = QHBoxLayout()
        actions.addWidget(QLabel("From epoch"))
        actions.addWidget(self.fork_epoch)
        for button in (self.fork_button, self.rewind_button, self.scrub_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(top_row)
        table_layout.addWidget(self.table, 1)
        table_layout.addLayout(actions)
        table_layout.addWidget(self.notice)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(self.curves)
        self._split_set = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self._update_actions()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Table above the curves, or beside them when the dock is much wider than tall (the bottom row of the
        window, stretched); the split is set when the arrangement changes, then left to the user."""
        super().resizeEvent(event)
        width, height = event.size().width(), event.size().height()
        orientation = Qt.Orientation.Horizontal if width > 2.2 * height else Qt.Orientation.Vertical
        if orientation != self.splitter.orientation() or not self._split_set:
            self.splitter.setOrientation(orientation)
            extent = width if orientation == Qt.Orientation.Horizontal else height
            self.splitter.setSizes([int(extent * 0.58), int(extent * 0.42)])
            self._split_set = True

    # --- reading the store (off the GUI thread) ------------------------------------------------------------------
    def refresh(self, *_args: Any) -> None:
        """Read the run list again (a read in flight is followed by one more)."""
        if self._list_job.running:
            self._list_again = True
            return
        path = self.store_path

        def work(_report, _cancelled) -> RunRows:
            if not path.exists():  # listing never creates a store beside the project
                return build_rows([])
            with RunStore.open(path) as store:
                return build_rows(store.list_runs())

        self._list_job.start(work, "RunList")

    def _on_listed(self, rows: RunRows) -> None:
        selected, columns = self.selected_ids(), self.model.differing
        first = not self.model.rows
        self.model.set_rows(rows)
        self._select(selected)
        if first or rows.differing != columns:  # else the user's column widths stay
            self.table.resizeColumnsToContents()
        self._update_count()
        self.loaded.emit()
        if self._list_again:
            self._list_again = False
            self.refresh()

    def _load_curves(self) -> None:
        if self._curves_job.running:
            self._curves_again = True
            return
        ids, path = self.selected_ids()[:MAX_OVERLAID], self.store_path

        def work(_report, _cancelled) -> tuple[list[RunCurves], list[int]]:
            if not ids or not path.exists():
                return [], []
            with RunStore.open(path) as store:
                curves = [RunCurves.from_record(store.load_run(run_id)) for run_id in ids]
                epochs = sorted({checkpoint.epoch for checkpoint in store.checkpoints(ids[0])})
            return curves, epochs

        self._curves_job.start(work, "RunCurves")

    def _on_curves(self, result: tuple[list[RunCurves], list[int]]) -> None:
        if self._curves_again:  # the selection moved on meanwhile: read the newer one
            self._curves_again = False
            self._load_curves()
            return
        curves, epochs = result
        chosen = len(self.selected_ids())
        note = f"the first {MAX_OVERLAID} of {chosen} selected runs" if chosen > MAX_OVERLAID else ""
        self.curves.show_runs(curves, note)
        self.fork_epoch.clear()
        for epoch in epochs:
            self.fork_epoch.addItem(f"{epoch}", epoch)
        if epochs:
            self.fork_epoch.setCurrentIndex(len(epochs) - 1)
        self._update_actions()
        self.curves_loaded.emit()

    def _on_failed(self, message: str) -> None:
        self._show_notice(message)
        self._list_again = self._curves_again = False

    def _on_path_changed(self, *_args: Any) -> None:
        path = store_path_for(self.document.path)
        if path != self.store_path:
            self.store_path = path
            self.table.clearSelection()
            self.refresh()

    def shutdown(self) -> None:
        """For closing: wait for a read in flight (milliseconds), deliver nothing more."""
        self._list_job.cancel_and_wait()
        self._curves_job.cancel_and_wait()

    # --- selection -----------------------------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        """The selected runs' ids, top to bottom as shown."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.run_at(self.proxy.mapToSource(self.proxy.index(row, 0)).row()).id for row in rows]

    def select_runs(self, run_ids: list[int]) -> None:
        self.table.clearSelection()
        self._select(run_ids)

    def _select(self, run_ids: list[int]) -> None:
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for run_id in run_ids:
            row = self.model.row_of(run_id)
            if row is not None:
                index = self.proxy.mapFromSource(self.model.index(row, 1))
                if index.isValid():
                    selection.select(index, flags)

    def _on_selection(self) -> None:
        ids = self.selected_ids()
        self.model.set_reference(ids[0] if ids else None)
        self._update_actions()
        self._load_curves()

    def _on_filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_count()

    def _tree_order(self) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{total} runs" if shown == total else f"{shown} of {total} runs")

    def _update_actions(self) -> None:
        ids = self.selected_ids()
        one = len(ids) == 1
        self.fork_button.setEnabled(one and self.fork_epoch.count() > 0)
        self.fork_epoch.setEnabled(one and self.fork_epoch.count() > 0)
        self.rewind_button.setEnabled(one)
        self.scrub_button.setEnabled(one)
        self.delete_button.setEnabled(bool(ids))

    # --- the user's actions --------------------------------------------------------------------------------------
    def _write(self, run_id: int, action: str, value: Any) -> bool:
        """Rename or star a run in the store (the table's edits); False, with the reason shown, if refused."""
        try:
            with RunStore.open(self.store_path) as store:
                store.rename(run_id, value) if action == "rename" else store.star(run_id, value)
        except RunStoreError as error:
            self._show_notice(str(error))
            return False
        self.notice.hide()
        return True

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or not self.confirm_delete(ids):
            return
        problems = []
        with RunStore.open(self.store_path) as store:
            for run_id in ids:
                try:
                    store.delete(run_id)
                except RunStoreError as error:  # e.g. a run still recording
                    problems.append(str(error))
        self._show_notice("; ".join(problems)) if problems else self.notice.hide()
        self.table.clearSelection()
        self.refresh()

    def confirm_delete(self, ids: list[int]) -> bool:
        names = [self.model.run_at(self.model.row_of(run_id)).name for run_id in ids]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete runs",
                          f"Delete {len(ids)} run{'s' if len(ids) > 1 else ''} ({shown}) and everything recorded "
                          "for them? This can't be undone.", parent=self)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is delete

    def fork(self) -> None:
        ids, epoch = self.selected_ids(), self.fork_epoch.currentData()
        if len(ids) == 1 and epoch is not None:
            self._try(lambda: fork_run(self.controller, self.store_path, ids[0], int(epoch)))

    def rewind(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self._try(lambda: rewind_run(self.controller, self.store_path, ids[0]))

    def _try(self, action: Any) -> None:
        from core.spec import SpecError
        try:
            action()
        except (RunActionError, SpecError) as error:
            self._show_notice(str(error))
            return
        self.notice.hide()

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    # --- scrubbing (the dialog lives above the widgets: the window's RunsDock provides it) -----------------------
    def scrub_available(self) -> bool:
        return False

    def _open_scrubber(self, run_id: int) -> None:
        raise NotImplementedError("the window's RunsDock opens the scrub dialog")
