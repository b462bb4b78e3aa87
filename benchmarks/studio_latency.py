"""Studio benchmark: does the window stay responsive while training, and what does watching cost?

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.studio_latency [--epochs 40] [--repeats 3]

Trains the digits network (64-128-64-10 ReLU, Adam, batch 32, sklearn digits with a validation split) two ways,
alternating, several times:
  * headless: core's Trainer alone on this thread (no snapshots between epochs), as a script would;
  * studio: the TrainingController's worker thread with every live plot attached and shown, while a 10 ms
    precise QTimer on the main thread records how late each tick arrives (the event loop's latency).
Prints the p50/p99 lateness and the studio's throughput as a share of headless (medians over the repeats).
Targets: p99 lateness ≤ 30 ms, throughput ≥ 90 %. Machines here are shared: compare within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TICK_MS = 10
_SCRATCH = Path(tempfile.mkdtemp(prefix="studio-benchmark-"))  # settings and autosave: never the user's own


def digits_document(epochs: int):
    from core.spec import default_layer, output_layer, validate_spec
    from studio.document import Document

    document = Document()
    document.set_data_source({"kind": "sklearn", "name": "digits"})
    spec = document.spec
    spec["layers"] = [default_layer(128, "relu"), default_layer(64, "relu"), output_layer(10, "classification")]
    spec["training"].update(epochs=epochs, batch_size=32, batch_mode="mini",
                            optimizer={"name": "adam", "lr": 1e-3})
    document.set_spec(validate_spec(spec), "Digits benchmark network")
    return document


def headless_run(document) -> float:
    """Samples per second of the plain Trainer (wall time, network construction included)."""
    from core.network import Network
    from core.training.trainer import Trainer

    data = document.prepared()
    start = time.perf_counter()
    trainer = Trainer(Network.from_spec(document.spec), data, report_every=0, confusion=True)
    for snapshot in trainer.run():
        pass
    elapsed = time.perf_counter() - start
    return trainer.samples_seen / elapsed


def studio_run(document, app, window_factory=None) -> tuple[float, np.ndarray]:
    """Samples per second through the studio's main window (its worker and its docked live plots, in their
    default layout) and the main thread's tick lateness in seconds."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from studio.main_window import MainWindow

    window = (window_factory or MainWindow)(document, autosave_folder=_SCRATCH / "autosave")
    window.show()
    controller = window.controller
    controller.show_dialogs = False
    for _ in range(3):
        app.processEvents()
    lateness: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        if last[0]:
            lateness.append(max(0.0, now - last[0] - TICK_MS / 1000))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    results = []
    controller.finished.connect(lambda snapshot: (results.append(snapshot), loop.quit()))
    controller.failed.connect(lambda message, _details: (print(message, file=sys.stderr), loop.quit()))
    timer.start(TICK_MS)
    start = time.perf_counter()
    controller.start()
    loop.exec()
    elapsed = time.perf_counter() - start
    timer.stop()
    controller.shutdown()
    window.hide()
    window.deleteLater()  # the document goes with it: each repeat opens a fresh window and document
    app.processEvents()
    if not results:
        raise RuntimeError("the studio run failed")
    samples = controller.last_result.snapshot.samples_per_second * controller.last_result.snapshot.elapsed
    return samples / elapsed, np.array(lateness)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from PySide6.QtCore import QCoreApplication, QSettings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("BackpropStudioBenchmark")
    QCoreApplication.setApplicationName("BackpropStudioBenchmark")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(_SCRATCH / "settings"))
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    document = digits_document(args.epochs)
    headless_run(document)  # warm-up: Numba's cache, BLAS threads, sklearn's loader
    headless, studio, p50, p99 = [], [], [], []
    for _ in range(args.repeats):
        headless.append(headless_run(document))
        rate, late = studio_run(digits_document(args.epochs), app)
        studio.append(rate)
        p50.append(float(np.percentile(late, 50)) * 1000)
        p99.append(float(np.percentile(late, 99)) * 1000)
    ratio = statistics.median(studio) / statistics.median(headless)
    print(f"digits 64-128-64-10 ReLU, Adam, batch 32, {args.epochs} epochs × {args.repeats} repeats")
    print(f"headless throughput      {statistics.median(headless):12,.0f} samples/s")
    print(f"studio throughput        {statistics.median(studio):12,.0f} samples/s  "
          f"= {ratio:.0%} of headless (target ≥ 90 %)")
    print(f"event-loop lateness p50  {statistics.median(p50):8.1f} ms")
    print(f"event-loop lateness p99  {statistics.median(p99):8.1f} ms  (target ≤ 30 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
