"""Engine speed: core against PyTorch (CPU) and a plain NumPy loop, same workloads, same run, printed as ratios.

    .venv/bin/python -m benchmarks.engine_speed [--workloads playground digits mnist wide-sgdm …] [--repeats N]
                                                [--json F] [--memory] [--concurrent] [--no-profile]

Each implementation trains one warm-up epoch, then the median of several timed epochs is taken; the
implementations take turns epoch by epoch, so on a shared machine each sees the same spells of load. The
machine's float32 GEMM rate (NumPy, 1024×1024) is measured at the start and again in each workload's rounds, at
the default thread count and at one thread like the contenders; core's effective GFLOP/s (the FLOPs of the matmuls
a step computes, forward and backward, per second) is shown as a share of the GEMM rate of the same rounds at the
thread count core was credited with (the "GEMM" column). These machines are shared and noisy: compare the
ratios, not absolute times across runs. The "path" column says whether core trained through the fused kernel (one
Numba call per run of batches) or the general path (see core.training.fast_path); for a general-path workload a
profile per phase follows its row (`benchmarks.phase_profile`: one more epoch with every kernel call timed, at the
credited thread count; `--no-profile` skips it), with the epoch's matmuls alone through NumPy's BLAS and through
PyTorch's (`benchmarks.matmul_probe`), timed in the same rounds: the floor under a compute-bound epoch. `--memory` also measures the peak memory of one MNIST-sized epoch
in a fresh process (`benchmarks.memory`) against its target; `--concurrent` the total throughput of two
concurrent digits runs against one run's (`benchmarks.concurrent_runs`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

from benchmarks import concurrent_runs, phase_profile
from benchmarks.core_runner import CoreMLP
from benchmarks.matmul_probe import MatmulsOnly
from benchmarks.memory import describe, measure_in_fresh_process
from benchmarks.numpy_reference import NumpyMLP
from benchmarks.torch_reference import TorchMLP
from benchmarks.workloads import WORKLOADS

DEFAULT_REPEATS = {"playground": 15, "digits": 9, "mnist": 3, "wide-sgdm": 5, "wide-adam": 5, "wide-rmsprop": 5}
SETTLE_SECONDS = 0.3
MIN_TURN_SECONDS = 0.05


def time_interleaved(models: dict, repeats: int, settle: float = 0.0, before_turn=None) -> dict:
    """Median seconds per epoch of each model, after one warm-up epoch each. The models take turns, so on a
    shared machine every one of them sees the same spells of load. `settle` seconds of sleep before each turn let
    the previous model's idle BLAS/OpenMP threads stop spinning (they busy-wait for a while after each call and
    would otherwise take the CPU from the next model); `before_turn(name)` runs untimed before each turn (it sets
    the model's thread counts). A turn runs enough epochs to last `MIN_TURN_SECONDS` (one for long epochs), so
    caches cooled by the pause weigh little in a sub-millisecond epoch."""
    def turn(name, model, epochs: int) -> float:
        if before_turn is not None:
            before_turn(name)
        if settle:
            time.sleep(settle)
        start = time.perf_counter()
        for _ in range(epochs):
            model.train_epoch()
        return (time.perf_counter() - start) / epochs

    epochs_per_turn = {name: max(1, int(MIN_TURN_SECONDS / max(turn(name, model, 1), 1e-9)))
                       for name, model in models.items()}
    times: dict = {name: [] for name in models}
    for _ in range(repeats):
        for name, model in models.items():
            times[name].append(turn(name, model, epochs_per_turn[name]))
    return {name: statistics.median(values) for name, values in times.items()}


class ThreadSettings:
    """Thread counts per contender: BLAS (all loaded BLAS libraries, through threadpoolctl) and PyTorch's
    intra-op pool. Every implementation runs at its default and at one thread, and is credited with the faster:
    on a loaded 2-core machine, two spinning threads can be several times slower than one, and the studio
    trains with BLAS limited to one thread anyway."""

    def __init__(self, torch_module=None):
        from threadpoolctl import ThreadpoolController
        self.controller = ThreadpoolController()
        self.blas_default = max([info["num_threads"] for info in self.controller.info()
                                 if info["user_api"] == "blas"] or [1])
        self.torch = torch_module
        self.torch_default = torch_module.get_num_threads() if torch_module is not None else 1
        self.counts: dict[str, int] = {}  # contender name → thread count

    def variants(self, name: str, make) -> dict:
        """{name: model at the default count, name + " 1 thread": model at one thread (if that differs)}."""
        default = self.torch_default if name.startswith("torch") else self.blas_default
        models = {name: make()}
        self.counts[name] = default
        if default != 1:
            models[f"{name} 1 thread"] = make()
            self.counts[f"{name} 1 thread"] = 1
        return models

    def apply(self, name: str) -> None:
        count = self.counts.get(name, self.blas_default)
        if name.startswith("torch"):
            if self.torch.get_num_threads() != count:
                self.torch.set_num_threads(count)
            count = self.blas_default
        self.controller.limit(limits=count, user_api="blas")

    def best(self, medians: dict, name: str) -> tuple[float, int]:
        """(seconds, thread count) of the faster variant of `name`."""
        return min((medians[key], self.counts[key]) for key in medians if key == name or
                   key == f"{name} 1 thread")


class GemmProbe:
    """A float32 1024×1024 NumPy matmul as an "epoch", so the machine's GEMM rate is measured in the same rounds
    as the workloads; `gflops(seconds)` converts its median time."""

    def __init__(self, n: int = 1024, products: int = 4):
        self.n, self.products = n, products
        self.a = np.random.default_rng(0).random((n, n), dtype=np.float32)
        self.b = np.random.default_rng(1).random((n, n), dtype=np.float32)

    def train_epoch(self) -> None:
        for _ in range(self.products):
            self.a @ self.b

    def gflops(self, seconds: float) -> float:
        return 2 * self.n ** 3 * self.products / seconds / 1e9


def describe_matmuls(work, core_s: float, gemm: float, best: dict) -> str:
    """The epoch's matmuls alone (benchmarks.matmul_probe) against core's epoch and the GEMM target."""
    flops = work.flops_per_epoch()
    numpy_s, numpy_threads = best["matmuls"]
    text = (f"  matmuls alone (this epoch's products, nothing else): NumPy's BLAS {numpy_s * 1e3:,.0f} ms/"
            f"{numpy_threads} ({flops / numpy_s / 1e9:.0f} GFLOP/s, {100 * flops / numpy_s / 1e9 / gemm:.0f} % of "
            f"GEMM)")
    if "torch matmuls" in best:
        torch_s, torch_threads = best["torch matmuls"]
        text += f", PyTorch's {torch_s * 1e3:,.0f} ms/{torch_threads} ({flops / torch_s / 1e9:.0f} GFLOP/s)"
    budget = flops / (0.85 * gemm * 1e9) - numpy_s
    return (text + f"\n  core's work besides the matmuls: {(core_s - numpy_s) * 1e3:,.0f} ms; an epoch at 85 % of "
            f"GEMM would leave it {budget * 1e3:,.0f} ms")


def gemm_gflops(repeats: int = 20) -> float:
    """The machine's float32 GEMM rate at the start: the median of single products after a warm-up one."""
    probe = GemmProbe(products=1)
    probe.train_epoch()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        probe.train_epoch()
        times.append(time.perf_counter() - start)
    return probe.gflops(statistics.median(times))


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=0, help="timed epochs per implementation (default: per workload)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--memory", action="store_true", help="also measure the peak memory of one MNIST-sized "
                        "epoch in a fresh process")
    parser.add_argument("--concurrent", action="store_true", help="also measure the throughput of two concurrent "
                        "digits runs (threads and processes) against one run's")
    parser.add_argument("--no-profile", action="store_true", help="skip the per-phase profile of general-path rows")
    args = parser.parse_args(argv)

    machine_gemm = gemm_gflops()
    print(f"machine float32 GEMM (NumPy 1024×1024): {machine_gemm:.0f} GFLOP/s; load average "
          f"{', '.join(f'{load:.1f}' for load in os.getloadavg())} (1, 5, 15 min) on {os.cpu_count()} CPUs")
    have_torch = torch_available()
    torch_module = None
    if have_torch:
        import torch as torch_module
        print(f"PyTorch {torch_module.__version__}, {torch_module.get_num_threads()} threads by default")
    else:
        print("PyTorch not installed: its column is skipped")
    threads = ThreadSettings(torch_module)
    print(f"each implementation runs with its default threads (BLAS {threads.blas_default}) and with 1 thread, "
          f"and is credited with the faster (ms/threads)")
    results = []
    header = (f"{'workload':<14}{'path':>8}{'core ms/thr':>13}{'torch ms/thr':>14}{'numpy ms/thr':>14}{'×torch':>9}"
              f"{'×numpy':>9}{'GFLOP/s':>9}{'GEMM':>6}{'%GEMM':>7}")
    print(header)
    for name in args.workloads:
        work = WORKLOADS[name]()
        repeats = args.repeats or DEFAULT_REPEATS[name]
        models = {**threads.variants("core", lambda: CoreMLP(work)),
                  **threads.variants("numpy", lambda: NumpyMLP(work)), **threads.variants("gemm", GemmProbe)}
        if have_torch:
            models.update(threads.variants("torch", lambda: TorchMLP(work)))
        path = "general" if models["core"].trainer.fused is None else "fused"
        if path == "general":  # compute-bound: how fast the epoch's matmuls alone go, with each library's BLAS
            models.update(threads.variants("matmuls", lambda: MatmulsOnly(work, "numpy")))
            if have_torch:
                models.update(threads.variants("torch matmuls", lambda: MatmulsOnly(work, "torch")))
        medians = time_interleaved(models, repeats, SETTLE_SECONDS, threads.apply)
        threads.apply("gemm")  # back to the defaults between workloads
        best = {who: threads.best(medians, who) for who in ("core", "numpy") + (("torch",) if have_torch else ())}
        core_s, numpy_s = best["core"][0], best["numpy"][0]
        torch_s = best["torch"][0] if have_torch else None
        # The machine's GEMM rate during this workload's rounds, at the thread count core was credited with.
        gemm_by_threads = {threads.counts[key]: models["gemm"].gflops(medians[key]) for key in medians
                           if key.startswith("gemm")}
        gemm = gemm_by_threads[best["core"][1]]
        gflops = work.flops_per_epoch() / core_s / 1e9
        row = {"workload": name, "label": work.label, "path": path, "core_ms": core_s * 1e3,
               "core_threads": best["core"][1], "torch_ms": torch_s * 1e3 if torch_s else None,
               "torch_threads": best["torch"][1] if have_torch else None, "numpy_ms": numpy_s * 1e3,
               "numpy_threads": best["numpy"][1], "ms_by_contender": {k: v * 1e3 for k, v in medians.items()},
               "speedup_vs_torch": torch_s / core_s if torch_s else None, "speedup_vs_numpy": numpy_s / core_s,
               "core_gflops": gflops, "gemm_gflops": gemm, "share_of_gemm": gflops / gemm,
               "gemm_gflops_by_threads": gemm_by_threads}
        results.append(row)

        def cell(who: str, width: int) -> str:
            return f"{best[who][0] * 1e3:{width - 2}.2f}/{best[who][1]}" if who in best else f"{'-':>{width}}"

        vs_torch = f"{row['speedup_vs_torch']:8.{1 if row['speedup_vs_torch'] >= 10 else 2}f}×" if torch_s \
            else f"{'-':>9}"
        print(f"{name:<14}{path:>8}{cell('core', 13)}{cell('torch', 14)}{cell('numpy', 14)}{vs_torch}"
              f"{row['speedup_vs_numpy']:8.1f}×{gflops:9.1f}{gemm:6.0f}{100 * gflops / gemm:6.0f}%")
        if path == "general":
            alone = {who: threads.best(medians, who) for who in ("matmuls", "torch matmuls") if who in medians}
            row["matmuls_alone_ms"] = {who: seconds * 1e3 for who, (seconds, _) in alone.items()}
            print(describe_matmuls(work, core_s, gemm, alone))
        if path == "general" and not args.no_profile:
            credited = "core" if best["core"][1] == threads.counts["core"] else "core 1 thread"
            threads.apply(credited)
            seconds, epoch = phase_profile.profile_epoch(models[credited])
            threads.apply("gemm")
            row["profile_ms"] = {phase: value * 1e3 for phase, value in seconds.items()}
            print(phase_profile.describe(name, seconds, epoch, core_s, best["core"][1]))
        sys.stdout.flush()
    memory = concurrent = None
    if args.memory:
        memory = measure_in_fresh_process()
        print(describe(memory))
    if args.concurrent:
        concurrent = concurrent_runs.measure()
        print(concurrent_runs.describe(concurrent))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"gemm_gflops": machine_gemm, "results": results, "memory": memory,
                       "concurrent": concurrent}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
