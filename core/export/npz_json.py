"""NumPy export: the named weight arrays in a `.npz` plus a `.json` beside it with the architecture, the
preprocessing (feature transform, scaling statistics), class names and a format version.

``model.npz`` holds "layers.{i}.weight" (inputs × units), "layers.{i}.bias" and, for batch-norm blocks,
"layers.{i}.bn.weight/bias/running_mean/running_var", all float32; ``model.json`` describes how to use them.
Both files are written atomically together.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np

from core.export.common import ExportError, atomic_files
from core.export.model import ExportModel


def npz_bytes(model: ExportModel) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{name: np.ascontiguousarray(array, dtype=np.float32) for name, array in model.arrays.items()})
    return buffer.getvalue()


def metadata_json(model: ExportModel, weights_file: str) -> str:
    document = model.metadata()
    document["weights_file"] = weights_file
    try:
        return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as error:
        raise ExportError(f"the model's settings hold a value JSON can't store ({error})") from error


def json_path_for(npz_path: str | os.PathLike[str]) -> Path:
    return Path(npz_path).with_suffix(".json")


def export_npz_json(model: ExportModel, path: str | os.PathLike[str]) -> list[Path]:
    """Write `path` (.npz) and the .json beside it; return both paths."""
    npz_path = Path(path)
    if npz_path.suffix.lower() != ".npz":
        npz_path = npz_path.with_name(npz_path.name + ".npz")
    json_file = json_path_for(npz_path)
    with atomic_files() as stage:
        stage(npz_path, npz_bytes(model))
        stage(json_file, metadata_json(model, npz_path.name).encode("utf-8"))
    return [npz_path, json_file]
