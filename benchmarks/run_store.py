"""Run store costs: what recording adds to training, and how fast a long run list opens.

    .venv/bin/python -m benchmarks.run_store [--epochs 300] [--repeats 5] [--runs 1000] [--run-epochs 1000]
                                              [--json OUT]

1. Recording overhead: the digits example trained headless exactly as `backprop-studio train` does (one snapshot
   per epoch, one BLAS thread), without and with recording (`core.cli.run_recording.CliRecording`: opening the
   store, the initial weights, the writer thread, checkpoints, the final flush and close), alternated in one
   process. Two figures: the wall-time ratio (median over pairs; on a shared 2-core machine its noise is far
   larger than 2 %), and the recording's own cost: the time the training thread spends in the recording's calls
   plus the CPU time of the writer thread, over the plain run's time. That cost is an upper bound: when the
   writer takes the GIL during one of those calls, its time is counted twice; the same with the calls' CPU time
   only (no GIL or disk waits) is the lower bound. A run pays a fixed part (opening
   the store, the first and last commits: ~10–30 ms here) and a part per epoch (~0.1 ms), so short runs pay a
   larger share: try --epochs 1000. Target (issue #15): ≤ 2 %.
2. Listing: a store of `--runs` runs × `--run-epochs` epochs (each with its spec, epoch rows, summary and a full
   series of 10,000 kept batch losses, written through the store's own write functions) is generated in a
   temporary folder; then `RunStore.open` + `list_runs` (every run's summary and spec) is timed, median of 5.
   Target: ≤ 0.5 s for 1,000 × 1,000.
The machine is shared and noisy: compare figures measured in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DIGITS = REPO / "resources" / "examples" / "digits.bps"
OVERHEAD_TARGET, LIST_TARGET_SECONDS = 0.02, 0.5


def _train_run(project, prepared, epochs: int, store_folder: Path | None) -> dict[str, float]:
    """One digits run: its wall seconds; with a store, also the seconds the training thread spent in the
    recording's calls (start, every record, finish) and the CPU seconds of the store's writer thread."""
    from core.cli.run_recording import CliRecording
    from core.project_parts import network_with_weights
    from core.spec import with_changes
    from core.training import Trainer
    spec = with_changes(project.spec, {"training.epochs": epochs})
    network = network_with_weights(spec, None)
    trainer = Trainer(network, prepared, report_every=0, confusion=False)
    started, started_cpu = time.perf_counter(), time.thread_time()
    recording = (None if store_folder is None else
                 CliRecording.start(store_folder / "digits.bps", spec, project.data_config, prepared, network))
    in_recording = time.perf_counter() - started
    in_recording_cpu = time.thread_time() - started_cpu
    last = None
    for snapshot in trainer.run():
        last = snapshot
        if recording is not None:
            call, call_cpu = time.perf_counter(), time.thread_time()
            recording.record(snapshot)
            in_recording += time.perf_counter() - call
            in_recording_cpu += time.thread_time() - call_cpu
    writer_cpu = 0.0
    if recording is not None:
        call, call_cpu = time.perf_counter(), time.thread_time()
        writer = recording.session.recorder._writer
        recording.finish(last, None)  # (the test figures are measured with or without recording)
        in_recording += time.perf_counter() - call
        in_recording_cpu += time.thread_time() - call_cpu
        writer_cpu = writer.cpu_seconds
    return {"wall": time.perf_counter() - started, "calls": in_recording, "calls_cpu": in_recording_cpu,
            "writer_cpu": writer_cpu}


def recording_overhead(epochs: int, repeats: int) -> dict:
    from threadpoolctl import threadpool_limits

    from core.project import load_project
    from core.project_parts import prepare_from_config
    project = load_project(DIGITS)
    prepared = prepare_from_config(project.data_config, project.spec)
    plain, recorded = [], []
    with tempfile.TemporaryDirectory() as folder, threadpool_limits(1):  # one BLAS thread, as the studio runs
        _train_run(project, prepared, 3, Path(folder))  # compile / warm the kernels and the imports
        for repeat in range(repeats):
            order = (None, Path(folder)) if repeat % 2 == 0 else (Path(folder), None)
            for store_folder in order:
                (plain if store_folder is None else recorded).append(_train_run(project, prepared, epochs,
                                                                                store_folder))
    ratios = [r["wall"] / p["wall"] for r, p in zip(recorded, plain)]
    overhead = statistics.median(ratios) - 1
    # The recording's own cost: training-thread time in its calls plus the writer's CPU, over the plain run's time
    costs = [(r["calls"] + r["writer_cpu"]) / p["wall"] for r, p in zip(recorded, plain)]
    cpu_costs = [(r["calls_cpu"] + r["writer_cpu"]) / p["wall"] for r, p in zip(recorded, plain)]
    return {"epochs": epochs, "repeats": repeats, "plain_s": statistics.median(p["wall"] for p in plain),
            "recorded_s": statistics.median(r["wall"] for r in recorded), "overhead": overhead,
            "calls_s": statistics.median(r["calls"] for r in recorded),
            "writer_cpu_s": statistics.median(r["writer_cpu"] for r in recorded),
            "calls_cpu_s": statistics.median(r["calls_cpu"] for r in recorded),
            "cost": statistics.median(costs), "cpu_cost": statistics.median(cpu_costs),
            "met": statistics.median(costs) <= OVERHEAD_TARGET}


def generate_store(path: Path, runs: int, epochs: int) -> None:
    """`runs` finished runs of `epochs` epochs each and a full series of kept batch losses, written with the
    store's own functions."""
    from core.project import load_project
    from core.runs import RunStore
    from core.runs import write_ops
    from core.runs.connection import Transaction
    from core.runs.loss_decimation import KeptLosses
    from core.spec import with_changes
    spec = load_project(DIGITS).spec
    with RunStore.open(path) as store:
        for run in range(runs):
            run_spec = with_changes(spec, {"training.optimizer.lr": 0.001 * (1 + run % 7),
                                           "training.seed": run})
            run_id = store.start_run(run_spec, {"source": {"kind": "bundled", "name": "digits"}}, "hash", run, None)
            rows = [(e, 1 / e, 1 - 1 / e, 1.2 / e, 1 - 1.1 / e, None, None, 0.001, 0.01 * e)
                    for e in range(1, epochs + 1)]
            kept = KeptLosses()  # a full series of kept batch losses, as a long run leaves
            kept.add(np.arange(1, 2 * kept.capacity + 1), np.linspace(2.0, 0.1, 2 * kept.capacity))
            with store._lock, Transaction(store._connection) as connection:
                write_ops.add_epochs(connection, run_id, rows)
                write_ops.put_batch_losses(connection, run_id, kept)
                write_ops.finish_run(connection, run_id, "finished", "completed", (0.3, 0.9))


