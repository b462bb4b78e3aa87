"""The data `train.py` trains on: the project's split rows after preprocessing, and the initial weights.

`split_arrays(prepared)` is the training, validation and test rows exactly as the engine's Trainer receives them
(features after the raw-column encoding, the feature transform and the scaling fitted on the training rows;
class indices or target values), so train.py needs no preprocessing of its own. `initial_state(spec)` is the
network the engine would start training from (`Network.from_spec`: the spec's seed and initialisers), under
model.py's state-dict names and in the spec's precision, so both start from the same numbers.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from core.export.common import ExportError
from core.export.torch_export import engine_arrays_as_torch_state
from core.memory_budget import MemoryBudgetError, check_allocation

SPLITS = ("train", "val", "test")


def split_arrays(prepared: Any) -> dict[str, np.ndarray]:
    """x_train, y_train, x_val, y_val, x_test, y_test as stored in the data file (C-contiguous copies)."""
    arrays: dict[str, np.ndarray] = {}
    for split in SPLITS:
        x, y = getattr(prepared, f"x_{split}"), getattr(prepared, f"y_{split}")
        arrays[f"x_{split}"] = np.ascontiguousarray(x)
        arrays[f"y_{split}"] = np.ascontiguousarray(y)
    if arrays["x_train"].shape[0] == 0:
        raise ExportError("the training split is empty: there is nothing for train.py to train on")
    return arrays


def initial_state(spec: dict[str, Any]) -> dict[str, np.ndarray]:
    """The engine's initial weights for `spec` as model.py's state dict, in the spec's dtype."""
    from core.network import Network
    network = Network.from_spec(spec)
    arrays = {name: np.array(view) for name, view in network.parameters()}
    arrays.update({name: np.array(view) for name, view in network.named_buffers()})
    return engine_arrays_as_torch_state(arrays, spec["layers"], network.dtype.type)


def npz_bytes(arrays: dict[str, np.ndarray], what: str) -> bytes:
    """`arrays` as the bytes of an .npz file, after checking the copy fits the memory budget."""
    try:
        check_allocation(what, sum(int(a.nbytes) for a in arrays.values()))
    except MemoryBudgetError as error:
        raise ExportError(str(error)) from error
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()
