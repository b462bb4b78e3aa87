"""A recorded run's data, loaded again as it trained on it: the project's data loading, the recorded hash checked.

A run records its data reference (the project's data configuration: source, split fractions, scaling, feature
transform) and the data set's content hash. `load_run_data` loads the source through `core.data.load_source`,
refuses (one line) when its hash is no longer the recorded one — a file edited since, other playground settings —
and prepares it with `core.project_parts.prepare_from_config`, so the split, scaling and feature transform are the
run's own. What a scrub needs from it: the raw data set (the plot's points), the grid over its input plane (1- or
2-D data only, as the studio's decision-boundary plot draws it) and one fixed batch of training rows for the
gradients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from core.data import DataError, Dataset, PreparedData, load_source
from core.memory_budget import MemoryBudgetError
from core.network.grid_prediction import GridSpec
from core.network.memory import training_rows
from core.project_parts import prepare_from_config
from core.scrub.errors import ScrubError
from core.spec import Spec

MIN_BATCH_ROWS = 32  # a stochastic run's gradient on one row would be one sample's, not the data's
MAX_BATCH_ROWS = 4096  # a full-batch run on a large data set: the gradient of a 4,096-row batch is close enough


@dataclass(frozen=True)
class RunData:
    dataset: Dataset  # the raw data set (features unscaled): the points under the decision boundary
    data_config: dict[str, Any]  # the run's data reference: source, val_fraction, test_fraction, scaling, …
    prepared: PreparedData  # split, transformed and scaled as in the run
    grid: GridSpec | None  # the plane (2-D data) or line (1-D) the boundary is drawn over; None for other data
    batch_x: np.ndarray  # the fixed batch: the first rows of the training part (already shuffled by the split)
    batch_y: np.ndarray


def load_run_data(data_ref: Any, data_hash: str, spec: Spec, where: str) -> RunData:
    """The run's data, or ScrubError naming `where` (e.g. "run 3") when it can't be loaded or has changed."""
    if not isinstance(data_ref, Mapping) or not isinstance(data_ref.get("source"), Mapping):
        raise ScrubError(f"{where}: its data reference names no data source; it can't be scrubbed")
    config = dict(data_ref)
    try:
        dataset = load_source(dict(config["source"]))
        if data_hash and dataset.content_hash != data_hash:
            raise ScrubError(f"{where}: its data set ({dataset.name}) changed since the run (content hash "
                             f"{dataset.content_hash[:12]}…, recorded {data_hash[:12]}…); can't show it on other "
                             "data")
        prepared = prepare_from_config(config, spec, dataset)
    except (DataError, MemoryBudgetError, OSError, KeyError, TypeError, ValueError) as error:
        if isinstance(error, ScrubError):
            raise
        raise ScrubError(f"{where}: can't load its data: {error}") from None
    if prepared.input_size != spec.input_size:
        raise ScrubError(f"{where}: its network takes {spec.input_size} inputs, its data gives "
                         f"{prepared.input_size}")
    if prepared.x_train.shape[0] == 0:
        raise ScrubError(f"{where}: its data has no training rows")
    rows = min(prepared.x_train.shape[0],
               max(MIN_BATCH_ROWS, min(training_rows(spec, prepared.x_train.shape[0]), MAX_BATCH_ROWS)))
    grid = GridSpec.around(dataset.x) if dataset.num_features in (1, 2) else None
    return RunData(dataset, config, prepared, grid, prepared.x_train[:rows], prepared.y_train[:rows])
