"""Multi-run throughput: two trainings at once against one, in two threads of one process and in two processes.

    .venv/bin/python -m benchmarks.concurrent_runs [--workload digits] [--epochs N] [--repeats N]

A race or a sweep trains several networks at once. On a 2-core machine, two concurrent runs should together train
close to twice as many samples per second as one run alone (target ≥ 1.7×). Each run here is core's Trainer on
the benchmark's workload (`benchmarks.workloads`), trained for `epochs` epochs after a warm-up one; throughput is
samples per second of wall time from the moment all runs may start to the moment the last one finishes.

- one run: the reference, at BLAS's default thread count and at one thread, credited with the faster;
- two threads of one process (the kernels release the GIL): with BLAS at its default thread count, then with one
  BLAS thread per run (threadpoolctl's limit is per process; two runs that each ask for every core's BLAS threads
  oversubscribe the cores);
- two processes, each with one BLAS thread.
The variants take turns, round after round, and the median of the rounds is printed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import threading
import time

from benchmarks.core_runner import CoreMLP
from benchmarks.workloads import WORKLOADS

DEFAULT_EPOCHS = 100  # about 0.4 s of digits per run and round


def _train(model: CoreMLP, epochs: int, start: threading.Barrier | None = None) -> None:
    if start is not None:
        start.wait()
    for _ in range(epochs):
        model.train_epoch()


def one_run(model: CoreMLP, epochs: int) -> float:
    """Seconds for `epochs` epochs of one run in the calling thread."""
    started = time.perf_counter()
    _train(model, epochs)
    return time.perf_counter() - started


def two_threads(models: list[CoreMLP], epochs: int) -> float:
    """Wall seconds for two runs of `epochs` epochs each, one per thread, started together."""
    start = threading.Barrier(len(models) + 1)
    threads = [threading.Thread(target=_train, args=(model, epochs, start)) for model in models]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _process_main(workload: str, epochs: int, rounds: int, ready, go, done) -> None:
    """A child process: one run at one BLAS thread; for each round, wait for `go`, train, report its end time."""
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1, user_api="blas")
    model = CoreMLP(WORKLOADS[workload]())
    model.train_epoch()  # warm-up (compiled kernels come from the cache)
    ready.put(True)
    for _ in range(rounds):
        go.wait()
        _train(model, epochs)
        done.put(time.monotonic())  # CLOCK_MONOTONIC: one clock for every process on the machine


class TwoProcesses:
    """Two child processes kept alive across rounds, so only training is timed (not start-up or compilation)."""

    def __init__(self, workload: str, epochs: int, rounds: int, count: int = 2):
        context = multiprocessing.get_context("spawn")
        self.ready, self.done = context.Queue(), context.Queue()
        self.go = [context.Event() for _ in range(rounds)]
        self.count = count
        self.processes = [context.Process(target=_process_main, daemon=True,
                                          args=(workload, epochs, rounds, self.ready, _Rounds(self.go), self.done))
                          for _ in range(count)]
        for process in self.processes:
            process.start()
        for _ in range(count):
            self.ready.get(timeout=600)
        self.round = 0

    def run(self) -> float:
        """Wall seconds for both processes' runs of this round."""
        started = time.monotonic()
        self.go[self.round].set()
        self.round += 1
        ends = [self.done.get(timeout=600) for _ in range(self.count)]
        return max(ends) - started

    def close(self) -> None:
        for process in self.processes:
            process.join(timeout=60)
            if process.is_alive():  # pragma: no cover - a child that hangs
                process.terminate()


class _Rounds:
    """What a child waits on: the events of the rounds, one after another (picklable for spawn)."""

    def __init__(self, events):
        self.events, self.index = events, 0

    def wait(self) -> None:
        self.events[self.index].wait()
        self.index += 1


def measure(workload: str = "digits", epochs: int = DEFAULT_EPOCHS, repeats: int = 3) -> dict:
    """Samples per second of one run and of two concurrent runs (threads, processes), median of `repeats`
    rounds, and the concurrent throughputs as multiples of one run's."""
    from threadpoolctl import ThreadpoolController
    load_before = os.getloadavg()  # two runs can only use two cores that other programs leave free
    controller = ThreadpoolController()
    blas_default = max([info["num_threads"] for info in controller.info() if info["user_api"] == "blas"] or [1])
    work = WORKLOADS[workload]()
    samples = work.num_samples * epochs
    single = CoreMLP(work)
    pair = [CoreMLP(work), CoreMLP(work)]
    for model in (single, *pair):
        model.train_epoch()
    processes = TwoProcesses(workload, epochs, repeats)
    times: dict[str, list[float]] = {key: [] for key in ("one run", "one run, 1 BLAS thread", "two threads",
                                                         "two threads, 1 BLAS thread each", "two processes")}
    try:
        for _ in range(repeats):
            with controller.limit(limits=blas_default, user_api="blas"):
                times["one run"].append(one_run(single, epochs))
                times["two threads"].append(two_threads(pair, epochs))
            with controller.limit(limits=1, user_api="blas"):
                times["one run, 1 BLAS thread"].append(one_run(single, epochs))
                times["two threads, 1 BLAS thread each"].append(two_threads(pair, epochs))
            times["two processes"].append(processes.run())
    finally:
        processes.close()
    rate = {key: (2 if key.startswith("two") else 1) * samples / statistics.median(values)
            for key, values in times.items()}
    best_single = max(rate["one run"], rate["one run, 1 BLAS thread"])
    return {"workload": workload, "epochs": epochs, "repeats": repeats, "blas_default": blas_default,
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "samples_per_second": rate, "vs_one_run": {key: value / best_single for key, value in rate.items()}}


def describe(result: dict) -> str:
    lines = [f"concurrent runs: {result['workload']}, {result['epochs']} epochs per run, median of "
             f"{result['repeats']} rounds (BLAS default {result['blas_default']} threads; load average "
             f"{result['load_average_before'][0]:.1f} before, {result['load_average_after'][0]:.1f} after, on "
             f"{os.cpu_count()} CPUs); throughput against one run's (the faster of its two thread settings), target "
             f"≥ 1.7× for two runs"]
    for key, rate in result["samples_per_second"].items():
        lines.append(f"  {key:<34}{rate:12,.0f} samples/s{result['vs_one_run'][key]:8.2f}×")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=list(WORKLOADS), default="digits")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(describe(measure(args.workload, args.epochs, args.repeats)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
