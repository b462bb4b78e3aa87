"""Studio benchmark: does the window stay responsive while training, and what does watching cost?

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.studio_latency [--epochs 400] [--repeats 5] [--show DOCK]

Trains the digits network (64-128-64-10 ReLU, Adam, batch 32, sklearn digits with a validation split) two ways:
  * headless: core's Trainer alone on this thread (no snapshots between epochs), as a script would, once with
    BLAS's default thread count and once with one BLAS thread (the studio's worker limits BLAS to one thread
    while it trains; whichever headless setting is faster is the baseline);
  * studio: the main window in its default layout (worker thread, every live plot docked, the visible ones
    drawing), while a 10 ms precise QTimer on the main thread records how late each tick arrives (the event
    loop's latency).
Runs alternate headless, studio, headless, …, so each studio run is compared with the mean of the two headless
runs around it (load from other processes drifts slowly; pairs cancel most of it). Prints every pair, the
medians of the throughput share and of the p50/p99 lateness, and a breakdown of the main thread's time per plot
(setData, painting) and for the relayed updates. Targets: p99 lateness ≤ 30 ms, throughput ≥ 90 %.

Then the same for the default project (circles, 2-8-8-2 tanh, --builder-epochs epochs), where the network
builder draws every neuron's thumbnail and the live edges: its row in the breakdown ("builder": converting the
grid predictions to thumbnails, and painting the scene) is the GUI-thread cost of watching the network learn.
Target: ≤ 10 % of a core (100 ms per second of training). `--builder-epochs 0` skips this part.
Machines here are shared: compare figures from one run, never across runs.

What a studio run's time counts: from pressing Train to the `finished` signal, i.e. until the window shows the
run's end (the final weights in the document, the plots' last draw). That includes the worker's start, building
the network, opening the run store and writing the initial weights, every snapshot, the doctor, the updates
relayed to the window, and the held-out evaluation. The run's record then commits its last rows to the store
(since issue #17 after `finished`, before the controller turns idle and Train can start another run): that time
is printed beside the throughput ("idle after finished": the window's own handling of the end, then the commit),
not counted in it, since the user watches the finished run meanwhile. Runs are recorded into a fresh store in this benchmark's scratch folder, never the
user's own (a store that has reached its 1 GiB checkpoint cap drops an old checkpoint for every new one, which
costs its writer thread more: measure that with --data-dir pointing at such a store).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.studio_costs import PaintTimer, PlotCost, built_panels, plot_costs

TICK_MS = 10
_SCRATCH = Path(tempfile.mkdtemp(prefix="studio-benchmark-"))  # settings and autosave: never the user's own


@dataclass
class StudioRun:
    samples_per_second: float
    lateness: np.ndarray  # seconds each 10 ms tick came late
    wall: float  # seconds from pressing Train to the finished signal
    main_cpu: float  # CPU seconds the main thread used meanwhile
    relay_seconds: float  # main-thread time in the controller's update slot (every plot's intake)
    relay_cpu: float = 0.0  # the same in CPU time
    record_seconds: float = 0.0  # from `finished` until the controller is idle (the run's record committed)
    plots: list[PlotCost] = field(default_factory=list)

    def percentile_ms(self, q: float) -> float:
        return float(np.percentile(self.lateness, q)) * 1000 if self.lateness.size else 0.0


def digits_document(epochs: int):
    from core.spec import default_layer, output_layer, validate_spec
    from studio.document import Document

    document = Document()
    document.set_data_source({"kind": "sklearn", "name": "digits"})
    spec = document.spec.to_json()  # a plain copy to edit, validated below
    spec["layers"] = [default_layer(128, "relu"), default_layer(64, "relu"), output_layer(10, "classification")]
    spec["training"].update(epochs=epochs, batch_size=32, batch_mode="mini",
                            optimizer={"name": "adam", "lr": 1e-3})
    document.set_spec(validate_spec(spec), "Digits benchmark network")
    return document


def circles_document(epochs: int):
    """The default project (circles, 2-8-8-2 tanh): 2-D data, so the builder shows neuron thumbnails."""
    from studio.document import Document

    document = Document()
    document.set_training_field("epochs", epochs)
    return document


def headless_run(document, blas_threads: int | None = None) -> float:
    """Samples per second of the plain Trainer (wall time, network construction included); `blas_threads`
    limits BLAS's threads for the run (None: BLAS's default)."""
    from threadpoolctl import threadpool_limits

    from core.network import Network
    from core.training.trainer import Trainer

    data = document.prepared()
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        start = time.perf_counter()
        trainer = Trainer(Network.from_spec(document.spec), data, report_every=0, confusion=True)
        for _snapshot in trainer.run():
            pass
        elapsed = time.perf_counter() - start
    return trainer.samples_seen / elapsed


def headless_pair(document) -> tuple[float, float]:
    """(default BLAS threads, one BLAS thread) samples per second."""
    return headless_run(document), headless_run(document, blas_threads=1)


def studio_run(document, app, painters: tuple[PaintTimer, ...] = (), show: tuple[str, ...] = ()) -> StudioRun:
    """Train through the studio's main window (its worker and its docked live plots, in their default layout, with
    the docks named in `show` raised in front, e.g. "doctor_dock")."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from studio.main_window import MainWindow

    window = MainWindow(document, autosave_folder=_SCRATCH / "autosave")
    window.show()
    controller = window.controller
    controller.show_dialogs = False
    controller.set_speed(None)  # maximum speed, whatever the settings remember
    for name in show:
        window.docks[name].raise_()
    for _ in range(3):
        app.processEvents()
    for painter in painters:
        painter.watch(built_panels(window))
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
    cpu_start, start = time.thread_time(), time.perf_counter()
    controller.start()
    loop.exec()
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
    while controller.is_active and time.perf_counter() - start < elapsed + 30:  # the record commits, then idle
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
    record_seconds = time.perf_counter() - start - elapsed
    timer.stop()
    controller.shutdown()
    if not results:
        raise RuntimeError("the studio run failed")
    final = controller.last_result.snapshot
    run = StudioRun(final.samples_per_second * final.elapsed / elapsed, np.array(lateness), elapsed, cpu,
                    controller.seconds_relaying, controller.cpu_seconds_relaying, record_seconds,
                    plot_costs(built_panels(window), *painters) if painters else [])
    window.hide()
    window.deleteLater()  # the document goes with it: each repeat opens a fresh window and document
    app.processEvents()
    return run


