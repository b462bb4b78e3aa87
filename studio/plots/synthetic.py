"""Synthetic Snapshots shaped like a real run's: for plot previews, tests and benchmarks without training.

The numbers follow a plausible learning curve (loss decays with noise, gradients shrink layer by layer), so a
plot fed from here looks like one fed by the Trainer.
"""

from __future__ import annotations

import numpy as np

from core.training.snapshot import Histogram, Snapshot


def synthetic_snapshot(step: int, batches_per_epoch: int = 50, layers: int = 3, kind: str = "batch",
                       rng: np.random.Generator | None = None, histograms: bool = False,
                       classes: int = 0) -> Snapshot:
    """The snapshot a run would report after `step` batches (kind "batch", or "epoch" at an epoch's end)."""
    rng = rng or np.random.default_rng(step)
    epoch = step // batches_per_epoch
    progress = step / batches_per_epoch
    loss = 0.05 + 0.9 * np.exp(-progress / 3.0) * (1.0 + 0.15 * rng.standard_normal())
    depth_scale = np.array([10.0 ** (-i) for i in range(layers)][::-1])  # early layers get smaller gradients
    grad_norms = np.abs(depth_scale * np.exp(-progress / 10.0) * (1.0 + 0.1 * rng.standard_normal(layers)))
    snapshot = Snapshot(
        kind=kind, epoch=epoch, step=step, batches_per_epoch=batches_per_epoch,
        batch_in_epoch=step % batches_per_epoch, train_loss=float(abs(loss)), lr=0.01 * 0.98**epoch,
        metric_name="accuracy", train_metric=float(1.0 - loss / 2), layer_names=layer_names(layers),
        grad_norms=grad_norms, grad_mean_abs=grad_norms / 30.0, weight_norms=np.full(layers, 3.0),
        update_ratios=np.full(layers, 1e-3) * (1 + 0.1 * rng.standard_normal(layers)),
        elapsed=step * 0.001, samples_per_second=30_000.0,
    )
    if kind in ("epoch", "end"):
        snapshot.val_loss = float(abs(loss) * 1.1 + 0.01 * progress / 10)
        snapshot.val_metric = float(1.0 - loss / 1.8)
        if classes:
            snapshot.confusion = synthetic_confusion(classes, rng)
    if histograms:
        snapshot.weight_histograms = [synthetic_histogram(rng, 0.5 + 0.05 * progress) for _ in range(layers)]
        snapshot.grad_histograms = [synthetic_histogram(rng, float(g)) for g in grad_norms]
    return snapshot


def layer_names(layers: int) -> list[str]:
    return [f"layer {i + 1} ({'tanh' if i < layers - 1 else 'softmax'})" for i in range(layers)]


def synthetic_histogram(rng: np.random.Generator, spread: float, bins: int = 30) -> Histogram:
    counts, edges = np.histogram(rng.normal(0.0, spread, 2000), bins=bins)
    return Histogram(counts=counts.astype(np.int64), edges=edges.astype(np.float64))


def synthetic_confusion(classes: int, rng: np.random.Generator) -> np.ndarray:
    matrix = rng.integers(0, 4, size=(classes, classes))
    matrix[np.diag_indices(classes)] += 30
    return matrix.astype(np.int64)


def synthetic_run(epochs: int, batches_per_epoch: int = 20, layers: int = 3, classes: int = 3) -> list[Snapshot]:
    """Every batch snapshot of a run plus an epoch snapshot (with histograms) at each epoch's end."""
    rng = np.random.default_rng(0)
    out: list[Snapshot] = []
    for step in range(1, epochs * batches_per_epoch + 1):
        out.append(synthetic_snapshot(step, batches_per_epoch, layers, "batch", rng))
        if step % batches_per_epoch == 0:
            out.append(synthetic_snapshot(step, batches_per_epoch, layers, "epoch", rng, histograms=True,
                                          classes=classes))
    return out
