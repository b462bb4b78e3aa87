"""Writing a loss slice: the grid as .npz, or a picture as .png (see `picture`). Both written atomically.

The .npz holds plain arrays only (loads with `allow_pickle=False`):
`alpha` (a,), `beta` (b,), `loss` (b, a) with loss[j, i] at (alpha[i], beta[j]) and NaN where not finite,
`directions_kind` and `centre` (text), `explained` (2,) the PCA variance shares (NaN for random directions),
`path_names` (r,) text, `paths` (r, longest, 2) each path's (α, β) per point padded with NaN, and `path_lengths`
(r,) the points of each path (the start, then one per epoch).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from core.landscape.surface import LossSlice


def slice_arrays(result: LossSlice) -> dict[str, np.ndarray]:
    names = list(result.paths)
    lengths = np.array([len(result.paths[name]) for name in names], dtype=np.int64)
    paths = np.full((len(names), int(lengths.max()) if names else 0, 2), np.nan)
    for row, name in enumerate(names):
        paths[row, :lengths[row]] = result.paths[name]
    explained = result.directions.explained
    return {"alpha": result.alpha, "beta": result.beta, "loss": result.loss,
            "directions_kind": np.array(result.directions.kind), "centre": np.array(result.centre),
            "explained": np.array(explained if explained is not None else (np.nan, np.nan), dtype=np.float64),
            "path_names": np.array(names, dtype=str), "paths": paths, "path_lengths": lengths}


def save_slice_npz(result: LossSlice, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return write_atomically(path, lambda handle: np.savez(handle, **slice_arrays(result)))


def write_atomically(path: Path, write) -> Path:
    """Call `write(binary file)` on a temporary file beside `path`, then move it into place: a failure leaves
    nothing half-written."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
