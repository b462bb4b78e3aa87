"""`KernelWarmup`: fills Numba's disk cache in a child process on a cold start, and holds Train until it is ready.

Numba holds the GIL while it compiles, so compiling in the studio's own process (even on a worker thread) would
freeze the window for the seconds it takes. On a cold cache (core.kernel_cache's stamp missing or stale) the
warm-up program runs as a QProcess instead: ``python -m core.warmup``, or the frozen app's own executable
with ``--warm-kernels``. Its output lines become `progress` signals; each "warm-up ready: <dtype>" line makes
that precision trainable; `finished` reports the end. A failed warm-up is not fatal: Train is released and the
worker compiles what it needs on first use.

`hold_until_ready(spec, command)` is the training controller's start gate: it returns True (and runs `command`
later) while the kernels for the spec's dtype are still compiling.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from core.kernel_cache import is_cache_warm
from core.warmup import WARMUP_DTYPES, parse_progress, parse_ready

IDLE, RUNNING, DONE, FAILED = "idle", "running", "done", "failed"
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding core/ and studio/
_ERROR_TAIL = 2000  # characters of the child's stderr kept for the failure message


def warmup_command() -> list[str]:
    """The program and arguments that compile the kernels: the frozen app itself, or this Python."""
    if getattr(sys, "frozen", False):
        from studio.cli_entry import WARM_KERNELS_FLAG
        return [sys.executable, WARM_KERNELS_FLAG]
    return [sys.executable, "-m", "core.warmup"]


class KernelWarmup(QObject):
    progress = Signal(int, int, str)  # runs done, runs planned, what the last run exercised
    dtype_ready = Signal(str)  # every kernel of this precision is cached
    finished = Signal(bool, str)  # succeeded, and an error message when it did not

    def __init__(self, command: list[str] | None = None, parent: QObject | None = None,
                 cache_is_warm: Callable[[], bool] = is_cache_warm):
        super().__init__(parent)
        self.command = list(command) if command else warmup_command()
        self.cache_is_warm = cache_is_warm
        self.state = IDLE
        self.ready_dtypes: set[str] = set()
        self.error = ""
        self._held: tuple[str, Callable[[], Any]] | None = None  # (dtype, command) waiting for the kernels
        self._stdout_tail = ""
        self._stderr = ""
        self._process: QProcess | None = None

    # --- lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> bool:
        """Check the cache; if cold, launch the warm-up. Returns True when a warm-up was started."""
        if self.state != IDLE:
            return self.state == RUNNING
        if self.cache_is_warm():
            self._finish(True)
            return False
        process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        if not getattr(sys, "frozen", False):  # `-m core.warmup` must find this very source tree
            paths = [str(SOURCE_ROOT), environment.value("PYTHONPATH")]
            environment.insert("PYTHONPATH", os.pathsep.join(p for p in paths if p))
        process.setProcessEnvironment(environment)
        process.readyReadStandardOutput.connect(self._on_stdout)
        process.readyReadStandardError.connect(self._on_stderr)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_error)
        self._process = process
        self.state = RUNNING
        process.start(self.command[0], self.command[1:])
        return True

    def stop(self) -> None:
        """End a running warm-up (on quit). Numba writes each cache file atomically, so none is left half done;
        the next start simply warms up again."""
        process = self._process
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.finished.disconnect(self._on_finished)
            process.errorOccurred.disconnect(self._on_error)
            process.kill()
            process.waitForFinished(2000)
        if self.state == RUNNING:
            self.state = FAILED
            self.error = "stopped"

    @property
    def is_running(self) -> bool:
        return self.state == RUNNING

    def is_ready(self, dtype: str = "float32") -> bool:
        """May a run in this precision start without compiling in the studio's process?"""
        return self.state in (IDLE, DONE, FAILED) or dtype in self.ready_dtypes

    # --- the controller's start gate -----------------------------------------------------------------------------
    def hold_until_ready(self, spec: dict[str, Any], command: Callable[[], Any]) -> bool:
        """True when `command` (start a run of `spec`) must wait for the kernels; it runs once they are cached.

        Only the newest held command is kept: pressing Train twice starts one run."""
        dtype = str(spec.get("training", {}).get("dtype", "float32"))
        if self.is_ready(dtype):
            return False
        self._held = (dtype, command)
        return True

    @property
    def holds_a_run(self) -> bool:
        return self._held is not None

    def _release_held(self) -> None:
        if self._held is not None and self.is_ready(self._held[0]):
            _dtype, command = self._held
            self._held = None
            QTimer.singleShot(0, command)  # from the event loop, not from inside a signal's slot

    # --- the child's output --------------------------------------------------------------------------------------
    def _on_stdout(self) -> None:
        text = self._stdout_tail + bytes(self._process.readAllStandardOutput()).decode("utf-8", "replace")
        *lines, self._stdout_tail = text.split("\n")
        for line in lines:
            if (progress := parse_progress(line)) is not None:
                self.progress.emit(*progress)
            elif (dtype := parse_ready(line)) is not None:
                self.ready_dtypes.add(dtype)
                self._release_held()
                self.dtype_ready.emit(dtype)

    def _on_stderr(self) -> None:
        text = self._stderr + bytes(self._process.readAllStandardError()).decode("utf-8", "replace")
        self._stderr = text[-_ERROR_TAIL:]

    def _on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._on_stdout()
        self._on_stderr()
        if exit_status == QProcess.ExitStatus.NormalExit and exit_code == 0:
            self.ready_dtypes.update(WARMUP_DTYPES)
            self._finish(True)
        else:
            last = next((line for line in reversed(self._stderr.strip().splitlines()) if line.strip()), "")
            self._finish(False, f"the kernel warm-up exited with code {exit_code}" + (f": {last}" if last else ""))

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._finish(False, f"the kernel warm-up could not start ({self.command[0]}): "
                                f"{self._process.errorString()}")

    def _finish(self, succeeded: bool, error: str = "") -> None:
        if self.state in (DONE, FAILED):
            return
        self.state, self.error = (DONE if succeeded else FAILED), error
        self.finished.emit(succeeded, error)
        self._release_held()  # a failed warm-up still lets Train run (it compiles on first use)
