"""A project's pieces rebuilt as the engine's objects: its data prepared as in training, its network holding the
saved weights. The command line trains, predicts and exports from these; the exporters build on them.

A project stores the spec, a reference to the data and the trained weights (`Network.get_state()`), not the
split or the scaling statistics: those are refitted here exactly as the studio does (same source, split settings
and seed), so the preprocessing equals the one the network was trained with.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def prepare_from_config(data_config: dict[str, Any], spec: dict[str, Any], dataset: Any = None) -> Any:
    """`core.data.PreparedData` for a project's data config, split with the spec's seed (as the studio does).
    `dataset`: the config's source already loaded (`core.data.load_source`), to check or show it first."""
    from core.data import load_source, prepare
    dataset = load_source(data_config["source"]) if dataset is None else dataset
    return prepare(dataset, val_fraction=data_config.get("val_fraction", 0.2),
                   test_fraction=data_config.get("test_fraction", 0.2), scaling=data_config.get("scaling", "standard"),
                   feature_transform=list(data_config.get("feature_transform") or []) or None,
                   seed=int(spec["training"]["seed"]))


def network_with_weights(spec: dict[str, Any], weights: dict[str, np.ndarray] | None) -> Any:
    """A `Network` for `spec`, holding `weights` (its initial weights when None); NetworkError when they don't fit."""
    from core.network import Network, NetworkError
    network = Network.from_spec(spec)
    if weights is not None:
        try:
            network.set_state(weights)
        except NetworkError as error:
            raise NetworkError(f"the saved weights don't fit this network ({error}); train it again") from error
    return network
