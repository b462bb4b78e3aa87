"""A project's manifest (project.json) read without trusting it: JSON depth, types, ranges and enums.

Everything here raises `ManifestError` with a message that `core.project.load_project` prefixes with
"<file> is damaged: ". The checks are about types and ranges only, so the studio's widgets and the loaders get
well-formed values: whether a named data set exists is still the data loaders' business (and they report it
as a data error the studio shows beside a usable project).
"""

from __future__ import annotations

import json
import math
from typing import Any

from core.data.errors import DataError
from core.data.feature_transform import FeatureTransform
from core.data.playground import MAX_POINTS
from core.data.scaling import SCALING_KINDS
from core.project_errors import ManifestError, short_repr

MAX_NESTING = 32  # a manifest is a few levels deep; 10⁵ levels would overflow every recursive walk
SOURCE_KINDS = ("playground", "sklearn", "file")
DEFAULT_SPLIT = {"val_fraction": 0.2, "test_fraction": 0.2, "scaling": "standard", "feature_transform": []}
_MAX_SEED = 2**63 - 1
_JSON_SCALARS = (str, int, float, bool, type(None))


def decode_manifest(raw: bytes) -> Any:
    """The JSON value in `raw`, refusing text that is not UTF-8 JSON or that nests deeper than MAX_NESTING."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ManifestError(f"its project.json is not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise ManifestError(f"its project.json nests deeper than {MAX_NESTING} levels") from None
    except ValueError as error:  # JSONDecodeError, or an integer of more than 4300 digits
        raise ManifestError(f"its project.json is not valid JSON ({short_repr(str(error), 120)})") from None
    if _nesting_depth(value) > MAX_NESTING:
        raise ManifestError(f"its project.json nests deeper than {MAX_NESTING} levels")
    return value


def require_mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(f"{what} must be a mapping, got {short_repr(value)}")
    return value


def check_data_config(config: Any) -> dict[str, Any]:
    """The data configuration with defaults filled in, checked field by field (source, fractions, scaling,
    feature transform). Unknown keys are kept: a newer minor feature may have added them."""
    config = {**DEFAULT_SPLIT, **require_mapping(config, "its data reference")}
    config["source"] = check_source(config.get("source"))
    for key in ("val_fraction", "test_fraction"):
        value = config[key]
        if not _is_number(value) or not 0.0 <= value < 1.0:
            raise ManifestError(f"its data reference: {key} must be a number from 0 up to (not including) 1, "
                                f"got {short_repr(value)}")
    if config["val_fraction"] + config["test_fraction"] >= 1.0:
        raise ManifestError("its data reference: val_fraction + test_fraction must be below 1")
    scaling = config["scaling"]
    if not isinstance(scaling, str) or scaling not in SCALING_KINDS:
        raise ManifestError(f"its data reference: scaling must be one of {', '.join(SCALING_KINDS)}, got "
                            f"{short_repr(scaling)}")
    config["feature_transform"] = _check_feature_transform(config["feature_transform"])
    return config


def check_source(source: Any) -> dict[str, Any]:
    """A data-source dict whose fields have the types its loader expects (the loader checks the rest)."""
    source = require_mapping(source, "its data source")
    kind = source.get("kind")
    if not isinstance(kind, str) or kind not in SOURCE_KINDS:
        raise ManifestError(f"its data source: kind must be one of {', '.join(SOURCE_KINDS)}, got "
                            f"{short_repr(kind)}")
    if kind == "file":
        for key in ("path", "format"):
            if not isinstance(source.get(key), str) or not source[key]:
                raise ManifestError(f"its data source: {key} must be text, got {short_repr(source.get(key))}")
        for key, value in source.items():
            if not _is_plain_option(value):
                raise ManifestError(f"its data source: {key} must be text, a number or a list of them, got "
                                    f"{short_repr(value)}")
        return source
    if not isinstance(source.get("name"), str):
        raise ManifestError(f"its data source: name must be text, got {short_repr(source.get('name'))}")
    if kind == "playground":
        _check_playground(source)
    return source


def check_history(history: Any) -> list[dict[str, Any]]:
    """The run history: a list of per-epoch records, each mapping names to numbers, text, lists of numbers, or
    lists of such lists (the studio keeps the last epoch's confusion matrix as rows of counts)."""
    if not isinstance(history, list):
        raise ManifestError(f"its run history must be a list of records, got {short_repr(history)}")
    for number, record in enumerate(history, start=1):
        if not isinstance(record, dict) or not all(_is_history_value(value) for value in record.values()):
            raise ManifestError(f"its run history: record {number} must map names to numbers, got "
                                f"{short_repr(record)}")
    return history


def _is_history_value(value: Any, nesting: int = 2) -> bool:
    """A number or text, or a list (at most `nesting` deep) of them."""
    if isinstance(value, _JSON_SCALARS):
        return True
    return nesting > 0 and isinstance(value, list) and all(_is_history_value(item, nesting - 1) for item in value)


def _check_playground(source: dict[str, Any]) -> None:
    checks = (("num_points", lambda v: _is_whole(v) and 1 <= v <= MAX_POINTS,
               f"a whole number from 1 to {MAX_POINTS}"),
              ("noise", lambda v: _is_number(v) and 0.0 <= v <= 1.0, "a number from 0 to 1"),
              ("seed", lambda v: _is_whole(v) and 0 <= v <= _MAX_SEED, "a whole number ≥ 0"))
    for key, valid, allowed in checks:
        if key in source and not valid(source[key]):
            raise ManifestError(f"its data source: {key} must be {allowed}, got {short_repr(source[key])}")
    added = source.get("added_points", [])
    if not isinstance(added, list) or len(added) > MAX_POINTS or not all(
            isinstance(point, list) and len(point) == 3 and all(_is_number(v) for v in point) for point in added):
        raise ManifestError(f"its data source: added_points must be a list of [x, y, label] numbers, got "
                            f"{short_repr(added)}")


def _check_feature_transform(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ManifestError(f"its data reference: feature_transform must be a list of feature names such as "
                            f"[\"x\", \"y\"], got {short_repr(value)}")
    if not value:
        return []
    try:
        return list(FeatureTransform(list(value)).names)
    except DataError as error:
        raise ManifestError(f"its data reference: {error}") from None


def _is_number(value: Any) -> bool:
    """A finite int or float (math.isfinite would raise OverflowError on an int past the float range)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**1000


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_plain_option(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(isinstance(item, (str, int)) for item in value)
    return isinstance(value, _JSON_SCALARS)


def _nesting_depth(value: Any) -> int:
    """How many lists/dicts deep `value` goes, walked without recursion (stops early past MAX_NESTING)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
