"""Dotted spec paths: every setting has ONE name, used by edits and undo, live changes, the CLI, cures and sweeps.

A path names a setting from the spec's root: `input_size`, `training.epochs`, `training.optimizer.lr`,
`training.clipping.value`, `layers[2].dropout` (0-based: the last layer is the output layer). In a search space
`layers[*].dropout` stands for that field of every HIDDEN layer; the output layer is left out, because it may not
have dropout, batch norm or a residual skip and its width and activation follow the data.

- `parse_path(path)`: the parts, e.g. ("layers", 2, "dropout"); a malformed path is a SpecError naming it.
- `get_setting(spec, path)`: the value.
- `field_for(spec, path)`: the catalogue `Field` that governs the setting (its label, help, limits and whether it
  may change `live`). An optimizer's or schedule's fields are those of the spec's current choice.
- `with_changes(spec, {path: value})`: a new `Spec`, validated once; the input is never changed. Setting
  `training.optimizer.name` (or `.schedule.name`) to another choice starts that section from the new choice's
  defaults; the mapping's other changes to that section apply on top.
- `changed_paths(a, b)`: {path: (value in a, value in b)} for every leaf setting that differs (None on the side
  that lacks it: another optimizer's field, a layer the other spec does not have).
- `setting_paths(spec)`: {path: Field} of every setting; `live_paths(spec)`: those that may change while
  training runs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any, Union

from core.spec.catalogue import (
    CLIPPING_FIELDS, EARLY_STOPPING_FIELDS, INPUT_SIZE_FIELD, LAYER_FIELDS, LOOKAHEAD_FIELDS, OPTIMIZER_NAME_FIELD,
    OPTIMIZERS, SCHEDULE_NAME_FIELD, SCHEDULES, TRAINING_FIELDS, Field,
)
from core.spec.errors import SpecError
from core.spec.frozen import thaw
from core.spec.typed import Spec
from core.spec.validate import check_field, validate_spec

WILDCARD = "*"  # layers[*]: every hidden layer
Part = Union[str, int]

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(0|[1-9][0-9]*|\*)\])?")
_SECTIONS: dict[str, tuple[str, tuple[Field, ...]]] = {  # section -> (owner in messages, fields)
    "lookahead": ("lookahead", LOOKAHEAD_FIELDS), "early_stopping": ("early stopping", EARLY_STOPPING_FIELDS),
    "clipping": ("clipping", CLIPPING_FIELDS)}
_CHOICES = {"optimizer": (OPTIMIZERS, OPTIMIZER_NAME_FIELD), "schedule": (SCHEDULES, SCHEDULE_NAME_FIELD)}
_MISSING = object()


def parse_path(path: str) -> tuple[Part, ...]:
    """("training", "optimizer", "lr") for "training.optimizer.lr", ("layers", 2, "dropout") for "layers[2].dropout"
    ("*" for [*]); SpecError for anything else."""
    if not isinstance(path, str):
        raise SpecError(f"a setting path must be text such as training.optimizer.lr, got {path!r}", str(path))
    parts: list[Part] = []
    for segment in path.split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise SpecError(f"{path!r} is not a setting path: write names joined by dots, with [index] or [*] "
                            f"after layers, e.g. training.optimizer.lr or layers[2].dropout", path)
        parts.append(match.group(1))
        if match.group(2) is not None:
            parts.append(WILDCARD if match.group(2) == WILDCARD else int(match.group(2)))
    return tuple(parts)


def format_path(parts: tuple[Part, ...]) -> str:
    """The inverse of `parse_path`."""
    text = ""
    for part in parts:
        if isinstance(part, int) or part == WILDCARD:
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def get_setting(spec: Mapping[str, Any], path: str) -> Any:
    """The value at `path` (a section for a section's path); SpecError when the spec has nothing there."""
    parts = parse_path(path)
    if WILDCARD in parts:
        raise SpecError(f"{path}: [*] stands for several settings; expand_path lists them", path)
    node: Any = spec
    for part in parts:
        node = _child(node, part)
        if node is _MISSING:
            raise SpecError(f"{path}: this spec has no such setting", path)
    return node


def expand_path(spec: Mapping[str, Any], path: str) -> list[str]:
    """[path] for a plain path; for layers[*].FIELD the path of FIELD in every hidden layer (not the output)."""
    parts = parse_path(path)
    if WILDCARD not in parts:
        return [path]
    if parts.index(WILDCARD) != 1 or parts[0] != "layers" or parts.count(WILDCARD) != 1:
        raise SpecError(f"{path}: [*] stands only for the hidden layers, as in layers[*].dropout", path)
    return [format_path(("layers", index) + parts[2:]) for index in range(len(spec["layers"]) - 1)]


def field_for(spec: Mapping[str, Any], path: str) -> Field:
    """The catalogue Field that governs the setting at `path` in `spec`; SpecError when it names none."""
    return _governing(spec, parse_path(path), path)[0]


def check_setting(spec: Mapping[str, Any], path: str, value: Any) -> Any:
    """`value` converted to the type of the field at `path`, or SpecError naming the path, the value and the limits
    (this checks the one field; `with_changes` also checks how settings fit together)."""
    field, owner = _governing(spec, parse_path(path), path)
    return check_field(field, value, path, owner)


def with_changes(spec: Mapping[str, Any], changes: Mapping[str, Any]) -> Spec:
    """A new, validated Spec: `spec` (a valid one) with each {path: value} of `changes` applied. Never changes
    `spec`; SpecError naming the path when a path names no setting or the result is not valid."""
    new = thaw(spec)  # a plain copy to edit: a Spec itself never changes
    parsed = [(p, parse_path(p), value) for path, value in changes.items() for p in expand_path(spec, path)]
    for path, parts, value in parsed:  # a new optimizer or schedule first: the other changes apply to it
        if _is_choice_name(parts):
            table, name_field = _CHOICES[str(parts[1])]
            name = check_field(name_field, value, path, f"training.{parts[1]}")
            if name != new["training"][parts[1]]["name"]:
                new["training"][parts[1]] = {"name": name, **copy.deepcopy(table[name].defaults())}
    for path, parts, value in parsed:
        if not _is_choice_name(parts):
            _governing(new, parts, path)  # refuses a path that names no setting
            node: Any = new
            for part in parts[:-1]:
                node = _child(node, part)
            node[parts[-1]] = copy.deepcopy(value)
    return validate_spec(new)


def changed_paths(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{path: (value in a, value in b)} for every leaf setting that differs; None on a side that lacks it."""
    left = {format_path(parts): value for parts, value in _leaves(a)}
    right = {format_path(parts): value for parts, value in _leaves(b)}
    return {path: (left.get(path), right.get(path)) for path in {**left, **right}
            if left.get(path, _MISSING) != right.get(path, _MISSING)}


def setting_paths(spec: Mapping[str, Any]) -> dict[str, Field]:
    """{path: governing Field} for every setting of `spec` (leaves that are no setting, such as the version, a
    layer's type or name, are left out)."""
    settings = {}
    for parts, _ in _leaves(spec):
        path = format_path(parts)
        try:
            settings[path] = _governing(spec, parts, path)[0]
        except SpecError:
            continue
    return settings


def live_paths(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The paths of `spec`'s settings whose catalogue field is `live` (may change while training runs)."""
    return tuple(path for path, field in setting_paths(spec).items() if field.live)


# --- internals ----------------------------------------------------------------------------------------------------
def _child(node: Any, part: Part) -> Any:
    if isinstance(part, int) and isinstance(node, list) and part < len(node):
        return node[part]
    if isinstance(part, str) and isinstance(node, Mapping) and part in node:
        return node[part]
    return _MISSING


def _is_choice_name(parts: tuple[Part, ...]) -> bool:
    return len(parts) == 3 and parts[0] == "training" and parts[1] in _CHOICES and parts[2] == "name"


def _named(fields: tuple[Field, ...], name: Part, owner: str, path: str) -> Field:
    for field in fields:
        if field.name == name:
            return field
    raise SpecError(f"{owner}: unknown setting {name!r}; allowed: {', '.join(sorted(f.name for f in fields))}", path)


def _governing(spec: Mapping[str, Any], parts: tuple[Part, ...], path: str) -> tuple[Field, str]:
    """The Field at `parts` and its owner as validate_spec names it in messages ("optimizer adam", "layer 2 …")."""
    head, rest = parts[0], parts[1:]
    if parts == ("input_size",):
        return INPUT_SIZE_FIELD, "spec"
    if head == "layers" and len(rest) == 2 and isinstance(rest[1], str):
        count, index = len(spec["layers"]), rest[0]
        if index == WILDCARD:
            return _named(LAYER_FIELDS, rest[1], "hidden layers", path), "hidden layers"
        if not isinstance(index, int) or index >= count:
            raise SpecError(f"{path}: there is no layer {index + 1 if isinstance(index, int) else index}; the "
                            f"network has {count} layers (the last is the output layer)", path)
        owner = f"layer {index + 1} ({'output' if index == count - 1 else 'dense'})"
        return _named(LAYER_FIELDS, rest[1], owner, path), owner
    if head == "training" and len(rest) == 1:
        return _named(TRAINING_FIELDS, rest[0], "training", path), "training"
    if head == "training" and len(rest) == 2 and rest[0] in _CHOICES:
        table, name_field = _CHOICES[str(rest[0])]
        if rest[1] == "name":
            return name_field, f"training.{rest[0]}"
        chosen = spec["training"][rest[0]]["name"]
        owner = f"{rest[0]} {chosen}"
        return _named(table[chosen].fields, rest[1], owner, path), owner
    if head == "training" and len(rest) == 2 and rest[0] in _SECTIONS:
        owner, fields = _SECTIONS[str(rest[0])]
        return _named(fields, rest[1], owner, path), owner
    raise SpecError(f"{path}: names no setting; a setting path is input_size, layers[i].FIELD, training.FIELD or "
                    f"training.SECTION.FIELD (SECTION: optimizer, schedule, lookahead, early_stopping, clipping)",
                    path)


def _leaves(node: Any, parts: tuple[Part, ...] = ()) -> Iterator[tuple[tuple[Part, ...], Any]]:
    """(parts, value) of every leaf: dicts and lists of dicts (the layers) are walked, other values are leaves."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _leaves(value, parts + (key,))
    elif isinstance(node, list) and node and all(isinstance(item, Mapping) for item in node):
        for index, value in enumerate(node):
            yield from _leaves(value, parts + (index,))
    else:
        yield parts, node
