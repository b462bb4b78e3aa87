"""What the Runs dock's Fork and Rewind do, without their widgets: start a new run from a recorded run's weights.

**Fork**: the document's current settings, trained from a run's checkpoint (any epoch the store kept). The new
run records the run and the epoch it came from (`RunOrigin`), so the run table shows it under its parent.
**Rewind**: the document's current settings (the user changed one), trained again from the run's recorded
initial weights and its seed, so data order and dropout masks are the run's too: a fair comparison. The seed is
set as one undoable edit when it differs. The new run records the run as its parent, at epoch 0.

Both go the way the Doctor's "Apply and retrain" goes (`doctor_cures.apply_and_retrain`): end any run, put the
weights in the document, press Train. A checkpoint that does not fit the current network (its layers changed
since) is refused with a one-line `RunActionError`, nothing changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.network.memory import parameter_counts
from core.runs import RunStore, RunStoreError
from studio.training.run_recording import RunOrigin

if TYPE_CHECKING:
    from studio.training.controller import TrainingController


class RunActionError(Exception):
    """A fork or rewind that can't start; the message is one line."""


def fork_run(controller: TrainingController, store_path: Path, run_id: int, epoch: int) -> None:
    """Train the document's settings from run `run_id`'s checkpoint at `epoch`."""
    try:
        with RunStore.open(store_path) as store:
            name = store.summary(run_id).name
            weights = store.checkpoint_weights(run_id, epoch)
    except RunStoreError as error:
        raise RunActionError(str(error)) from None
    _start_from(controller, weights, RunOrigin(run_id, epoch), f"{name}'s checkpoint at epoch {epoch}")


def rewind_run(controller: TrainingController, store_path: Path, run_id: int) -> None:
    """Train the document's settings again from run `run_id`'s initial weights and seed."""
    try:
        with RunStore.open(store_path) as store:
            record = store.load_run(run_id)
    except RunStoreError as error:
        raise RunActionError(str(error)) from None
    name = record.summary.name
    if record.initial_weights is None:
        raise RunActionError(f"{name} kept no initial weights to rewind to")
    _check_fits(controller.document.spec, record.initial_weights, f"{name}'s initial weights")
    controller.finish_now()
    document = controller.document
    if record.seed is not None and int(document.spec.training.seed) != record.seed:
        document.set_settings({"training.seed": int(record.seed)}, f"Rewind to {name}: seed {record.seed}")
    _start_from(controller, record.initial_weights, RunOrigin(run_id, 0), f"{name}'s initial weights")


def checkpoint_epochs(store_path: Path, run_id: int) -> list[int]:
    """The epochs a fork of the run can start from (its kept checkpoints, the best one included), in order."""
    with RunStore.open(store_path) as store:
        return sorted({checkpoint.epoch for checkpoint in store.checkpoints(run_id)})


def _start_from(controller: TrainingController, weights: Mapping[str, np.ndarray], origin: RunOrigin,
                what: str) -> None:
    _check_fits(controller.document.spec, weights, what)
    controller.finish_now()  # the run's weights and result first; no-op when idle
    controller.document.set_weights(dict(weights), [])
    controller.next_run_origin = origin  # after set_weights: the new weights are the fork's
    controller.play_pause()  # starts now, or once the kernel warm-up has compiled them


def _check_fits(spec: Any, weights: Mapping[str, np.ndarray], what: str) -> None:
    n_params, n_buffers = parameter_counts(spec.input_size, spec.layers)
    params, buffers = weights.get("params"), weights.get("buffers")
    sizes = (getattr(params, "size", -1), getattr(buffers, "size", 0 if buffers is None else -1))
    if sizes != (n_params, n_buffers):
        raise RunActionError(f"{what} ({sizes[0]} parameters) don't fit the network as it is now "
                             f"({n_params} parameters): its layers changed since that run")
