"""The ONNX graph's raw-column inputs: one input per CSV column, encoded with ai.onnx.ml operators (as skl2onnx).

A numeric column is a float input [N, 1] with NaN for a gap; an `Imputer` replaces NaN by the fill value the
training data used (without a fill rule, a gap stays NaN and so do the predictions). A text column is a string
input [N, 1] holding the stripped cell; a `OneHotEncoder` (``zeros=0``: an unknown category makes the run fail, as
the other exports refuse it) maps it to the categories in the loader's order. When the column has a fill rule,
the gap spellings ("" and NA, N/A, NaN, null, ? in lower, upper and title case) are extra categories, and a
`MatMul` with [identity; fill rows] turns them into the categories' frequencies. `Concat` joins the columns into
the encoded features the rest of the graph (feature transform, scaling, network) takes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.data.csv_format import MISSING_MARKERS
from core.export.common import ExportError
from core.export.raw_columns import CATEGORY, RawColumn

ML_DOMAIN = "ai.onnx.ml"
ML_OPSET = 3  # Imputer and OneHotEncoder are version 1; 3 is read by onnxruntime releases from 2020 on


def gap_spellings() -> list[str]:
    """The strings a text input may hold for a gap: the loader's markers in their usual capitalisations."""
    spellings = {variant for marker in MISSING_MARKERS
                 for variant in (marker, marker.upper(), marker.title(), marker.capitalize())}
    return sorted(spellings | {"NaN"})


def encode_raw_columns(g: Any, columns: list[RawColumn], helper: Any, tensor_proto: Any,
                       output_name: str) -> tuple[list[Any], str]:
    """(graph inputs, name of the encoded float [N, features] tensor) for the model's raw columns."""
    names = [column.name for column in columns]
    if output_name in names:
        raise ExportError(f"ONNX export: a data column is named {output_name!r}, like the model's output; rename "
                          "the column in the CSV and train again")
    g.reserve(names + [output_name])
    inputs, encoded = [], []
    for column in columns:
        if column.kind == CATEGORY:
            inputs.append(helper.make_tensor_value_info(column.name, tensor_proto.STRING, ["N", 1]))
            encoded.append(_one_hot(g, column))
        else:
            inputs.append(helper.make_tensor_value_info(column.name, tensor_proto.FLOAT, ["N", 1]))
            encoded.append(column.name if column.fill is None else g.op(
                "Imputer", [column.name], "imputed", domain=ML_DOMAIN, imputed_value_floats=[column.fill[0]],
                replaced_value_float=float("nan")))
    features = encoded[0] if len(encoded) == 1 else g.op("Concat", encoded, "encoded", axis=1)
    return inputs, features


def _one_hot(g: Any, column: RawColumn) -> str:
    categories = list(column.categories)
    gaps = gap_spellings() if column.fill is not None else []
    one_hot = g.op("OneHotEncoder", [column.name], "one_hot", domain=ML_DOMAIN, cats_strings=categories + gaps,
                   zeros=0)
    width = len(categories) + len(gaps)
    flat = g.op("Reshape", [one_hot, g.const("shape", [-1, width], np.int64)], "one_hot_2d")
    if not gaps:
        return flat
    mapping = np.vstack([np.eye(len(categories)), np.tile(np.asarray(column.fill), (len(gaps), 1))])
    return g.op("MatMul", [flat, g.const("gap_fill", mapping)], "filled")
