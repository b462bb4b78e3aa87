"""`WarmupStatus`: the status-bar note and small progress bar shown while the first start compiles kernels.

Visible only while a `KernelWarmup` runs: "Preparing fast kernels… (first start only)" and a bar counting the
warm-up's runs. When the user presses Train meanwhile the note says the run will start by itself. At the end it
hides and leaves a short status message (or the failure, which is not fatal).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QStatusBar, QWidget

from studio.startup.kernel_warmup import KernelWarmup

PREPARING = "Preparing fast kernels… (first start only)"
TRAIN_WAITS = "Training starts when the fast kernels are ready…"
READY_MESSAGE = "Fast kernels ready"
TIP = ("The training kernels are compiled once, in the background, and kept in the cache folder; later starts "
       "skip this. The window stays usable; Train starts as soon as they are ready.")


class WarmupStatus(QWidget):
    def __init__(self, warmup: KernelWarmup, status_bar: QStatusBar | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("WarmupStatus")
        self.warmup = warmup
        self.status_bar = status_bar
        self.label = QLabel(PREPARING)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first progress line tells the total
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(90, max(10, self.label.sizeHint().height() - 4))
        self.setToolTip(TIP)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        warmup.progress.connect(self._on_progress)
        warmup.dtype_ready.connect(self._on_dtype_ready)
        warmup.finished.connect(self._on_finished)
        self.setVisible(warmup.is_running)

    def note_held_run(self) -> None:
        """Train was pressed while compiling: say that the run is coming."""
        if self.warmup.is_running:
            self.label.setText(TRAIN_WAITS)

    def _on_progress(self, done: int, total: int, _what: str) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.setVisible(True)

    def _on_dtype_ready(self, _dtype: str) -> None:
        if not self.warmup.holds_a_run:  # a held run has just been released: back to the plain note
            self.label.setText(PREPARING)

    def _on_finished(self, succeeded: bool, error: str) -> None:
        self.setVisible(False)
        if self.status_bar is None:
            return
        if succeeded:
            self.status_bar.showMessage(READY_MESSAGE, 4000)
        else:
            self.status_bar.showMessage(f"Kernels will compile on first use ({error})", 15_000)
