"""Loss-landscape speed: a 41×41 slice (filter-normalised random directions, the fixed subset of ≤ 1,000 training
rows) timed end to end through `core.landscape.make_slice`, after one warm-up slice compiles the kernels.

    .venv/bin/python -m benchmarks.landscape_speed [--repeats 3] [--grid 41]

Targets (issue #15): digits ≤ 3 s, the default project ≤ 1 s. Workloads:
  * default: the studio's first-start project, 2-8-8-2 tanh on 400 "circles" points (studio.document's
    DEFAULT_SOURCE and split, rebuilt here without Qt);
  * digits example: resources/examples/digits.bps (64-64-10);
  * digits 64-128-64-10: the engine benchmark's digits network, the larger of the two.
Medians of the repeats are printed with the load average: the machines are shared, so compare figures of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

TARGETS = {"default": 1.0, "digits example": 3.0, "digits 64-128-64-10": 3.0}


def workloads() -> dict:
    """name -> (spec, x, y)."""
    from benchmarks.workloads import WORKLOADS
    from core.cli.resources import example_paths
    from core.data import playground, prepare
    from core.project import load_project
    from core.project_parts import prepare_from_config
    from core.spec import default_spec
    default = prepare(playground("circles", num_points=400, noise=0.1, seed=0), val_fraction=0.2,
                      test_fraction=0.2)
    example = load_project(example_paths()["digits"])
    digits = prepare_from_config(example.data_config, example.spec)
    engine_digits = WORKLOADS["digits"]()
    return {"default": (default_spec(), default.x_train, default.y_train),
            "digits example": (example.spec, digits.x_train, digits.y_train),
            "digits 64-128-64-10": (engine_digits.spec(), engine_digits.x, engine_digits.y)}


def time_slice(spec, x, y, grid: int) -> float:
    from core.landscape import make_slice
    from core.network import Network
    centre = Network.from_spec(spec).params
    started = time.perf_counter()
    make_slice(spec, x, y, centre, centre_label="the initial weights", grid=grid)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grid", type=int, default=41)
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; {args.grid}×{args.grid} grid")
    print(f"{'workload':<22}{'parameters':>11}{'rows':>7}{'median s':>10}{'target s':>10}  met")
    for name, (spec, x, y) in workloads().items():
        from core.network import Network
        time_slice(spec, x, y, 3)  # compile and warm up
        seconds = statistics.median(time_slice(spec, x, y, args.grid) for _ in range(args.repeats))
        target = TARGETS[name]
        print(f"{name:<22}{Network.from_spec(spec).params.size:>11,}{min(len(x), 1000):>7}{seconds:>10.2f}"
              f"{target:>10.1f}  {'yes' if seconds <= target else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
