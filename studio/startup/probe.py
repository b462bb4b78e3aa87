"""A start-up timer for benchmarks/startup_time.py: quit once the window is painted, or once kernels are ready.

With ``BACKPROP_STUDIO_STARTUP_PROBE=shown`` the app prints ``startup-probe shown <epoch seconds> warm|cold`` at
the main window's first paint (cold: a kernel warm-up is running) and quits; with ``=ready`` it also waits for the
warm-up, printing ``startup-probe ready-float32 <epoch seconds>`` when Train could start a float32 run and
``startup-probe kernels-ready <epoch seconds>`` at its end, then quits. Epoch times, so the caller can subtract the moment
it launched the process (interpreter start and imports included). Unset, nothing is installed.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QEvent, QObject, QTimer

PROBE_ENV = "BACKPROP_STUDIO_STARTUP_PROBE"
MODES = ("shown", "ready")


class _FirstPaint(QObject):
    def __init__(self, app, window, warmup, mode: str):
        super().__init__(window)
        self.app, self.warmup, self.mode = app, warmup, mode
        self.seen = False
        window.installEventFilter(self)
        warmup.dtype_ready.connect(lambda dtype: _say(f"ready-{dtype}"))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            _say("shown", "cold" if self.warmup.is_running else "warm")
            QTimer.singleShot(0, self._after_shown)
        return False

    def _after_shown(self) -> None:
        if self.mode == "ready" and self.warmup.is_running:
            self.warmup.finished.connect(self._on_kernels_ready)
            return
        if self.mode == "ready":
            _say("kernels-ready")
        self.app.quit()

    def _on_kernels_ready(self, _succeeded: bool, _error: str) -> None:
        _say("kernels-ready")
        self.app.quit()


def install_startup_probe(app, window, warmup) -> None:
    mode = os.environ.get(PROBE_ENV, "")
    if not mode:
        return
    if mode not in MODES:
        raise SystemExit(f"{PROBE_ENV} must be one of {', '.join(MODES)}, got {mode!r}")
    window._startup_probe = _FirstPaint(app, window, warmup, mode)


def _say(event: str, *details: str) -> None:
    print(" ".join(("startup-probe", event, f"{time.time():.3f}", *details)), flush=True)
