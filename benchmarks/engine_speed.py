"""Engine speed: core against PyTorch (CPU) and a plain NumPy loop, same workloads, same run, printed as ratios.

    .venv/bin/python -m benchmarks.engine_speed [--workloads playground digits mnist] [--repeats N] [--json F]
                                                [--memory]

Each implementation trains one warm-up epoch, then the median of several timed epochs is taken. The machine's
float32 GEMM rate (NumPy, 1024×1024) is measured in the same run, and core's effective GFLOP/s (forward and
backward matmul FLOPs per second) is shown as a share of it. These machines are shared and noisy: compare the
ratios, not absolute times across runs. The "path" column says whether core trained through the fused kernel
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
    model.train_epoch()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.train_epoch()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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

    gemm = gemm_gflops()
    print(f"machine float32 GEMM (NumPy 1024×1024): {gemm:.0f} GFLOP/s")
    have_torch = torch_available()
    if have_torch:
        import torch
        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads")
    else:
        print("PyTorch not installed: its column is skipped")
    results = []
    header = f"{'workload':<12}{'path':>8}{'core ms':>10}{'torch ms':>10}{'numpy ms':>10}{'×torch':>9}{'×numpy':>9}{'GFLOP/s':>9}{'%GEMM':>7}"
    print(header)
    for name in args.workloads:
        work = WORKLOADS[name]()
        repeats = args.repeats or DEFAULT_REPEATS[name]
        core = CoreMLP(work)
        path = "general" if core.trainer.fused is None else "fused"
        core_s = time_epochs(core, repeats)
        torch_s = time_epochs(TorchMLP(work), repeats) if have_torch else None
        numpy_s = time_epochs(NumpyMLP(work), repeats)
        gflops = work.flops_per_epoch() / core_s / 1e9
        row = {"workload": name, "label": work.label, "path": path, "core_ms": core_s * 1e3,
               "torch_ms": torch_s * 1e3 if torch_s else None, "numpy_ms": numpy_s * 1e3,
               "speedup_vs_torch": torch_s / core_s if torch_s else None, "speedup_vs_numpy": numpy_s / core_s,
               "core_gflops": gflops, "share_of_gemm": gflops / gemm}
        results.append(row)
        torch_ms = f"{row['torch_ms']:10.2f}" if torch_s else f"{'-':>10}"
        vs_torch = f"{row['speedup_vs_torch']:8.1f}×" if torch_s else f"{'-':>9}"
        print(f"{name:<12}{path:>8}{row['core_ms']:10.2f}{torch_ms}{row['numpy_ms']:10.2f}{vs_torch}"
              f"{row['speedup_vs_numpy']:8.1f}×{gflops:9.1f}{100 * gflops / gemm:6.0f}%")
        sys.stdout.flush()
    memory = None
    if args.memory:
        memory = measure_in_fresh_process()
        print(describe(memory))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"gemm_gflops": gemm, "results": results, "memory": memory}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
