"""The matmuls of a workload's epoch and nothing else, through NumPy's BLAS (the one core calls) or PyTorch's: how
fast the arithmetic alone goes, measured in the same rounds as the trainings.

For a compute-bound network this is the floor under an epoch. Core's epoch minus its matmuls-alone time is
everything else core does (activations, loss, the optimizer's pass, checks, Python); PyTorch's matmuls-alone time
shows how much of a gap between the two comes from the BLAS library rather than from the training loop.

The products per batch of n rows, for each layer in → out: forward x·W (n×in by in×out), weight gradient xᵀ·g
(in×n by n×out), and input gradient g·Wᵀ (n×out by out×in) for every layer but the first: exactly the FLOPs
`Workload.flops_per_epoch` counts. Every product writes into a preallocated output, as core's blocks do.
"""

from __future__ import annotations

import numpy as np

from benchmarks.workloads import Workload


class MatmulsOnly:
    """`train_epoch()` runs one epoch's matmuls of `work` with `backend` "numpy" or "torch"."""

    def __init__(self, work: Workload, backend: str = "numpy"):
        rng = np.random.default_rng(0)
        self.backend = backend
        full, rest = divmod(work.num_samples, work.batch_size)
        self.batch_rows = [work.batch_size] * full + ([rest] if rest else [])
        self.layers = {}  # rows → per layer (x, W, g, z, dW, dx)
        for rows in set(self.batch_rows):
            arrays = []
            for n_in, n_out in zip(work.sizes[:-1], work.sizes[1:]):
                shapes = ((rows, n_in), (n_in, n_out), (rows, n_out), (rows, n_out), (n_in, n_out), (rows, n_in))
                arrays.append(tuple(self._array(rng.standard_normal(shape, dtype=np.float32)) for shape in shapes))
            self.layers[rows] = arrays

    def _array(self, values: np.ndarray):
        if self.backend == "torch":
            import torch
            return torch.from_numpy(values)
        return values

    def train_epoch(self) -> None:
        if self.backend == "torch":
            import torch
            matmul = torch.matmul
        else:
            matmul = np.matmul
        for rows in self.batch_rows:
            layers = self.layers[rows]
            for x, w, _, z, _, _ in layers:
                matmul(x, w, out=z)
            for index in range(len(layers) - 1, -1, -1):
                x, w, g, _, dw, dx = layers[index]
                matmul(x.T, g, out=dw)
                if index > 0:
                    matmul(g, w.T, out=dx)
