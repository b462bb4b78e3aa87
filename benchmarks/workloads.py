"""The workloads of the speed benchmark, each as a spec plus data the three implementations share.

1. playground: 2-8-8-2 tanh, batch 10, 500 samples (per-step overhead dominates);
2. digits: 64-128-64-10 ReLU, batch 32, 1,437 samples;
3. MNIST-sized: 784-256-128-10 ReLU with dropout 0.2, batch 128, 60,000 samples (compute dominates);
4. wide (three rows: SGD with momentum, Adam, RMSprop): 512-1024-1024-10 ReLU, batch 256, 16,384 samples, where
   the matrix products take nearly all the time (compute-bound).
All use float32 and softmax cross-entropy, and Adam (lr 1e-3) unless named otherwise. The MNIST-sized and wide
data are random (speed does not depend on the values) so the benchmark needs no download.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.spec import default_layer, output_layer, validate_spec


@dataclass
class Workload:
    name: str
    label: str
    sizes: tuple[int, ...]  # input, hidden..., output
    activation: str
    dropout: float
    batch_size: int
    x: np.ndarray
    y: np.ndarray
    # The optimizer as the spec names it; PyTorch's and the NumPy loop's follow it (`OPTIMIZER_LABELS`).
    optimizer: dict = field(default_factory=lambda: {"name": "adam", "lr": 1e-3})

    @property
    def num_samples(self) -> int:
        return len(self.x)

    def spec(self) -> dict:
        layers = []
        for units in self.sizes[1:-1]:
            layer = default_layer(units, self.activation)
            layer["dropout"] = self.dropout
            layers.append(layer)
        layers.append(output_layer(self.sizes[-1], "classification"))
        return validate_spec({
            "input_size": self.sizes[0], "layers": layers,
            "training": {"loss": "cross_entropy", "optimizer": dict(self.optimizer),
                         "batch_mode": "mini", "batch_size": self.batch_size, "epochs": 1, "shuffle": True,
                         "seed": 0, "dtype": "float32"}})

    def flops_per_epoch(self) -> float:
        """Multiply-adds ×2 of the matmuls a training step computes: forward (1×) and backward (weight gradients
        1×, input gradients 1× for every layer but the first, whose input gradient nobody needs)."""
        macs = [a * b for a, b in zip(self.sizes[:-1], self.sizes[1:])]
        return 2.0 * (3 * sum(macs) - macs[0]) * self.num_samples


def _playground() -> Workload:
    rng = np.random.default_rng(0)
    x = rng.uniform(-6, 6, size=(500, 2)).astype(np.float32)
    y = (np.hypot(x[:, 0], x[:, 1]) < 3.5).astype(np.int64)
    return Workload("playground", "playground 2-8-8-2 tanh, batch 10, 500 samples", (2, 8, 8, 2), "tanh", 0.0, 10,
                    x, y)


def _digits() -> Workload:
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.data[:1437] / 16.0).astype(np.float32)
    y = digits.target[:1437].astype(np.int64)
    return Workload("digits", "digits 64-128-64-10 ReLU, batch 32, 1,437 samples", (64, 128, 64, 10), "relu", 0.0,
                    32, x, y)


def _mnist_sized() -> Workload:
    rng = np.random.default_rng(0)
    x = rng.random((60_000, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=60_000).astype(np.int64)
    return Workload("mnist", "MNIST-sized 784-256-128-10 ReLU, dropout 0.2, batch 128, 60,000 samples",
                    (784, 256, 128, 10), "relu", 0.2, 128, x, y)


WIDE_SAMPLES = 16_384
WIDE_OPTIMIZERS = {"sgdm": {"name": "momentum", "lr": 0.01, "momentum": 0.9},
                   "adam": {"name": "adam", "lr": 1e-3},
                   "rmsprop": {"name": "rmsprop", "lr": 1e-3}}
OPTIMIZER_LABELS = {"momentum": "SGD with momentum 0.9", "adam": "Adam", "rmsprop": "RMSprop"}


def _wide(optimizer: str):
    def make() -> Workload:
        rng = np.random.default_rng(0)
        x = rng.random((WIDE_SAMPLES, 512), dtype=np.float32)
        y = rng.integers(0, 10, size=WIDE_SAMPLES).astype(np.int64)
        settings = WIDE_OPTIMIZERS[optimizer]
        return Workload(f"wide-{optimizer}", f"wide 512-1024-1024-10 ReLU, {OPTIMIZER_LABELS[settings['name']]}, "
                        f"batch 256, {WIDE_SAMPLES:,} samples", (512, 1024, 1024, 10), "relu", 0.0, 256, x, y,
                        dict(settings))
    return make


WORKLOADS = {"playground": _playground, "digits": _digits, "mnist": _mnist_sized,
             **{f"wide-{name}": _wide(name) for name in WIDE_OPTIMIZERS}}
