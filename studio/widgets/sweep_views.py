"""`SweepViews`: everything the Sweep dialog shows of a study's trials, kept in step with one another.

Tabs on top (parallel coordinates, overlaid learning curves, parameter importance) and the results table below.
A drag on a parallel-coordinates axis filters the table to the same trials. `show(state, params)` redraws all of
them from a `SweepState`; `request_importance(storage, study)` asks Optuna for the parameters' importance on a
background thread (never two at once: a request during one runs once it ends), once two trials are complete.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from core.sweeps import ParamRange, importance
from studio.plots.importance_plot import ImportancePlot
from studio.plots.parallel_coordinates_plot import ParallelCoordinatesPlot
from studio.plots.sweep_coordinates import coordinate_axes, coordinate_lines
from studio.plots.sweep_curves_plot import SweepCurvesPlot, TrialCurve
from studio.training.background_job import BackgroundJob
from studio.training.sweep_state import OBJECTIVE_LABELS, SweepState, minimises
from studio.widgets.sweep_results_table import SweepResultsTable

IMPORTANCE_WAIT = "Parameter importance appears once two trials have finished."


class SweepViews(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.parallel = ParallelCoordinatesPlot()
        self.curves = SweepCurvesPlot()
        self.importance = ImportancePlot()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.parallel, "Parallel coordinates")
        self.tabs.addTab(self.curves, "Learning curves")
        self.tabs.addTab(self.importance, "Parameter importance")
        self.table = SweepResultsTable()
        self.parallel.filter_changed.connect(self.table.show_only)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.table)
        splitter.setSizes([470, 280])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.importance_job = BackgroundJob(self)
        self.importance_job.finished.connect(self._on_importance)
        self.importance_job.failed.connect(self.importance.show_message)
        self._importance_again: tuple[str, str] | None = None

    def show(self, state: SweepState, params: Sequence[ParamRange]) -> None:  # noqa: A003 - shows the trials
        """Redraw every view from `state`, with one axis and one column per swept setting of `params`."""
        label = OBJECTIVE_LABELS.get(state.objective, state.objective)
        trials = state.ordered()
        best = state.best()
        best_number = best.number if best is not None else None
        loss = minimises(state.objective)
        self.parallel.set_data(coordinate_axes(params, label, trials, log_objective=loss),
                               coordinate_lines(params, trials), best_number)
        self.curves.set_objective(label, log_scale=loss)
        self.curves.set_curves([TrialCurve(t.number, t.curve, t.state) for t in trials], best_number)
        paths = [param.path for param in params]
        if self.table.paths != paths or self.table.horizontalHeaderItem(2).text() != label:
            self.table.set_columns(label, paths)
        self.table.set_trials(trials, best_number)
        self.table.show_only(self.parallel.passing())

    def request_importance(self, location: tuple[str, str] | None, complete: int) -> None:
        """Importance from the study at `location` (storage, name) once `complete` ≥ 2, off the GUI thread."""
        if location is None or complete < 2:
            self.importance.show_message(IMPORTANCE_WAIT)
            return
        if self.importance_job.running:
            self._importance_again = location
            return
        self._importance_again = None
        self.importance_job.start(lambda _report, _cancelled: importance(*location), "SweepImportance")

    def _on_importance(self, values: dict[str, float]) -> None:
        self.importance.set_importances(values)
        if self._importance_again is not None:
            self.request_importance(self._importance_again, 2)

    def shutdown(self) -> None:
        self.importance_job.cancel_and_wait()
