"""CSV load speed: an MNIST-sized numeric file (60,000 rows × 785 columns) through `core.data.load_csv`.

    .venv/bin/python -m benchmarks.csv_load [--rows N] [--repeats N] [--kind pixels|floats] [--keep DIR]

The file is generated in a temporary folder: a header, then the label first and 784 pixel columns, like the
MNIST CSVs people download (`pixels`: whole numbers 0–255, mostly zeros; `floats`: decimals such as 0.123457).
One untimed load warms the OS file cache; the median of the timed loads is printed, with the file's size and
the throughput. The machine is shared and noisy: compare figures measured in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from core.data import load_csv

MNIST_ROWS, MNIST_PIXELS = 60_000, 784
TARGET_SECONDS = 10.0


def write_mnist_like_csv(path: Path, rows: int = MNIST_ROWS, kind: str = "pixels", seed: int = 0) -> Path:
    """Write `rows` lines of `label,pixel0..pixel783`; pixels are 0–255 (about 80 % zeros) or 6-digit decimals."""
    rng = np.random.default_rng(seed)
    header = ",".join(["label"] + [f"pixel{i}" for i in range(MNIST_PIXELS)])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        for start in range(0, rows, 5_000):
            count = min(5_000, rows - start)
            labels = rng.integers(0, 10, size=(count, 1))
            if kind == "pixels":
                pixels = rng.integers(0, 256, size=(count, MNIST_PIXELS)) * (rng.random((count, MNIST_PIXELS)) < 0.2)
                block = np.hstack([labels, pixels])
                np.savetxt(handle, block, fmt="%d", delimiter=",")
            else:
                pixels = rng.random((count, MNIST_PIXELS))
                handle.write("\n".join(f"{label}," + ",".join(f"{value:.6f}" for value in row)
                                       for label, row in zip(labels[:, 0], pixels)) + "\n")
    return path


def time_loads(path: Path, repeats: int) -> list[float]:
    load_csv(path, target="label")  # Warm the OS file cache and NumPy's imports.
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        data = load_csv(path, target="label")
        times.append(time.perf_counter() - start)
        del data
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=MNIST_ROWS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kind", choices=("pixels", "floats"), default="pixels")
    parser.add_argument("--keep", type=Path, help="write the file into this folder and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        path = folder / f"mnist_like_{args.kind}_{args.rows}.csv"
        if not path.exists():
            write_mnist_like_csv(path, args.rows, args.kind)
        size_mb = os.path.getsize(path) / 1e6
        data = load_csv(path, target="label")
        assert data.x.shape == (args.rows, MNIST_PIXELS) and data.task == "classification", data.x.shape
        times = time_loads(path, args.repeats)
    median = statistics.median(times)
    print(f"CSV load, {args.rows:,} rows × {MNIST_PIXELS + 1} columns ({args.kind}, {size_mb:.0f} MB): "
          f"median of {args.repeats} = {median:.2f} s ({size_mb / median:.0f} MB/s); "
          f"all: {', '.join(f'{t:.2f}' for t in times)} s")
    if args.rows == MNIST_ROWS:
        print(f"target ≤ {TARGET_SECONDS:.0f} s: {'met' if median <= TARGET_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
