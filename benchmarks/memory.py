"""Peak memory of training the MNIST-sized workload for one epoch, measured in a fresh process.

    .venv/bin/python -m benchmarks.memory            # prints one JSON line (what engine_speed --memory reads)

The target (issue 7): the peak resident set stays ≤ 1.5 × the data set's float32 size + 300 MB. The data are
built in the measured process (they count, as they would in the studio), then one epoch trains through the same
`Network` + `Trainer` as the speed benchmark. The peak is the process's high-water resident set (`peak_rss_mb`).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys

MB = 1024 * 1024
LIMIT_FACTOR = 1.5
LIMIT_EXTRA_MB = 300


def limit_mb(data_bytes: int) -> float:
    return LIMIT_FACTOR * data_bytes / MB + LIMIT_EXTRA_MB


def peak_rss_mb() -> float:
    """This process's peak resident set. On Linux from /proc (VmHWM): `ru_maxrss` survives exec, so a process
    started by a large one (the speed benchmark after its MNIST-sized run) would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:
        pass
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kilobytes * 1024 / MB if sys.platform != "darwin" else kilobytes / MB  # macOS reports bytes


def measure_in_this_process(workload: str = "mnist") -> dict:
    """Import, build the data, train one epoch; the figures as a dict."""
    from benchmarks.core_runner import CoreMLP
    from benchmarks.workloads import WORKLOADS

    baseline = peak_rss_mb()
    work = WORKLOADS[workload]()
    data_bytes = work.x.size * 4 + work.y.size * work.y.itemsize
    model = CoreMLP(work)
    model.train_epoch()
    peak = peak_rss_mb()
    limit = limit_mb(data_bytes)
    return {"workload": workload, "peak_mb": peak, "interpreter_mb": baseline, "data_mb": data_bytes / MB,
            "limit_mb": limit, "met": peak <= limit}


def measure_in_fresh_process(workload: str = "mnist") -> dict:
    """Run `measure_in_this_process` in a new interpreter, so nothing this process allocated counts."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--workload", workload],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(result: dict) -> str:
    verdict = "met" if result["met"] else "NOT met"
    return (f"memory ({result['workload']}, one epoch, fresh process): peak {result['peak_mb']:.0f} MB "
            f"(interpreter at start {result['interpreter_mb']:.0f} MB); data {result['data_mb']:.0f} MB; "
            f"limit 1.5 × data + 300 MB = {result['limit_mb']:.0f} MB: {verdict}")


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", default="mnist")
    args = parser.parse_args(argv)
    print(json.dumps(measure_in_this_process(args.workload)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
