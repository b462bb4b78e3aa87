"""The first start's kernel warm-up in the studio: a child process, its status in the status bar, Train held until
the kernels are cached. The warm-up program is faked by a short Python script the test controls."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow

import studio.startup.kernel_warmup as kernel_warmup
from studio.startup import start_kernel_warmup
from studio.startup.kernel_warmup import DONE, FAILED, KernelWarmup, warmup_command
from studio.startup.warmup_status import PREPARING, READY_MESSAGE, TRAIN_WAITS
from studio.training.controller import IDLE, RUNNING, TrainingController

ROOT = Path(__file__).resolve().parents[2]


def fake_warmup(go_file: Path, *, exit_code: int = 0, stderr: str = "") -> list[str]:
    """A warm-up that reports one run, waits until `go_file` exists, then reports float32 ready and ends."""
    script = textwrap.dedent(f"""
        import os, sys, time
        print("warm-up 1/4: optimizer sgd (float32)", flush=True)
        while not os.path.exists({str(go_file)!r}):
            time.sleep(0.02)
        print("warm-up 2/4: optimizer adam (float32)")
        print("warm-up ready: float32", flush=True)
        time.sleep(0.3)
        print("warm-up 4/4: optimizer adam (float64)", flush=True)
        sys.stderr.write({stderr!r})
        sys.exit({exit_code})
    """)
    return [sys.executable, "-c", script]


@pytest.fixture
def window(qtbot, document):
    main = QMainWindow()
    main.controller = TrainingController(document)
    main.statusBar()  # created before show(), as MainWindow does, so it is visible
    qtbot.addWidget(main)
    main.show()
    yield main
    main.controller.shutdown()
    warmup = main.findChild(KernelWarmup)
    if warmup is not None:
        warmup.stop()


def test_a_warm_cache_starts_nothing_and_shows_nothing(window, qtbot):
    warmup = KernelWarmup(["/no/such/program"], cache_is_warm=lambda: True)
    with qtbot.waitSignal(warmup.finished, timeout=1000) as finished:
        start_kernel_warmup(window, warmup)
    assert finished.args == [True, ""] and warmup.state == DONE
    assert not window.warmup_status.isVisible()
    assert warmup.is_ready("float32") and warmup.is_ready("float64")


def test_a_cold_start_shows_progress_then_clears_it(window, qtbot, tmp_path):
    go = tmp_path / "go"
    warmup = KernelWarmup(fake_warmup(go), cache_is_warm=lambda: False)
    with qtbot.waitSignal(warmup.progress, timeout=10_000) as first:
        start_kernel_warmup(window, warmup)
        status = window.warmup_status
        assert warmup.is_running and status.isVisible() and status.label.text() == PREPARING
    assert first.args == [1, 4, "optimizer sgd (float32)"]
    assert (status.bar.value(), status.bar.maximum()) == (1, 4)
    assert not warmup.is_ready("float32")

    with qtbot.waitSignal(warmup.finished, timeout=10_000) as finished:
        go.touch()
    assert finished.args == [True, ""] and warmup.state == DONE
    assert warmup.ready_dtypes == {"float32", "float64"}
    assert not status.isVisible()
    assert window.statusBar().currentMessage() == READY_MESSAGE


def test_train_waits_for_the_kernels_then_starts_by_itself(window, qtbot, tmp_path):
    go = tmp_path / "go"
    warmup = KernelWarmup(fake_warmup(go), cache_is_warm=lambda: False)
    controller = window.controller
    controller.document.set_training_field("epochs", 100_000)
    with qtbot.waitSignal(warmup.progress, timeout=10_000):
        start_kernel_warmup(window, warmup)

    controller.action_play_pause.trigger()
    assert controller.state == IDLE and controller._thread is None  # nothing compiles in this process
    assert warmup.holds_a_run and window.warmup_status.label.text() == TRAIN_WAITS
    qtbot.wait(200)
    assert controller.state == IDLE

    with qtbot.waitSignal(controller.run_started, timeout=10_000):
        go.touch()  # float32 is ready: the held run starts while float64 still compiles
    assert controller.state == RUNNING and warmup.is_running
    assert window.warmup_status.label.text() == PREPARING
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 0, timeout=20_000)
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=10_000)


def test_a_float64_run_waits_for_the_float64_kernels(window, qtbot, tmp_path):
    go = tmp_path / "go"
    warmup = KernelWarmup(fake_warmup(go), cache_is_warm=lambda: False)
    start_kernel_warmup(window, warmup)
    started: list[str] = []
    spec64 = {"training": {"dtype": "float64"}}
    assert warmup.hold_until_ready(spec64, lambda: started.append("float64 run"))
    with qtbot.waitSignal(warmup.dtype_ready, timeout=10_000):
        go.touch()
    qtbot.wait(50)
    assert started == []  # only float32 is ready
    with qtbot.waitSignal(warmup.finished, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: started == ["float64 run"], timeout=2000)


def test_a_failed_warmup_releases_train_and_says_why(window, qtbot, tmp_path):
    go = tmp_path / "go"
    go.touch()
    warmup = KernelWarmup(fake_warmup(go, exit_code=3, stderr="MemoryError: out of memory\n"),
                          cache_is_warm=lambda: False)
    started: list[str] = []
    with qtbot.waitSignal(warmup.finished, timeout=10_000) as finished:
        start_kernel_warmup(window, warmup)
        warmup.hold_until_ready({"training": {"dtype": "float64"}}, lambda: started.append("run"))
    assert finished.args[0] is False and "code 3" in finished.args[1] and "MemoryError" in finished.args[1]
    assert warmup.state == FAILED and not window.warmup_status.isVisible()
    assert "compile on first use" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: started == ["run"], timeout=2000)


def test_a_warmup_that_cannot_start_is_reported(window, qtbot):
    warmup = KernelWarmup(["/no/such/program"], cache_is_warm=lambda: False)
    with qtbot.waitSignal(warmup.finished, timeout=10_000) as finished:
        start_kernel_warmup(window, warmup)
    assert finished.args[0] is False and "could not start" in finished.args[1]
    assert warmup.is_ready("float32")


def test_stop_kills_a_running_warmup(window, qtbot, tmp_path):
    warmup = KernelWarmup(fake_warmup(tmp_path / "never"), cache_is_warm=lambda: False)
    with qtbot.waitSignal(warmup.progress, timeout=10_000):
        start_kernel_warmup(window, warmup)
    process = warmup._process
    warmup.stop()
    assert process.state() == process.ProcessState.NotRunning and warmup.state == FAILED


def test_the_warmup_command_runs_this_python_or_the_frozen_app(monkeypatch):
    assert warmup_command() == [sys.executable, "-m", "core.warmup"]
    monkeypatch.setattr(kernel_warmup.sys, "frozen", True, raising=False)
    assert warmup_command() == [sys.executable, "--warm-kernels"]


def test_the_app_flag_runs_the_warmup_program(monkeypatch):
    import core.warmup
    from studio.cli_entry import dispatch
    seen: list[list[str]] = []
    monkeypatch.setattr(core.warmup, "main", lambda argv: seen.append(list(argv)) or 0)
    assert dispatch(["--warm-kernels", "--dtype", "float32"]) == 0
    assert seen == [["--dtype", "float32"]]


@pytest.mark.slow
def test_a_cold_app_start_shows_the_window_and_quits_cleanly(tmp_path):
    """`python -m studio` with an empty kernel cache: the window is painted, the warm-up child is started."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BACKPROP_STUDIO_STARTUP_PROBE": "shown",
           "NUMBA_CACHE_DIR": str(tmp_path / "empty-cache"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "BACKPROP_STUDIO_DATA_DIR": str(tmp_path / "user-data"),
           "PYTHONPATH": str(ROOT)}
    launched = time.time()
    result = subprocess.run([sys.executable, "-m", "studio"], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    shown = [line.split() for line in result.stdout.splitlines() if line.startswith("startup-probe shown")]
    assert len(shown) == 1 and float(shown[0][2]) > launched
    assert "numba" not in result.stderr.lower()