def _setup_app(data_dir: Path | None = None):
    """The application, with settings, autosave and run stores in the scratch folder (or `data_dir`)."""
    import pyqtgraph as pg

    from core.runs.store_file import DATA_DIR_VARIABLE

    os.environ[DATA_DIR_VARIABLE] = str(data_dir or _SCRATCH / "data")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("BackpropStudioBenchmark")
    QCoreApplication.setApplicationName("BackpropStudioBenchmark")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(_SCRATCH / "settings"))
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    return app


def print_breakdown(run: StudioRun) -> None:
    """The main thread's time per second of training, plot by plot, for one (the median) studio run: wall time
    (setData, paints; inflated by a loaded machine's waits) and CPU time (whole draws and stray paints)."""
    print(f"\nmain thread during the median studio run ({run.wall:.2f} s): CPU busy {run.main_cpu / run.wall:.0%}")
    print(f"{'':20}{'draws/s':>8}{'setData ms':>11}{'paints/s':>9}{'paint ms':>9}{'wall ms/s':>10}"
          f"{'CPU ms/draw':>12}{'stray/s':>8}{'CPU ms/s':>9}")
    for cost in sorted(run.plots, key=lambda c: -c.cpu_per_second_ms(run.wall)):
        if not cost.draws and not cost.paints:
            print(f"{cost.name:20}{'not drawn: behind another tab, or no data for it':>50}")
            continue
        print(f"{cost.name:20}{cost.draws / run.wall:8.1f}{cost.draw_seconds * 1000 / max(1, cost.draws):11.2f}"
              f"{cost.paints / run.wall:9.1f}{cost.paint_seconds * 1000 / max(1, cost.paints):9.2f}"
              f"{cost.per_second_ms(run.wall):10.1f}{cost.draw_cpu * 1000 / max(1, cost.draws):12.2f}"
              f"{cost.stray_paints / run.wall:8.1f}{cost.cpu_per_second_ms(run.wall):9.1f}")
    print(f"{'relayed updates':20}{'':47}{run.relay_seconds * 1000 / run.wall:10.1f}{'':20}"
          f"{run.relay_cpu * 1000 / run.wall:9.1f}")
    print("(docks behind a tab and never shown are not built yet, so they take in nothing; CPU ms/s is the figure "
          "to compare on a loaded machine)")


