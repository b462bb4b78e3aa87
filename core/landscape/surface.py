"""Evaluating the loss over a 2-D grid of weights: L(centre + α·d₁ + β·d₂) on a fixed subset of the data.

One `LossSurface` holds one reusable network (built once from the spec, batch-norm statistics from the centre)
and the subset, checked once. Each grid point writes its weights into the network's flat buffer and runs ONE
inference-mode forward pass over the whole subset as a single batch; the value is the data loss (the network's
loss, without L1/L2 penalties, which depend on the weights alone and would only tilt the picture). A point
whose loss is not finite (far out on a steep slope) is NaN in the grid.

Evaluation checks `cancelled()` before each grid row and calls `progress(done, total)` after it, so a GUI
worker can show progress and stop it; a cancelled slice raises `LandscapeCancelled`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.landscape.directions import Directions, LandscapeError
from core.memory_budget import check_allocation

DEFAULT_SUBSET_ROWS = 1000
MAX_GRID = 401  # points per axis


class LandscapeCancelled(Exception):
    """The caller's `cancelled()` said stop; no slice was made."""


@dataclass
class LossSlice:
    """A loss grid over (α, β) and the racers' paths on it, all plain NumPy."""

    alpha: np.ndarray  # (a,) float64
    beta: np.ndarray  # (b,) float64
    loss: np.ndarray  # (b, a) float64: loss[j, i] at (alpha[i], beta[j]); NaN where not finite
    directions: Directions
    centre: str  # which point the slice is around, in words
    paths: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (points, 2) (α, β) per epoch


def fixed_subset(x: np.ndarray, y: np.ndarray, rows: int = DEFAULT_SUBSET_ROWS, seed: int = 0):
    """At most `rows` rows of (x, y), the same ones every time (sorted, so memory is read in order)."""
    if len(x) <= rows:
        return x, y
    chosen = np.sort(np.random.default_rng(seed).choice(len(x), size=rows, replace=False))
    return x[chosen], y[chosen]


def grid_axis(half_width: float, points: int) -> np.ndarray:
    """`points` evenly spaced values from −half_width to +half_width (0 among them for an odd count)."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not 2 <= points <= MAX_GRID:
        raise LandscapeError(f"the grid needs 2 to {MAX_GRID} points per axis, got {points!r}")
    if not (np.isfinite(half_width) and half_width > 0):
        raise LandscapeError(f"the grid's half-width must be a positive number, got {half_width!r}")
    return np.linspace(-half_width, half_width, int(points))


class LossSurface:
    """The data loss of `spec`'s network on (x, y) at any weights; `buffers` are batch norm's running statistics
    (from the centre's state; zeros-and-ones defaults when None)."""

    def __init__(self, spec: Mapping[str, Any], x: np.ndarray, y: np.ndarray, buffers: np.ndarray | None = None):
        from core.network import Network
        self.network = Network.from_spec(spec)
        if buffers is not None:
            self.network.set_state({"params": self.network.params, "buffers": buffers})
        self.x = self.network.check_input(x)
        self.y = self.network.check_targets(y, self.x.shape[0])
        self.size = self.network.params.size

    def loss_at(self, params: np.ndarray) -> float:
        """The mean data loss over the subset with these weights (inference mode)."""
        network = self.network
        np.copyto(network.params, params, casting="same_kind")
        output = network.forward(self.x, training=False, check=False)
        return float(network.loss.value(output, self.y, check=False))

    def evaluate(self, centre: np.ndarray, directions: Directions, alpha: np.ndarray, beta: np.ndarray, *,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, one_blas_thread: bool = True) -> np.ndarray:
        """loss[j, i] = L(centre + alpha[i]·d₁ + beta[j]·d₂), (len(beta), len(alpha)) float64.

        one_blas_thread: run BLAS on one thread meanwhile. Each point's matrix products are small, and BLAS's
        threads spinning on a busy machine made a 41×41 digits slice 20 times slower (8 s instead of 0.4 s);
        a caller that manages BLAS's threads itself (the studio's thread budget) passes False."""
        centre = np.asarray(centre, dtype=np.float64)
        for name, vector in (("centre", centre), ("first direction", directions.first),
                             ("second direction", directions.second)):
            if vector.shape != (self.size,) or not np.isfinite(vector).all():
                raise LandscapeError(f"the {name} must be {self.size} finite numbers, got shape {vector.shape}")
        alpha, beta = np.asarray(alpha, dtype=np.float64), np.asarray(beta, dtype=np.float64)
        check_allocation("the loss grid", alpha.size * beta.size * 8)
        grid = np.empty((beta.size, alpha.size))
        errors = np.seterr(over="ignore", invalid="ignore", divide="ignore")  # far points may overflow: NaN below
        limiter = _one_blas_thread() if one_blas_thread else None
        try:
            for j, b in enumerate(beta):
                if cancelled is not None and cancelled():
                    raise LandscapeCancelled("the loss landscape was cancelled")
                row_start = centre + b * directions.second
                for i, a in enumerate(alpha):
                    grid[j, i] = self.loss_at(row_start + a * directions.first)
                if progress is not None:
                    progress((j + 1) * alpha.size, grid.size)
        finally:
            np.seterr(**errors)
            if limiter is not None:
                limiter.restore_original_limits()
        grid[~np.isfinite(grid)] = np.nan
        return grid


def _one_blas_thread():
    """threadpoolctl's limiter holding BLAS to one thread (None when threadpoolctl is missing)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a runtime dependency; without it BLAS keeps its own thread count
        return None
    return threadpool_limits(limits=1, user_api="blas")
