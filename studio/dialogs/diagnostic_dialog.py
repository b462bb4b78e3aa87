"""`DiagnosticDialog`: the frame the Training menu's checks share (Find learning rate, Check gradients).

A check reads the document's spec, weights and prepared data on the GUI thread (the document replaces them,
never writes them in place, so the thread may read them after), then runs on a `BackgroundTask` with a progress
bar and a Cancel button. It starts as soon as the dialog opens: one click from the menu gives the answer.

While a run is training (or paused) the check can't start: it starts from the current weights, which the run is
changing and will write back when it ends. The dialog says so in its status line and enables "Run again" once
the run has ended. Closing the dialog cancels a check still running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout, QWidget,
)

from studio.training.background_task import BackgroundTask, ProgressCallback

if TYPE_CHECKING:
    from studio.document import Document

TRAINING_BLOCKS = ("A run is training: {what} starts from the current weights, which the run is still changing. "
                   "Stop the run (or let it finish), then click Run again.")


class DiagnosticDialog(QDialog):
    """Subclasses set `WHAT` (a noun phrase for messages), build their result view in `_build_result(layout)`, give
    the work in `_work(spec, weights, data)` (a function of the progress callback, run on the thread) and show the
    result in `_show_result(result)`."""

    WHAT = "the check"

    def __init__(self, document: Document, title: str, explanation: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.result: Any = None
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self._build_result(layout)
        self.status = QLabel()
        self.status.setObjectName("DiagnosticStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox()
        self.run_button = self.buttons.addButton("Run again", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.ActionRole)
        self._add_buttons(self.buttons)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(self.buttons)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.close_button.clicked.connect(self.reject)
        self.task = BackgroundTask(self)
        self.task.progress.connect(self._on_progress)
        self.task.finished.connect(self._on_finished)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)
        document.training_changed.connect(self._update_buttons)

    # ---- for subclasses ---------------------------------------------------------------------------------------
    def _build_result(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def _add_buttons(self, buttons: QDialogButtonBox) -> None:
        """Extra buttons between Cancel and Close (the finder's "Use this rate")."""

    def _work(self, spec: dict[str, Any], weights: Any, data: Any) -> Callable[[ProgressCallback], Any]:
        raise NotImplementedError

    def _show_result(self, result: Any) -> None:
        raise NotImplementedError

    def _clear_result(self) -> None:
        """Forget the shown result when a new check starts."""

    # ---- running ----------------------------------------------------------------------------------------------
    def start(self) -> bool:
        """Start the check from the document's current weights; False (said in the status line) when it can't."""
        if self.task.is_running:
            return False
        if self.document.is_training:
            self.status.setText(TRAINING_BLOCKS.format(what=self.WHAT))
            self._update_buttons()
            return False
        blockers = self.document.training_blockers()
        if blockers:
            self.status.setText(" ".join(blockers))
            self._update_buttons()
            return False
        document = self.document
        work = self._work(document.spec, document.weights, document.prepared())
        self.result = None
        self._clear_result()
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.status.setText(f"Running {self.WHAT} from the {'trained' if document.weights else 'initial'} "
                            f"weights…")
        self.task.start(work)
        self._update_buttons()
        return True

    def _update_buttons(self, *_args: Any) -> None:
        running = self.task.is_running
        self.run_button.setEnabled(not running and not self.document.is_training)
        self.cancel_button.setEnabled(running)
        blocked = TRAINING_BLOCKS.format(what=self.WHAT)
        if self.document.is_training and not running:
            self.status.setText(blocked)
        elif self.status.text() == blocked:
            self.status.setText(f"The run has ended: click Run again to run {self.WHAT} on its weights.")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_finished(self, result: Any) -> None:
        self.result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._show_result(result)
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(f"{self.WHAT[0].upper()}{self.WHAT[1:]} could not run: {message}")
        self._update_buttons()

    def _on_cancel(self) -> None:
        self.task.cancel()
        self.status.setText("Cancelling…")

    def _on_cancelled(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(f"Cancelled. Nothing was changed; click Run again to start {self.WHAT} over.")
        self._update_buttons()

    def done(self, code: int) -> None:  # closing (Close, Escape, the window's ×) cancels a running check
        self.task.cancel()
        super().done(code)
