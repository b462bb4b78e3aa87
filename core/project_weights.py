"""A project's trained weights (weights.npz) checked against its network before they are trusted.

The weights are `Network.get_state()`: a flat "params" vector and a flat "buffers" vector (batch-norm running
statistics). Their sizes follow from the spec, so each array's header is read first and must say: real
floats (float32 or float64), one dimension, exactly the network's count. Only then is the data read, and it
must be finite. Weights that fail any check don't stop the project from opening: `read_weights` returns None
with a warning, and the project opens untrained (train again to get weights).
"""

from __future__ import annotations

import io
import zipfile
import zlib

import numpy as np

from core.network.memory import parameter_counts
from core.spec import Spec

WEIGHT_ARRAYS = ("params", "buffers")
_HEADER_SLACK = 64 * 1024  # the npz's own zip structure and .npy headers around the raw floats
_FLOAT_KINDS = (np.dtype(np.float32), np.dtype(np.float64))


class WeightsUnusable(ValueError):
    """Why saved weights can't be used; the project then opens untrained with this as a warning."""


def max_weights_bytes(spec: Spec) -> int:
    """The most bytes a weights.npz for `spec` can hold: every value as float64, plus the npz's structure."""
    n_params, n_buffers = parameter_counts(spec.input_size, spec.layers)
    return 8 * (n_params + n_buffers) + _HEADER_SLACK


def parse_weights(raw: bytes, spec: Spec) -> dict[str, np.ndarray]:
    """{"params", "buffers"} arrays from an npz's bytes, or WeightsUnusable saying what does not fit."""
    expected = dict(zip(WEIGHT_ARRAYS, parameter_counts(spec.input_size, spec.layers)))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = sorted(archive.namelist())
            if names != sorted(f"{name}.npy" for name in WEIGHT_ARRAYS):
                raise WeightsUnusable(f"they hold {_names(names)}, not the network's params and buffers")
            return {name: _read_array(archive, name, expected[name]) for name in WEIGHT_ARRAYS}
    except WeightsUnusable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, ValueError, OSError, RuntimeError,
            NotImplementedError) as error:
        raise WeightsUnusable(f"they can't be read ({str(error)[:120]})") from None


def _read_array(archive: zipfile.ZipFile, name: str, count: int) -> np.ndarray:
    with archive.open(f"{name}.npy") as stream:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise WeightsUnusable(f"{name} has an unknown .npy version {version}")
        if dtype.hasobject or dtype.newbyteorder("=") not in _FLOAT_KINDS:
            raise WeightsUnusable(f"{name} holds {dtype} values, not float32 or float64")
        if shape != (count,):
            raise WeightsUnusable(f"{name} has shape {shape}, this network needs ({count},)")
        data = stream.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise WeightsUnusable(f"{name} is shorter than its header says")
    array = np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="))
    if not np.isfinite(array).all():
        raise WeightsUnusable(f"{name} contains NaN or infinity (a diverged run?)")
    return array


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(name[:40]) for name in names[:4])
    return shown + (", ..." if len(names) > 4 else "") if names else "no arrays"