def _measure(app, painters: tuple[PaintTimer, ...], epochs: int, repeats: int, make_document=None,
             title: str = "digits 64-128-64-10 ReLU, Adam, batch 32", show: tuple[str, ...] = ()
             ) -> tuple[list[StudioRun], list[float]]:
    """Warm up, then alternate headless pairs and studio runs, printing a row per studio run."""
    make_document = make_document or digits_document
    document = make_document(epochs)
    headless_run(document)  # warm-up: Numba's cache, BLAS threads, sklearn's loader
    studio_run(make_document(max(1, epochs // 10)), app)  # warm-up: the window's first layout and paint
    headless = [headless_pair(document)]
    runs: list[StudioRun] = []
    shares: list[float] = []
    print(f"{title}, {epochs} epochs; "
          f"{repeats} studio runs, each between two headless runs (default BLAS threads / one BLAS thread)")
    print(f"{'run':>4}{'headless/s':>21}{'studio/s':>10}{'share':>7}{'p50 ms':>8}{'p99 ms':>8}{'main CPU':>10}")
    for index in range(repeats):
        run = studio_run(make_document(epochs), app, painters, show)
        headless.append(headless_pair(document))
        default, single = ((a + b) / 2 for a, b in zip(headless[-2], headless[-1]))
        shares.append(run.samples_per_second / max(default, single))
        runs.append(run)
        print(f"{index + 1:4}{default:11,.0f} /{single:8,.0f}{run.samples_per_second:10,.0f}{shares[-1]:7.0%}"
              f"{run.percentile_ms(50):8.1f}{run.percentile_ms(99):8.1f}{run.main_cpu / run.wall:10.0%}")
    return runs, shares


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=400)  # ~1.5 s a run on a quiet 2-core machine
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--builder-epochs", type=int, default=3000)  # circles: ~2 s a run on a quiet machine
    parser.add_argument("--show", action="append", default=[], metavar="DOCK",
                        help="raise this dock in front for the studio runs (repeatable), e.g. doctor_dock")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the user data folder whose runs/untitled.runs.sqlite records the studio runs "
                             "(default: a fresh one in the scratch folder)")
    args = parser.parse_args(argv)

    from studio.widgets.builder.view import BuilderView

    from core.runs.store_file import DATA_DIR_VARIABLE

    users_data_dir = os.environ.get(DATA_DIR_VARIABLE)
    app = _setup_app(args.data_dir)
    painters = (PaintTimer(), PaintTimer(BuilderView))
    for painter in painters:
        painter.install()
    try:
        runs, shares = _measure(app, painters, args.epochs, args.repeats, show=tuple(args.show))
        _report(runs, shares)
        if args.builder_epochs > 0:
            print()
            runs, shares = _measure(app, painters, args.builder_epochs, args.repeats, circles_document,
                                    "circles 2-8-8-2 tanh (neuron thumbnails and live edges in the builder)",
                                    tuple(args.show))
            _report(runs, shares)
            _report_builder(runs)
    finally:
        for painter in painters:
            painter.uninstall()
        if users_data_dir is None:  # (a caller in the same process, e.g. a test, gets its own folder back)
            os.environ.pop(DATA_DIR_VARIABLE, None)
        else:
            os.environ[DATA_DIR_VARIABLE] = users_data_dir
    return 0


def _report_builder(runs: list[StudioRun]) -> None:
    """The builder's GUI-thread cost per run, as a share of one core (target ≤ 10 %)."""
    shares = [sum(c.per_second_ms(r.wall) for c in r.plots if c.name == "builder") / 1000 for r in runs]
    print(f"\nbuilder (thumbnails + edges) on the GUI thread: {statistics.median(shares):.1%} of a core (median of "
          f"{len(shares)} runs; range {min(shares):.1%}–{max(shares):.1%}; target ≤ 10 %)")


def _report(runs: list[StudioRun], shares: list[float]) -> None:
    share = statistics.median(shares)
    p50 = statistics.median(r.percentile_ms(50) for r in runs)
    p99 = statistics.median(r.percentile_ms(99) for r in runs)
    print(f"\nstudio throughput  {share:6.0%} of the faster headless (median of {len(shares)} pairs; "
          f"range {min(shares):.0%}–{max(shares):.0%}; target ≥ 90 %)")
    print(f"lateness p50       {p50:6.1f} ms")
    print(f"lateness p99       {p99:6.1f} ms (median of the runs' p99; range "
          f"{min(r.percentile_ms(99) for r in runs):.1f}–{max(r.percentile_ms(99) for r in runs):.1f}; "
          f"target ≤ 30 ms)")
    commits = [r.record_seconds * 1000 for r in runs]
    print(f"idle after finished {statistics.median(commits):.0f} ms (median; range {min(commits):.0f}–"
          f"{max(commits):.0f}: the window takes the end in, then the record commits; Train is enabled after it)")
    gui = [r.main_cpu * 1000 / r.wall for r in runs]
    print(f"GUI-thread CPU     {statistics.median(gui):6.1f} ms per second of training (median; range "
          f"{min(gui):.1f}–{max(gui):.1f}; CPU time, which the machine's load inflates least)")
    print_breakdown(sorted(runs, key=lambda r: r.percentile_ms(99))[len(runs) // 2])


if __name__ == "__main__":
    raise SystemExit(main())
