"""What the training doctor adds to headless training: digits runs with and without it, in the same process.

    .venv/bin/python -m benchmarks.doctor_cost [--epochs 100] [--repeats 7] [--workloads digits digits-example]

Each repeat trains the same run (same seed, same data) three ways, in turns whose order rotates so each sees the
same spells of load on a shared machine: without the doctor; with `core.diagnostics.Doctor` and its activation
probe on their normal cadence (what the studio and `doctor` run); and with a pass at every epoch (the cadence
before, for comparison). BLAS uses one thread, as in the studio's runs. It prints the median seconds per run of
each, the overhead as a ratio of medians, and the doctor's own time (summed inside `observe`) over the run
without it, which the machine's noise disturbs less (also as fastest repeat over fastest repeat, what a quiet
machine approaches). Target (issue #14): ≤ 3 % on digits.

Workloads: "digits" is the engine benchmark's (64-128-64-10 ReLU, batch 32, 1,437 samples, about 4–6 ms an
epoch); "digits-example" is the bundled example project (64-64-10, 1,079 training rows, about 1 ms an epoch, with
its validation set evaluated every epoch).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable

VARIANTS = ("without", "doctor", "every-epoch doctor")


def _benchmark_digits() -> tuple[dict[str, Any], Any]:
    from benchmarks.core_runner import prepared_data
    from benchmarks.workloads import WORKLOADS
    work = WORKLOADS["digits"]()
    return work.spec(), prepared_data(work)


def _example_digits() -> tuple[dict[str, Any], Any]:
    from core.cli.resources import example_paths
    from core.project import load_project
    from core.project_parts import prepare_from_config
    project = load_project(example_paths()["digits"])
    return project.spec, prepare_from_config(project.data_config, project.spec)


WORKLOADS: dict[str, Callable[[], tuple[dict[str, Any], Any]]] = {"digits": _benchmark_digits,
                                                                   "digits-example": _example_digits}


def one_run(spec: dict[str, Any], data, epochs: int, variant: str) -> tuple[float, float, int]:
    """(seconds for the whole run, seconds inside the doctor, detector passes) for one variant."""
    from core.diagnostics import ActivationProbe, Doctor
    from core.network import Network
    from core.training import Trainer
    network = Network.from_spec(spec)
    trainer = Trainer(network, data, dict(spec["training"], epochs=epochs), report_every=0, confusion=False)
    doctor = None
    if variant != "without":
        doctor = Doctor(trainer.spec, planned_epochs=trainer.epochs, probe=ActivationProbe(network, data.x_train),
                        every_epoch=variant == "every-epoch doctor")
    inside = 0.0
    start = time.perf_counter()
    for snapshot in trainer.run():
        if doctor is not None:
            began = time.perf_counter()
            doctor.observe(snapshot)
            inside += time.perf_counter() - began
    return time.perf_counter() - start, inside, doctor.passes if doctor is not None else 0


def measure(name: str, epochs: int, repeats: int) -> dict[str, Any]:
    spec, data = WORKLOADS[name]()
    one_run(spec, data, 2, "doctor")  # warm-up: kernels loaded, caches filled
    seconds: dict[str, list[float]] = {v: [] for v in VARIANTS}
    inside: dict[str, list[float]] = {v: [] for v in VARIANTS}
    passes: dict[str, int] = {}
    for repeat in range(repeats):
        order = VARIANTS[repeat % 3:] + VARIANTS[:repeat % 3]
        for variant in order:
            total, doctor_time, passes[variant] = one_run(spec, data, epochs, variant)
            seconds[variant].append(total)
            inside[variant].append(doctor_time)
    base = statistics.median(seconds["without"])
    return {"workload": name, "epochs": epochs, "repeats": repeats,
            "seconds": {v: statistics.median(seconds[v]) for v in VARIANTS},
            "overhead": {v: statistics.median(seconds[v]) / base - 1.0 for v in VARIANTS[1:]},
            "inside_share": {v: statistics.median(inside[v]) / base for v in VARIANTS[1:]},
            # the fastest repeat of each: what a quiet machine approaches (preemption only ever adds time)
            "inside_share_best": {v: min(inside[v]) / min(seconds["without"]) for v in VARIANTS[1:]},
            "passes": {v: passes[v] for v in VARIANTS[1:]}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    import numpy  # noqa: F401  (loads BLAS: threadpoolctl limits only the libraries already loaded)
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):  # as the studio trains (studio/training/thread_budget.py)
        for name in args.workloads:
            result = measure(name, args.epochs, args.repeats)
            seconds = result["seconds"]
            print(f"{name}: {args.epochs} epochs, median of {args.repeats}: without the doctor "
                  f"{seconds['without']:.3f} s ({seconds['without'] / args.epochs * 1e3:.2f} ms/epoch)")
            for variant in VARIANTS[1:]:
                print(f"  {variant:<19} {seconds[variant]:.3f} s  overhead {result['overhead'][variant]:+.1%}  "
                      f"(time inside the doctor: {result['inside_share'][variant]:.1%} of the run without it, "
                      f"fastest repeats {result['inside_share_best'][variant]:.1%}; "
                      f"{result['passes'][variant]} detector passes)")


if __name__ == "__main__":
    main()
