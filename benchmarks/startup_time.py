"""Start-up benchmark: how long until the studio's window is on screen, warm and cold, and until Train is ready.

    .venv/bin/python -m benchmarks.startup_time [--cold-runs 2] [--warm-runs 5]

Each run is a fresh `python -m studio` process, offscreen, with its own empty settings and user-data folders,
timed from launch (interpreter start and every import included) to the main window's first paint, as reported by
the app's start-up probe (studio/startup/probe.py):
  * cold: an empty NUMBA_CACHE_DIR, as on the very first start. The window should appear at once while the
    kernels compile in a child process; the run also waits for "float32 ready" (Train can start the default
    network) and for the end of the warm-up (every kernel cached);
  * warm: the cache the last cold run filled. Target: window shown in ≤ 2 s.
  * reference: a bare QApplication + QMainWindow shown the same way, measured in the same session: the machine's
    floor for any Qt window, since these machines are shared and absolute times drift with the load.
Medians of the runs are printed with the load average. Compare figures from one run, never across runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_WARM_SECONDS = 2.0
REFERENCE_WINDOW = """
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("reference"))
window.statusBar().showMessage("Ready")
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"startup-probe shown {time.time():.3f} warm", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
probe = FirstPaint()
window.installEventFilter(probe)
window.resize(1200, 800)
window.show()
app.exec()
"""


def run_once(command: list[str], scratch: Path, cache: Path | None, mode: str, timeout: float) -> dict[str, float]:
    """Launch one process and return {event: seconds after launch} from its probe lines (plus 'cache': 1 warm)."""
    home = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BACKPROP_STUDIO_STARTUP_PROBE": mode,
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "BACKPROP_STUDIO_DATA_DIR": str(home / "user-data"), "PYTHONPATH": str(ROOT)}
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
    launched = time.time()
    result = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} exited with {result.returncode}: {result.stderr[-2000:]}")
    events: dict[str, float] = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "startup-probe":
            events[parts[1]] = float(parts[2]) - launched
            if parts[1] == "shown":
                events["warm"] = float(parts[3:4] == ["warm"])
    if "shown" not in events:
        raise RuntimeError(f"no start-up probe output from {' '.join(command[:3])}: {result.stdout[-2000:]}")
    return events


def _median(runs: list[dict[str, float]], event: str) -> float:
    return statistics.median(run[event] for run in runs if event in run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold-runs", type=int, default=2, help="cold starts (each compiles every kernel)")
    parser.add_argument("--warm-runs", type=int, default=5, help="warm starts")
    args = parser.parse_args(argv)
    if args.cold_runs < 1 or args.warm_runs < 1:
        parser.error("--cold-runs and --warm-runs must be ≥ 1 (the warm runs use the cache a cold run filled)")
    scratch = Path(tempfile.mkdtemp(prefix="startup-benchmark-"))
    studio = [sys.executable, "-m", "studio"]
    try:
        reference = [run_once([sys.executable, "-c", REFERENCE_WINDOW], scratch, None, "shown", 120)
                     for _ in range(args.warm_runs)]
        cold: list[dict[str, float]] = []
        for number in range(args.cold_runs):
            cache = scratch / f"numba-cache-{number}"
            cold.append(run_once(studio, scratch, cache, "ready", 600))
            print(f"cold run {number + 1}: window {cold[-1]['shown']:.2f} s, float32 ready "
                  f"{cold[-1].get('ready-float32', float('nan')):.1f} s, all kernels "
                  f"{cold[-1]['kernels-ready']:.1f} s", flush=True)
        warm = [run_once(studio, scratch, cache, "shown", 120) for _ in range(args.warm_runs)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    if not all(run["warm"] for run in warm) or any(run["warm"] for run in cold):
        print("warning: a warm run found a cold cache or a cold run a warm one", file=sys.stderr)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    warm_shown = _median(warm, "shown")
    rows = [
        ("reference: bare Qt window shown", _median(reference, "shown"), len(reference)),
        ("warm start: window shown", warm_shown, len(warm)),
        ("cold start: window shown", _median(cold, "shown"), len(cold)),
        ("cold start: Train ready (float32 kernels cached)", _median(cold, "ready-float32"), len(cold)),
        ("cold start: every kernel cached (float32 + float64)", _median(cold, "kernels-ready"), len(cold)),
    ]
    print(f"\nStart-up of `python -m studio` (offscreen; {os.cpu_count()} cores, load average {load:.1f}), "
          f"seconds from launch, median:")
    print("| what | seconds | runs |\n| --- | ---: | ---: |")
    for what, seconds, runs in rows:
        print(f"| {what} | {seconds:.2f} | {runs} |")
    verdict = "met" if warm_shown <= TARGET_WARM_SECONDS else "NOT met"
    print(f"\nwarm start target ≤ {TARGET_WARM_SECONDS:.0f} s: {verdict}; warm start = "
          f"{warm_shown / _median(reference, 'shown'):.1f}× a bare Qt window on this machine right now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
