"""The two directions that span a 2-D slice of the loss surface, over the flat parameter vector.

- `filter_normalised_random` (Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets"): Gaussian random
  directions, each filter rescaled to the norm of the same filter of the centre weights, so the slice's scale
  matches the network's own and layers of different sizes are comparable. A dense layer's filter is one output
  unit: its column of W (fan-in weights) together with its bias. Batch norm's γ and β get zero direction (Li et
  al. leave them out too: their scale is not a filter's).
- `pca_directions`: the top two principal directions of the racers' trajectories relative to the centre (Li et
  al. §7), unit vectors, with the share of the trajectories' variance each explains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

RANDOM = "filter-normalised random"
PCA = "PCA of the trajectories"


class LandscapeError(ValueError):
    """A slice that can't be made (trajectories too few or flat, a vector of the wrong size); one line."""


@dataclass(frozen=True)
class Directions:
    first: np.ndarray  # float64, (parameters,)
    second: np.ndarray
    kind: str  # RANDOM or PCA
    explained: tuple[float, float] | None = None  # PCA: the share of the variance along each direction

    def describe(self) -> str:
        if self.explained is None:
            return self.kind
        return f"{self.kind} ({self.explained[0]:.0%} and {self.explained[1]:.0%} of the variance)"


def filter_normalise(direction: np.ndarray, centre: np.ndarray, spec: Mapping[str, Any]) -> np.ndarray:
    """`direction` with each filter scaled to the norm of the centre's filter (γ, β set to zero); a new array."""
    from core.network.layout import layer_views
    result = np.array(direction, dtype=np.float64, copy=True)
    centre = np.asarray(centre, dtype=np.float64)
    for d, w in zip(layer_views(spec, result), layer_views(spec, centre)):
        # One filter per output unit: the column W[:, j] and the bias b[j] together.
        d_norms = np.sqrt((d.weight ** 2).sum(axis=0) + d.bias ** 2)
        w_norms = np.sqrt((w.weight ** 2).sum(axis=0) + w.bias ** 2)
        scale = np.divide(w_norms, d_norms, out=np.zeros_like(w_norms), where=d_norms > 0)
        d.weight[...] *= scale
        d.bias[...] *= scale
        if d.gamma is not None:
            d.gamma[...] = 0.0
            d.beta[...] = 0.0
    return result


def filter_normalised_random(spec: Mapping[str, Any], centre: np.ndarray, seed: int = 0) -> Directions:
    """Two filter-normalised Gaussian directions around `centre` (reproducible from `seed`)."""
    rng = np.random.default_rng(seed)
    centre = np.asarray(centre, dtype=np.float64)
    first, second = (filter_normalise(rng.standard_normal(centre.size), centre, spec) for _ in range(2))
    return Directions(first, second, RANDOM)


def pca_directions(trajectories: Sequence[np.ndarray], centre: np.ndarray) -> Directions:
    """The top two principal directions of every trajectory's points minus `centre`."""
    centre = np.asarray(centre, dtype=np.float64)
    rows = []
    for trajectory in trajectories:
        points = np.asarray(trajectory, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != centre.size:
            raise LandscapeError(f"a trajectory has shape {points.shape}; each point needs {centre.size} "
                                 f"parameters")
        rows.append(points - centre)
    if not rows:
        raise LandscapeError("PCA directions need at least one trajectory")
    offsets = np.concatenate(rows)
    _, singular, vt = np.linalg.svd(offsets, full_matrices=False)
    if singular.size < 2 or not singular[1] > 1e-12 * max(singular[0], 1e-300):
        raise LandscapeError("the trajectories span fewer than two directions around the centre; use random "
                             "directions or train for more epochs")
    variance = singular ** 2
    first, second = (_signed(vt[i]) for i in range(2))
    explained = (float(variance[0] / variance.sum()), float(variance[1] / variance.sum()))
    return Directions(first, second, PCA, explained)


def _signed(vector: np.ndarray) -> np.ndarray:
    """A direction with its sign fixed (largest entry positive), so the same trajectories give the same plot."""
    return vector if vector[np.argmax(np.abs(vector))] >= 0 else -vector
