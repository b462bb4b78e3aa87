"""Projecting a weight trajectory onto a slice: least squares onto the slice's two directions.

For each point θ the coordinates (α, β) minimise ‖centre + α·d₁ + β·d₂ − θ‖. A trajectory that lies in the plane
projects exactly; one that leaves it is drawn at its nearest point in the plane, and `residual_norms` says how
far off that is.
"""

from __future__ import annotations

import numpy as np

from core.landscape.directions import Directions, LandscapeError


def project_trajectory(trajectory: np.ndarray, centre: np.ndarray, directions: Directions) -> np.ndarray:
    """(points, 2) float64: each point's (α, β) on the slice."""
    basis, offsets = _basis_and_offsets(trajectory, centre, directions)
    coords, *_ = np.linalg.lstsq(basis, offsets.T, rcond=None)
    return coords.T


def residual_norms(trajectory: np.ndarray, centre: np.ndarray, directions: Directions) -> np.ndarray:
    """How far each point lies from the slice's plane (0 for a point in it)."""
    basis, offsets = _basis_and_offsets(trajectory, centre, directions)
    coords = project_trajectory(trajectory, centre, directions)
    return np.linalg.norm(offsets - coords @ basis.T, axis=1)


def _basis_and_offsets(trajectory, centre, directions: Directions) -> tuple[np.ndarray, np.ndarray]:
    centre = np.asarray(centre, dtype=np.float64)
    points = np.atleast_2d(np.asarray(trajectory, dtype=np.float64))
    if points.shape[1] != centre.size or directions.first.size != centre.size:
        raise LandscapeError(f"a trajectory of {points.shape[1]} parameters can't be projected onto a slice of "
                             f"{centre.size}")
    return np.column_stack([directions.first, directions.second]), points - centre
