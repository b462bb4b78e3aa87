"""A checkpoint's weights read from a run store, trusted only once they fit the run's network.

A store is a file like any other: a checkpoint's row may be damaged or crafted. Before its blob is read, the
size the store lists for it must be a size the run's spec implies (the flat parameters and the batch-norm buffers
at 4 bytes a value, as a float32 network's are kept, or 8, as a float64 network's and every store before
2026-12-05 keep them), so a blob of the wrong size is never decoded; once decoded (`RunStore.checkpoint_weights`,
which checks the blob against its own layout and the memory budget), the arrays must be exactly the network's
"params" and "buffers", with the spec's sizes, and finite. Every refusal is a ScrubError of one line.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from core.network.memory import parameter_counts
from core.runs import RunStore, RunStoreError
from core.scrub.errors import ScrubError
from core.spec import Spec

STATE_KEYS = ("params", "buffers")  # what Network.get_state() holds
STORED_ITEMSIZES = (4, 8)  # the store keeps float32 weights as float32, others as float64 (core.runs.weights_blob)


def state_sizes(spec: Spec) -> dict[str, int]:
    """The number of values of each state array of `spec`'s network."""
    n_params, n_buffers = parameter_counts(spec.input_size, spec.layers)
    return {"params": n_params, "buffers": n_buffers}


def expected_nbytes(spec: Spec) -> tuple[int, ...]:
    """The sizes a checkpoint of `spec`'s network may have in a store: float32 or float64 values."""
    values = sum(state_sizes(spec).values())
    return tuple(itemsize * values for itemsize in STORED_ITEMSIZES)


def checked_state(weights: Mapping[str, Any] | None, spec: Spec, where: str) -> dict[str, np.ndarray]:
    """`weights` as {"params", "buffers"} float64 arrays of the spec's sizes, all finite; else ScrubError."""
    if weights is None:
        raise ScrubError(f"{where}: no weights are stored")
    if sorted(weights) != sorted(STATE_KEYS):
        raise ScrubError(f"{where}: holds arrays {sorted(weights)}, not a network's {list(STATE_KEYS)}")
    state = {}
    for key, size in state_sizes(spec).items():
        array = np.asarray(weights[key], dtype=np.float64)
        if array.shape != (size,):
            raise ScrubError(f"{where}: {key!r} has shape {array.shape}, the run's network needs ({size},)")
        if not np.isfinite(array).all():
            raise ScrubError(f"{where}: {key!r} holds NaN or infinite values")
        state[key] = array
    return state


def load_checkpoint(store: RunStore, run_id: int, epoch: int, listed_nbytes: list[int], spec: Spec,
                    where: str) -> dict[str, np.ndarray]:
    """The checked weights of the run's checkpoint at `epoch`, whose rows the store lists as `listed_nbytes`."""
    expected = expected_nbytes(spec)
    wrong = [n for n in listed_nbytes if n not in expected]
    if wrong:
        raise ScrubError(f"{where}: the stored checkpoint holds {wrong[0]:,} bytes, the run's network needs "
                         f"{' or '.join(f'{n:,}' for n in expected)}; the store is damaged")
    try:
        weights = store.checkpoint_weights(run_id, epoch)
    except RunStoreError as error:
        raise ScrubError(str(error)) from None
    return checked_state(weights, spec, where)
