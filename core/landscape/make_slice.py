"""`make_slice`: directions, grid, loss and projected paths in one call, the way the CLI and the studio use them.

The grid's half-width: ±1 for filter-normalised random directions (one filter norm each way, as Li et al.);
for PCA directions, wide enough to hold every projected path with a quarter to spare, per axis, because unit PCA
directions have the trajectories' own scale. `half_width` overrides both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from core.landscape.directions import PCA, RANDOM, LandscapeError, filter_normalised_random, pca_directions
from core.landscape.projection import project_trajectory
from core.landscape.surface import DEFAULT_SUBSET_ROWS, LossSlice, LossSurface, fixed_subset, grid_axis

PATH_MARGIN = 1.25


def make_slice(spec: Mapping[str, Any], x: np.ndarray, y: np.ndarray, centre: np.ndarray, *,
               centre_label: str, buffers: np.ndarray | None = None,
               trajectories: Mapping[str, np.ndarray] | None = None, kind: str | None = None,
               grid: int = 41, half_width: float | None = None, subset_rows: int = DEFAULT_SUBSET_ROWS,
               seed: int = 0, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None, one_blas_thread: bool = True) -> LossSlice:
    """The loss slice around `centre` (a flat parameter vector of `spec`'s network), with each trajectory
    ({name: (points, parameters)}) projected onto it. `kind` is RANDOM or PCA (default: PCA when there are
    trajectories, else RANDOM). `one_blas_thread`: see `LossSurface.evaluate`."""
    trajectories = dict(trajectories or {})
    kind = kind or (PCA if trajectories else RANDOM)
    centre = np.asarray(centre, dtype=np.float64)
    if kind == PCA:
        directions = pca_directions(list(trajectories.values()), centre)
    elif kind == RANDOM:
        directions = filter_normalised_random(spec, centre, seed)
    else:
        raise LandscapeError(f"directions are {RANDOM!r} or {PCA!r}, got {kind!r}")
    paths = {name: project_trajectory(points, centre, directions) for name, points in trajectories.items()}
    alpha = grid_axis(half_width or _half_width(paths, 0, kind), grid)
    beta = grid_axis(half_width or _half_width(paths, 1, kind), grid)
    x_subset, y_subset = fixed_subset(x, y, subset_rows, seed)
    surface = LossSurface(spec, x_subset, y_subset, buffers)
    loss = surface.evaluate(centre, directions, alpha, beta, progress=progress, cancelled=cancelled,
                            one_blas_thread=one_blas_thread)
    return LossSlice(alpha, beta, loss, directions, centre_label, paths)


def _half_width(paths: Mapping[str, np.ndarray], axis: int, kind: str) -> float:
    if kind == RANDOM or not paths:
        return 1.0
    reach = max(float(np.abs(points[:, axis]).max()) for points in paths.values())
    return reach * PATH_MARGIN if reach > 0 else 1.0