def listing_seconds(runs: int, epochs: int) -> dict:
    from core.runs import RunStore
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "many.runs.sqlite"
        started = time.perf_counter()
        generate_store(path, runs, epochs)
        generated = time.perf_counter() - started
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            with RunStore.open(path) as store:
                listed = store.list_runs()
            timings.append(time.perf_counter() - started)
        assert len(listed) == runs and listed[-1].epochs == epochs
        size = path.stat().st_size
    median = statistics.median(timings)
    return {"runs": runs, "epochs": epochs, "file_mb": size / 1e6, "generate_s": generated, "open_list_s": median,
            "max_s": max(timings), "met": median <= LIST_TARGET_SECONDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=300, help="digits epochs per timed training run")
    parser.add_argument("--repeats", type=int, default=5, help="pairs of runs (without, with recording)")
    parser.add_argument("--runs", type=int, default=1000, help="runs in the generated store")
    parser.add_argument("--run-epochs", type=int, default=1000, help="epochs per run in the generated store")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    overhead = recording_overhead(args.epochs, args.repeats)
    print(f"recording, digits × {overhead['epochs']} epochs, median of {overhead['repeats']} pairs: "
          f"{overhead['plain_s']:.2f} s without, {overhead['recorded_s']:.2f} s with recording (wall "
          f"{overhead['overhead'] * 100:+.1f} %, noisy on a shared machine); the recording's own cost: "
          f"{overhead['calls_s'] * 1000:.0f} ms in its calls on the training thread + "
          f"{overhead['writer_cpu_s'] * 1000:.0f} ms CPU of its writer thread = {overhead['cost'] * 100:.1f} % of "
          f"the training time (target ≤ {OVERHEAD_TARGET * 100:.0f} %: {'met' if overhead['met'] else 'MISSED'}); "
          f"counting CPU time only "
          f"({overhead['calls_cpu_s'] * 1000:.0f} ms in the calls): {overhead['cpu_cost'] * 100:.1f} %")
    listing = listing_seconds(args.runs, args.run_epochs)
    print(f"run list, {listing['runs']} runs × {listing['epochs']} epochs ({listing['file_mb']:.0f} MB, generated "
          f"in {listing['generate_s']:.1f} s): open + list in {listing['open_list_s'] * 1000:.0f} ms (max "
          f"{listing['max_s'] * 1000:.0f} ms; target ≤ {LIST_TARGET_SECONDS * 1000:.0f} ms: "
          f"{'met' if listing['met'] else 'MISSED'})")
    if args.json:
        args.json.write_text(json.dumps({"recording": overhead, "listing": listing}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
