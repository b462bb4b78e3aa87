"""A sweep's search space: one `ParamRange` per swept setting, parsed from `PATH=SPEC` and checked against the spec.

SPEC is exactly one of `log:A:B` (a float or int range searched on a log scale), `lin:A:B` (a float range),
`int:A:B` (whole numbers, both ends included) or `choice:a,b,c` (values typed by the catalogue field: numbers for
numeric fields, names for choice fields, true/false for switches). PATH is a dotted spec path
(`training.optimizer.lr`, `layers[0].units`); `layers[*].dropout` is ONE parameter applied to every hidden layer.

Checks happen here, once: the path must name a setting of the project's spec, the range must lie inside the
catalogue's limits for it (a log range above zero), and a choice must be a value the field takes. Anything else is
a `SweepError` with one line naming the parameter. Text is only ever split and converted (float/int/known names),
never evaluated.

The grid sampler needs finite values: `grid_values` gives every choice, every integer of a short int range, and
`GRID_POINTS` evenly spaced points (geometrically for log) of a lin/log range or a long int range.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.spec import SpecError, check_setting, expand_path, field_for, parse_path
from core.sweeps.errors import SweepError

KINDS = ("log", "lin", "int", "choice")
GRID_POINTS = 5  # points of a lin/log range (and of an int range with more than GRID_INT_LIMIT values) in a grid
GRID_INT_LIMIT = 10  # an int range of at most this many values is searched whole by the grid sampler
MAX_PARAM_TEXT = 2000  # a --param longer than this is refused before it is split
MAX_CHOICES = 100
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"[+-]?\d{1,12}")


@dataclass(frozen=True)
class ParamRange:
    """One swept setting: `path` (dotted spec path), `kind` ("log" | "lin" | "int" | "choice"), `low`/`high` for
    ranges (both included), `choices` (typed values) for "choice"."""

    path: str
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    choices: tuple[Any, ...] = ()

    def describe(self) -> str:
        """The SPEC text this range would be parsed from (`log:0.0001:1`, `choice:adam,sgd`)."""
        if self.kind == "choice":
            return "choice:" + ",".join(_choice_text(value) for value in self.choices)
        return f"{self.kind}:{self.low}:{self.high}"


def parse_param(text: str, spec: Mapping[str, Any]) -> ParamRange:
    """`PATH=SPEC` (see the module docstring) checked against `spec`; SweepError naming the parameter otherwise."""
    if not isinstance(text, str):
        raise SweepError(f"a parameter must be text such as training.optimizer.lr=log:1e-4:1, got {type(text).__name__}")
    if len(text) > MAX_PARAM_TEXT:
        raise SweepError(f"parameter {text[:40]!r}…: longer than {MAX_PARAM_TEXT} characters")
    path, sep, range_text = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise SweepError(f"parameter {text!r}: write PATH=SPEC, e.g. training.optimizer.lr=log:1e-4:1")
    kind, sep, body = range_text.strip().partition(":")
    if kind not in KINDS or not sep:
        raise SweepError(f"parameter {path}: {range_text!r} is not a range; write log:A:B, lin:A:B, int:A:B "
                         f"or choice:a,b,c")
    if kind == "choice":
        raw = [item.strip() for item in body.split(",")]
        if len(raw) > MAX_CHOICES:
            raise SweepError(f"parameter {path}: more than {MAX_CHOICES} choices")
        return check_range(ParamRange(path, "choice", choices=tuple(_typed_choice(path, item, spec) for item in raw)),
                           spec)
    ends = body.split(":")
    if len(ends) != 2:
        raise SweepError(f"parameter {path}: {kind}:{body} needs two ends, as in {kind}:A:B")
    convert = _whole if kind == "int" else _number
    return check_range(ParamRange(path, kind, convert(path, ends[0]), convert(path, ends[1])), spec)


def check_range(param: ParamRange, spec: Mapping[str, Any]) -> ParamRange:
    """`param` with values typed by its catalogue field, if it fits `spec` and the catalogue; else SweepError.
    (The studio builds ParamRanges directly and checks them here.)"""
    path = param.path
    try:
        parse_path(path)
        paths = expand_path(spec, path)
        if not paths:
            raise SweepError(f"parameter {path}: the network has no hidden layer")
        field = field_for(spec, path)
    except SpecError as error:
        raise SweepError(f"parameter {path}: {_without_where(error)}") from error
    if param.kind not in KINDS:
        raise SweepError(f"parameter {path}: kind must be one of {', '.join(KINDS)}, got {param.kind!r}")
    if param.kind == "choice":
        if not param.choices:
            raise SweepError(f"parameter {path}: choice needs at least one value")
        values = tuple(_checked(spec, paths[0], value, path) for value in param.choices)
        if len(set(map(repr, values))) != len(values):
            raise SweepError(f"parameter {path}: a choice is listed twice")
        return ParamRange(path, "choice", choices=values)
    allowed = {"log": ("float", "int"), "lin": ("float",), "int": ("int",)}[param.kind]
    if field.kind not in allowed:
        hint = {"int": "int:A:B or log:A:B", "float": "lin:A:B or log:A:B"}.get(field.kind, "choice:a,b")
        raise SweepError(f"parameter {path}: a {field.kind} setting; {param.kind}:A:B does not fit it (use {hint})")
    low, high = (_checked(spec, paths[0], value, path) for value in (param.low, param.high))
    if not low < high:
        raise SweepError(f"parameter {path}: the range's low end {low} must be below its high end {high}")
    if param.kind == "log" and low <= 0:
        raise SweepError(f"parameter {path}: a log range must start above 0, got {low}")
    return ParamRange(path, param.kind, low, high)


def grid_values(param: ParamRange) -> list[Any]:
    """The values the grid sampler tries for `param` (see the module docstring)."""
    if param.kind == "choice":
        return list(param.choices)
    low, high = param.low, param.high
    if param.kind == "int" and high - low + 1 <= GRID_INT_LIMIT:
        return list(range(int(low), int(high) + 1))
    if param.kind == "log" or (param.kind == "int" and low > 0 and high / low >= 100):
        points = [math.exp(math.log(low) + (math.log(high) - math.log(low)) * i / (GRID_POINTS - 1))
                  for i in range(GRID_POINTS)]
    else:
        points = [low + (high - low) * i / (GRID_POINTS - 1) for i in range(GRID_POINTS)]
    if isinstance(low, int):
        return sorted({int(round(point)) for point in points})
    # 12 significant digits: 1e-3, not 0.0010000000000000002 (the ends stay exact, inside the catalogue's limits)
    return [float(low)] + [float(f"{point:.12g}") for point in points[1:-1]] + [float(high)]


def grid_size(params: tuple[ParamRange, ...]) -> int:
    """How many points the grid over `params` has."""
    return math.prod(len(grid_values(param)) for param in params)


def grid_points(params: tuple[ParamRange, ...], count: int, seed: int) -> list[dict[str, Any]]:
    """`count` distinct grid points ({path: value}) in a seeded random order, without listing the whole grid
    (a grid of many parameters can have millions of points): indices are drawn, then decoded digit by digit."""
    import random
    axes = [grid_values(param) for param in params]
    total = math.prod(len(axis) for axis in axes)
    points = []
    for index in random.Random(seed).sample(range(total), min(count, total)):
        point = {}
        for param, axis in zip(params, axes):
            index, digit = divmod(index, len(axis))
            point[param.path] = axis[digit]
        points.append(point)
    return points


# --- internals ----------------------------------------------------------------------------------------------------
def _checked(spec: Mapping[str, Any], path: str, value: Any, name: str) -> Any:
    try:
        return check_setting(spec, path, value)
    except SpecError as error:
        raise SweepError(f"parameter {name}: {_without_where(error)}") from error


def _typed_choice(path: str, item: str, spec: Mapping[str, Any]) -> Any:
    """A choice's text as the field's type: the field decides, so "1" is 1 for units and a name for a choice."""
    if not item:
        raise SweepError(f"parameter {path}: an empty choice (write choice:a,b,c)")
    try:
        kind = field_for(spec, path).kind
    except SpecError as error:
        raise SweepError(f"parameter {path}: {_without_where(error)}") from error
    if kind == "bool":
        if item.lower() not in ("true", "false"):
            raise SweepError(f"parameter {path}: {item[:40]!r} is not true or false")
        return item.lower() == "true"
    if kind == "int":
        return _whole(path, item)
    if kind == "float":
        return _number(path, item)
    return item  # a name: check_range accepts only the catalogue's names for it


def _number(path: str, text: str) -> float:
    text = text.strip()
    if not _NUMBER.fullmatch(text):  # refuses nan, inf and anything that is not a plain decimal number
        raise SweepError(f"parameter {path}: {text[:40]!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise SweepError(f"parameter {path}: {text[:40]!r} is not a finite number")
    return value


def _whole(path: str, text: str) -> int:
    text = text.strip()
    if not _WHOLE.fullmatch(text):
        raise SweepError(f"parameter {path}: {text[:40]!r} is not a whole number")
    return int(text)


def _choice_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _without_where(error: SpecError) -> str:
    text, where = str(error), getattr(error, "where", None)
    return text[len(where) + 2:] if where and text.startswith(f"{where}: ") else text
