"""safetensors export: the same named float32 weights as the `.npz`, with the model description as metadata.

The header's ``__metadata__`` holds "format", "version" and "model" (the JSON description that `npz_json`
writes: architecture, preprocessing, class names), so one file is enough to rebuild the model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from core.export.common import ExportError, atomic_write_bytes
from core.export.model import MODEL_FORMAT, MODEL_FORMAT_VERSION, ExportModel


def safetensors_bytes(model: ExportModel) -> bytes:
    try:
        from safetensors.numpy import save
    except ImportError as error:  # a runtime dependency, but say what is missing rather than crash
        raise ExportError("safetensors export needs the 'safetensors' package: pip install safetensors") from error
    tensors = {name: np.ascontiguousarray(array, dtype=np.float32) for name, array in model.arrays.items()}
    metadata = {"format": MODEL_FORMAT, "version": str(MODEL_FORMAT_VERSION),
                "model": json.dumps(model.metadata(), ensure_ascii=False)}
    return save(tensors, metadata=metadata)


def export_safetensors(model: ExportModel, path: str | os.PathLike[str]) -> list[Path]:
    target = Path(path)
    if target.suffix.lower() != ".safetensors":
        target = target.with_name(target.name + ".safetensors")
    return [atomic_write_bytes(target, safetensors_bytes(model))]
