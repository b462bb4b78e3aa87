"""Export a trained network: NumPy .npz + JSON, a stand-alone NumPy predict.py, ONNX, safetensors, PyTorch.

    from core.export import ExportModel, export_model
    model = ExportModel.from_network(network, prepared)       # prepared: the PreparedData it was trained on
    paths = export_model(model, "onnx", "out/model.onnx")      # -> the files written
    model = export_model_from_parts(spec, data_config, weights)  # a project's pieces; CSV columns refitted

Every format starts from the same `ExportModel` (spec, named float32 weights, preprocessing, names), writes its
files atomically, and raises `ExportError` with a message a user can act on. Every export takes the raw data the
model was trained on: for a CSV, its raw rows (text categories one-hot encoded, gaps filled as in training; an
unknown category is refused), see `raw_columns`. Generated code holds every name only as a Python literal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core.export.common import ExportError, atomic_write_bytes, atomic_write_text, check_writable_folder
from core.export.from_project import export_model_from_parts
from core.export.model import MODEL_FORMAT, MODEL_FORMAT_VERSION, ExportModel
from core.export.npz_json import export_npz_json
from core.export.numpy_script import export_numpy_script
from core.export.onnx_export import export_onnx
from core.export.safetensors_export import export_safetensors
from core.export.torch_export import export_torch
from core.export.torch_train import export_torch_train


@dataclass(frozen=True)
class ExportFormat:
    name: str  # as on the command line
    label: str  # as in the export dialog
    suffix: str  # of the main file
    default_name: str  # a sensible main file name
    help: str
    write: Callable[[ExportModel, str | os.PathLike[str]], list[Path]]


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("onnx", "ONNX", ".onnx", "model.onnx", "one .onnx file: raw data in (for a CSV, one input per "
                 "column: text as strings, gaps as NaN), probabilities or outputs out (preprocessing included); "
                 "runs in onnxruntime and most inference engines", export_onnx),
    ExportFormat("npz", "NumPy (.npz + .json)", ".npz", "model.npz", "named weight arrays in .npz plus a .json "
                 "with the architecture, the raw columns' encoding (categories, gap fills), the scaling and class "
                 "names", export_npz_json),
    ExportFormat("numpy", "NumPy predict.py script", ".npz", "model.npz", "the .npz + .json and a stand-alone "
                 "predict.py beside them that needs only NumPy and reads raw CSV rows like the training data",
                 export_numpy_script),
    ExportFormat("safetensors", "safetensors", ".safetensors", "model.safetensors", "the same named weights as "
                 "safetensors, the description in its metadata", export_safetensors),
    ExportFormat("torch", "PyTorch (model.py + state dict)", ".py", "model.py", "a readable model.py "
                 "(nn.Module) and its state dict, to keep training in PyTorch", export_torch),
    ExportFormat("torch-train", "PyTorch training script (train.py + model.py + data)", ".py", "train.py",
                 "train.py, which trains the network in PyTorch step for step as the studio does (same initial "
                 "weights, rows, batch order, optimizer, schedule, clipping, early stopping; only dropout's masks "
                 "differ), on CPU, GPU or under torchrun (DDP); with model.py and the data beside it", export_torch_train),
)}


def export_model(model: ExportModel, fmt: str, path: str | os.PathLike[str]) -> list[Path]:
    """Write `model` in format `fmt` (a key of FORMATS) to `path`; return the files written."""
    try:
        chosen = FORMATS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    check_writable_folder(path)
    return chosen.write(model, path)


__all__ = ["ExportError", "ExportFormat", "ExportModel", "FORMATS", "MODEL_FORMAT", "MODEL_FORMAT_VERSION",
           "atomic_write_bytes", "atomic_write_text", "export_model", "export_model_from_parts"]
