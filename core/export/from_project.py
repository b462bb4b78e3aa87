"""Building an ExportModel from a project's pieces: its prepared data, its trained network, the model.

The data and the network are rebuilt by `core.project_parts` (the scaling refitted exactly as in training). For a
CSV source the raw columns' encoding (categories, gap fills) is refitted from the file the same way
(`raw_columns.fit_csv_columns`) and checked against the features the network was trained on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.export.common import ExportError
from core.export.model import ExportModel
from core.export.raw_columns import RawColumn, encoded_feature_names, fit_csv_layout
from core.project_parts import network_with_weights, prepare_from_config


def export_model_from_parts(spec: dict[str, Any], data_config: dict[str, Any] | None,
                            weights: dict[str, np.ndarray] | None, prepared: Any = None) -> ExportModel:
    """The ExportModel of a spec + data config + weights (weights None: the untrained initial network)."""
    from core.network import NetworkError
    try:
        network = network_with_weights(spec, weights)
    except NetworkError as error:  # the saved weights don't fit: an export error, as the export dialog expects
        raise ExportError(str(error)) from error
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
