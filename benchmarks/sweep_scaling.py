"""How sweeps scale with local workers: trials per minute on digits (30 epochs) with 1 and with 2 workers.

    .venv/bin/python -m benchmarks.sweep_scaling [--trials 120] [--epochs 30] [--workers 1 2] [--repeats 3]
                                                 [--workload digits]

A project is made in a temporary folder from the engine benchmark's digits network (64-128-64-10 ReLU, batch 32,
Adam) on scikit-learn's digits (the project's own split: 60 % train, 20 % validation, 20 % test), and swept over
the learning rate (log 1e-4..1e-2: a trial's cost does not depend on it), random sampler, no pruning (every trial
trains all its epochs), each trial recorded in the run store as in real use. Each worker count gets its own
study of the same trials. Printed per worker count: trials per minute over the whole `run_sweep` call (process
start-up included), and while all its workers run (from the moment the last worker started its first trial to
the last trial's end: what a long sweep approaches); then the ratio of K workers to 1 worker. BLAS runs one
thread per worker, as in a sweep. Target (issue #16): ≥ 1.7× from 1 to 2 workers on a 2-core machine.
"digits-example" uses the bundled example's smaller network (64-64-10) instead.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

DATA_CONFIG = {"source": {"kind": "sklearn", "name": "digits"}, "val_fraction": 0.2, "test_fraction": 0.2,
               "scaling": "standard", "feature_transform": []}


def make_project(folder: Path, workload: str, epochs: int) -> Path:
    from core.cli.resources import example_paths
    from core.project import load_project, save_project
    from core.spec import with_changes
    if workload == "digits-example":
        spec = load_project(example_paths()["digits"]).spec
    else:
        from benchmarks.workloads import WORKLOADS
        spec = WORKLOADS["digits"]().spec()
    path = folder / "digits.bps"
    save_project(path, with_changes(spec, {"training.epochs": epochs}), DATA_CONFIG, None, [], {})
    return path


def measure(project: Path, workers: int, trials: int, study: str | None = None) -> dict[str, Any]:
    import optuna
    from core.spec import default_spec
    from core.sweeps import SweepPlan, parse_param, run_sweep
    from core.sweeps.storage import open_storage
    lr = parse_param("training.optimizer.lr=log:1e-4:1e-2", default_spec(64, 10))
    plan = SweepPlan(project, (lr,), sampler="random", trials=trials, workers=workers, prune=False,
                     study_name=study or f"workers-{workers}")
    began = time.perf_counter()
    outcome = run_sweep(plan)
    wall = time.perf_counter() - began
    frozen = optuna.load_study(study_name=outcome.study_name, storage=open_storage(outcome.storage)).trials
    # "all running": from the moment the last worker started its first trial (a spawned worker takes seconds to
    # start on a busy machine) to the last trial's end, the trials that started in that window.
    firsts: dict[str, Any] = {}
    for trial in frozen:
        worker = trial.user_attrs.get("worker")
        firsts[worker] = min(firsts.get(worker, trial.datetime_start), trial.datetime_start)
    window_start, end = max(firsts.values()), max(t.datetime_complete for t in frozen)
    in_window = [t for t in frozen if t.datetime_start >= window_start]
    span = (end - window_start).total_seconds()
    states = {t.state for t in outcome.trials}
    return {"workers": workers, "trials": len(outcome.trials), "states": sorted(states), "wall_s": wall,
            "per_minute": 60 * len(outcome.trials) / wall, "all_running_trials": len(in_window),
            "trials_span_s": span, "per_minute_running": 60 * len(in_window) / span}


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=120)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workload", choices=("digits", "digits-example"), default="digits")
    parser.add_argument("--repeats", type=int, default=1, help="rounds of every worker count, interleaved (so "
                                                               "each sees the same spells of load); medians")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="sweep-scaling-"))
    try:
        project = make_project(folder, args.workload, args.epochs)
        measure(project, 1, 2, "warm-up")  # warm-up: kernels loaded from the cache, data set cached by scikit-learn
        rounds = [[measure(project, workers, args.trials, f"workers-{workers}-round-{round_}")
                   for workers in args.workers] for round_ in range(args.repeats)]
        results = [_median_of([one[index] for one in rounds]) for index in range(len(args.workers))]
    finally:
        for thread in threading.enumerate():  # the run stores' closing threads, before their folder goes
            if thread.name == "RunStoreClose":  # (core.runs.session)
                thread.join()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"sweep scaling: {args.workload}, {args.epochs} epochs a trial, {args.trials} trials, random sampler, "
          f"no pruning; median of {args.repeats} interleaved round(s)")
    base = results[0]
    for result in results:
        print(f"  {result['workers']} worker(s): {result['per_minute']:7.1f} trials/min overall "
              f"({result['wall_s']:.1f} s), {result['per_minute_running']:7.1f} trials/min with all running "
              f"(× {result['per_minute'] / base['per_minute']:.2f} overall, "
              f"× {result['per_minute_running'] / base['per_minute_running']:.2f} running, vs "
              f"{base['workers']} worker(s))")
    return results


def _median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One result whose rates are the medians of `results` (the same worker count, several rounds)."""
    merged = dict(results[0])
    for key in ("wall_s", "per_minute", "trials_span_s", "per_minute_running"):
        merged[key] = statistics.median(result[key] for result in results)
    return merged


if __name__ == "__main__":
    main()
