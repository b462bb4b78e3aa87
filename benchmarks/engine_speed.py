"""Engine speed: core against PyTorch (CPU) and a plain NumPy loop, same workloads, same run, printed as ratios.

    .venv/bin/python -m benchmarks.engine_speed [--workloads playground digits mnist] [--repeats N] [--json F]
                                                [--memory]

Each implementation trains one warm-up epoch, then the median of several timed epochs is taken; the
implementations take turns epoch by epoch, so on a shared machine each sees the same spells of load. The
machine's float32 GEMM rate (NumPy, 1024×1024) is measured at the start and again in each workload's rounds
(the "GEMM" column), and core's effective GFLOP/s (forward and backward matmul FLOPs per second) is shown as a
share of the latter. These machines are shared and noisy: compare the ratios, not absolute times across runs. The "path" column says whether core trained through the fused kernel
(one Numba call per run of batches) or the general path (see core.training.fast_path). `--memory` also measures
the peak memory of one MNIST-sized epoch in a fresh process (`benchmarks.memory`) against its target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np

from benchmarks.core_runner import CoreMLP
from benchmarks.memory import describe, measure_in_fresh_process
from benchmarks.numpy_reference import NumpyMLP
from benchmarks.torch_reference import TorchMLP
from benchmarks.workloads import WORKLOADS

DEFAULT_REPEATS = {"playground": 15, "digits": 9, "mnist": 3}
SETTLE_SECONDS = 0.3


def gemm_gflops(n: int = 1024, repeats: int = 20) -> float:
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    b = np.random.default_rng(1).random((n, n), dtype=np.float32)
    a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / statistics.median(times) / 1e9


def time_epochs(model, repeats: int) -> float:
    """Median seconds per epoch after one warm-up epoch (which also triggers any JIT compilation)."""
    return time_interleaved({"model": model}, repeats)["model"]


def time_interleaved(models: dict, repeats: int, settle: float = 0.0) -> dict:
    """Median seconds per epoch of each model, after one warm-up epoch each. The models take turns, one epoch
    each per round, so on a shared machine every one of them sees the same spells of load. `settle` seconds of
    sleep before each turn let the previous model's idle BLAS/OpenMP threads stop spinning (they busy-wait for a
    while after each call and would otherwise take the CPU from the next model)."""
    for model in models.values():
        model.train_epoch()
    times: dict = {name: [] for name in models}
    for _ in range(repeats):
        for name, model in models.items():
            if settle:
                time.sleep(settle)
            start = time.perf_counter()
            model.train_epoch()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


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
    args = parser.parse_args(argv)

    machine_gemm = gemm_gflops()
    print(f"machine float32 GEMM (NumPy 1024×1024): {machine_gemm:.0f} GFLOP/s")
    have_torch = torch_available()
    torch_default_threads = None
    if have_torch:
        import torch
        torch_default_threads = torch.get_num_threads()
        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads by default; each workload times it "
              f"at that and at 1 thread and credits it with the faster (torch ms/threads)")
    else:
        print("PyTorch not installed: its column is skipped")
    results = []
    header = (f"{'workload':<12}{'path':>8}{'core ms':>10}{'torch ms/thr':>13}{'numpy ms':>10}{'×torch':>9}{'×numpy':>9}"
              f"{'GFLOP/s':>9}{'GEMM':>6}{'%GEMM':>7}")
    print(header)
    for name in args.workloads:
        work = WORKLOADS[name]()
        repeats = args.repeats or DEFAULT_REPEATS[name]
        core = CoreMLP(work)
        path = "general" if core.trainer.fused is None else "fused"
        probe = GemmProbe()
        models = {"core": core, "numpy": NumpyMLP(work), "gemm": probe}
        if have_torch:  # at its default thread count and at one thread: on a loaded machine one can be far faster
            models["torch"] = TorchMLP(work, threads=torch_default_threads)
            if torch_default_threads != 1:
                models["torch 1 thread"] = TorchMLP(work, threads=1)
        medians = time_interleaved(models, repeats, SETTLE_SECONDS)
        core_s, numpy_s = medians["core"], medians["numpy"]
        torch_s, torch_threads = None, None
        if have_torch:  # PyTorch is credited with its faster setting
            torch_threads, torch_s = min(((m.threads, medians[key]) for key, m in models.items()
                                          if key.startswith("torch")), key=lambda pair: pair[1])
        gemm = probe.gflops(medians["gemm"])  # the machine's rate during this workload's rounds
        gflops = work.flops_per_epoch() / core_s / 1e9
        row = {"workload": name, "label": work.label, "path": path, "core_ms": core_s * 1e3,
               "torch_ms": torch_s * 1e3 if torch_s else None, "torch_threads": torch_threads,
               "torch_ms_by_threads": {m.threads: medians[key] * 1e3 for key, m in models.items()
                                       if key.startswith("torch")},
               "numpy_ms": numpy_s * 1e3,
               "speedup_vs_torch": torch_s / core_s if torch_s else None, "speedup_vs_numpy": numpy_s / core_s,
               "core_gflops": gflops, "gemm_gflops": gemm, "share_of_gemm": gflops / gemm}
        results.append(row)
        torch_ms = f"{row['torch_ms']:11.2f}/{torch_threads}" if torch_s else f"{'-':>13}"
        vs_torch = f"{row['speedup_vs_torch']:8.1f}×" if torch_s else f"{'-':>9}"
        print(f"{name:<12}{path:>8}{row['core_ms']:10.2f}{torch_ms}{row['numpy_ms']:10.2f}{vs_torch}"
              f"{row['speedup_vs_numpy']:8.1f}×{gflops:9.1f}{gemm:6.0f}{100 * gflops / gemm:6.0f}%")
        sys.stdout.flush()
    memory = None
    if args.memory:
        memory = measure_in_fresh_process()
        print(describe(memory))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"gemm_gflops": machine_gemm, "results": results, "memory": memory}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
