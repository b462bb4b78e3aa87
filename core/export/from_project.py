"""Rebuilding what an export needs from a project's pieces: the prepared data, the trained network, the model.

A project stores the spec, a reference to the data and the trained weights (`Network.get_state()`), not the
scaling statistics: those are refitted here exactly as the studio does (same source, split settings and seed),
so the exported preprocessing equals the one the network was trained with. For a CSV source the raw columns'
encoding (categories, gap fills) is refitted from the file the same way (`raw_columns.fit_csv_columns`) and
checked against the features the network was trained on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.export.common import ExportError
from core.export.model import ExportModel
from core.export.raw_columns import RawColumn, encoded_feature_names, fit_csv_layout


def prepare_from_config(data_config: dict[str, Any], spec: dict[str, Any]) -> Any:
    """`core.data.PreparedData` for a project's data config, split with the spec's seed (as the studio does)."""
    from core.data import load_source, prepare
    dataset = load_source(data_config["source"])
    return prepare(dataset, val_fraction=data_config.get("val_fraction", 0.2),
                   test_fraction=data_config.get("test_fraction", 0.2), scaling=data_config.get("scaling", "standard"),
                   feature_transform=list(data_config.get("feature_transform") or []) or None,
                   seed=int(spec["training"]["seed"]))


def network_with_weights(spec: dict[str, Any], weights: dict[str, np.ndarray] | None) -> Any:
    """A `Network` for `spec`, holding `weights` (its initial weights when None)."""
    from core.network import Network, NetworkError
    network = Network.from_spec(spec)
    if weights is not None:
        try:
            network.set_state(weights)
        except NetworkError as error:
            raise ExportError(f"the saved weights don't fit this network ({error}); train it again") from error
    return network


def export_model_from_parts(spec: dict[str, Any], data_config: dict[str, Any] | None,
                            weights: dict[str, np.ndarray] | None, prepared: Any = None) -> ExportModel:
    """The ExportModel of a spec + data config + weights (weights None: the untrained initial network)."""
    network = network_with_weights(spec, weights)
    if prepared is None and data_config is not None:
        prepared = prepare_from_config(data_config, spec)
    raw_names = None
    if prepared is not None and not (data_config or {}).get("feature_transform"):
        raw_names = list(prepared.feature_names)
    layout = raw_columns_from_config(data_config, prepared) if prepared is not None else None
    return ExportModel.from_network(network, prepared, trained=weights is not None, raw_feature_names=raw_names,
                                    raw_columns=layout[0] if layout else None,
                                    csv_columns=layout[1] if layout else None)


def raw_columns_from_config(data_config: dict[str, Any] | None,
                            prepared: Any) -> tuple[list[RawColumn], list[str]] | None:
    """(raw feature columns, all the CSV's column names) of a project's data, checked against `prepared`; None
    when the data is not a CSV file."""
    source = (data_config or {}).get("source")
    if not isinstance(source, dict) or source.get("kind") != "file" or source.get("format") != "csv":
        return None
    columns, file_columns = fit_csv_layout(source)
    names = encoded_feature_names(columns)
    transform = (data_config or {}).get("feature_transform")
    if (len(names) != 2) if transform else (names != list(prepared.feature_names)):
        raise ExportError(f"the data file {source.get('path')!r} no longer gives the features the network was "
                          "trained on (its columns or categories changed); train again on the current file")
    return columns, file_columns
