"""Validation and normalisation of a spec: fills defaults, checks every field, refuses unknown ones.

`validate_spec(spec)` returns a new, complete, immutable `Spec` (`core.spec.typed`; the input is never changed)
or raises `SpecError` whose message says which layer or field is wrong, the bad value and what is allowed, e.g.
"layer 3 (dense): units must be ≥ 1, got 0".
"""

from __future__ import annotations

import copy
import math
from typing import Any

from core.spec.catalogue import (
    ACTIVATIONS, BATCH_MODES, CLIPPING_FIELDS, EARLY_STOPPING_FIELDS, INITIALIZERS, LAYER_FIELDS,
    LOOKAHEAD_FIELDS, LOSSES, OPTIMIZERS, SCHEDULES, TRAINING_FIELDS, Field,
)
from core.spec.errors import SpecError
from core.spec.migrate import SPEC_VERSION, migrate_spec
from core.spec.typed import Spec

_TRAINING_SECTIONS = ("optimizer", "schedule", "lookahead", "early_stopping", "clipping")
# Bounds that keep a spec from a file from asking for absurd work before the memory estimate even runs:
# 10⁶ inputs (a 1000×1000 image), 1000 layers (the builder draws every one), 2³¹−1 for any other count.
MAX_INPUT_SIZE = 1_000_000
MAX_LAYERS = 1000
MAX_WHOLE_NUMBER = 2**31 - 1
MAX_LIST_LENGTH = 10_000
MAX_NAME_LENGTH = 200


def check_field(f: Field, value: Any, where: str, owner: str) -> Any:
    """Return `value` converted to the field's type, or raise SpecError naming `owner` and the field."""

    def fail(allowed: str) -> SpecError:
        return SpecError(f"{owner}: {f.name} must be {allowed}, got {_short(value)}", where)

    if f.kind == "bool":
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if f.kind == "choice":
        if value not in f.choices:
            raise fail("one of " + ", ".join(f.choices))
        return value
    if f.kind == "int_list":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                         for v in value):
            raise fail("a list of whole numbers")
        if len(value) > MAX_LIST_LENGTH or any(v > MAX_WHOLE_NUMBER for v in value):
            raise fail(f"at most {MAX_LIST_LENGTH} whole numbers, each ≤ {MAX_WHOLE_NUMBER}")
        values = [int(v) for v in value]
        if any(b <= a for a, b in zip(values, values[1:])):
            raise fail("strictly increasing")
        for v in values:
            _check_range(f, v, fail)
        return values
    if f.kind == "int":
        if not _is_whole_number(value):  # NaN, ±inf and 2.5 are refused here, not by int() raising
            raise fail("a whole number")
        value = int(value)
        if f.maximum is None and value > MAX_WHOLE_NUMBER:
            raise fail(f"≤ {MAX_WHOLE_NUMBER}")
    elif f.kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail("a number")
        if isinstance(value, int) and abs(value) > 2**1000:  # float() would raise OverflowError
            raise fail("a finite number")
        value = float(value)
        if not math.isfinite(value):
            raise fail("a finite number")
    else:  # pragma: no cover - the catalogue only uses the kinds above
        raise AssertionError(f.kind)
    _check_range(f, value, fail)
    return value


def _is_whole_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or (math.isfinite(value) and value.is_integer())


def _check_range(f: Field, value: float, fail) -> None:
    if f.minimum is not None:
        if value < f.minimum or (value == f.minimum and not f.min_inclusive):
            raise fail(("≥ " if f.min_inclusive else "> ") + _fmt(f.minimum))
    if f.maximum is not None:
        if value > f.maximum or (value == f.maximum and not f.max_inclusive):
            raise fail(("≤ " if f.max_inclusive else "< ") + _fmt(f.maximum))


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def check_fields(fields: tuple[Field, ...], given: Any, where: str, owner: str,
                 extra_allowed: tuple[str, ...] = ()) -> dict[str, Any]:
    """Fill defaults for `fields` from `given` (a dict), validate each, and refuse unknown keys."""
    if not isinstance(given, dict):
        raise SpecError(f"{owner} must be a mapping of settings, got {type(given).__name__}", where)
    known = {f.name for f in fields} | set(extra_allowed)
    unknown = sorted(set(given) - known)
    if unknown:
        raise SpecError(f"{owner}: unknown setting {_short(unknown[0])}; allowed: {', '.join(sorted(known))}",
                        f"{where}.{unknown[0]}")
    out = {k: given[k] for k in extra_allowed if k in given}
    for f in fields:
        value = given.get(f.name, copy.deepcopy(f.default))
        out[f.name] = check_field(f, value, f"{where}.{f.name}", owner)
    return out


def _check_layer(index: int, layer: Any, in_width: int, is_output: bool) -> dict[str, Any]:
    number = index + 1
    owner = f"layer {number} ({'output' if is_output else 'dense'})"
    where = f"layers[{index}]"
    if not isinstance(layer, dict):
        raise SpecError(f"{owner} must be a mapping of settings, got {type(layer).__name__}", where)
    given = dict(layer)
    given.pop("type", "dense")
    if layer.get("type", "dense") != "dense":
        raise SpecError(f"{owner}: type must be 'dense', got {_short(layer.get('type'))}", f"{where}.type")
    out = check_fields(LAYER_FIELDS, given, where, owner, extra_allowed=("name",))
    if "name" in out and (not isinstance(out["name"], str) or len(out["name"]) > MAX_NAME_LENGTH):
        raise SpecError(f"{owner}: name must be text of at most {MAX_NAME_LENGTH} characters, got "
                        f"{_short(out['name'])}", f"{where}.name")
    out = {"type": "dense", **out}
    if out["activation"] == "softmax" and not is_output:
        raise SpecError(f"{owner}: softmax is allowed only on the output layer; use relu, tanh or another "
                        f"hidden activation", f"{where}.activation")
    if is_output:
        for flag, bad in (("batch_norm", True), ("residual", True)):
            if out[flag] == bad:
                raise SpecError(f"{owner}: {flag.replace('_', ' ')} is not allowed on the output layer",
                                f"{where}.{flag}")
        if out["dropout"] != 0.0:
            raise SpecError(f"{owner}: dropout must be 0 on the output layer, got {_short(out['dropout'])}",
                            f"{where}.dropout")
    if out["residual"] and out["units"] != in_width:
        raise SpecError(f"{owner}: a residual skip needs equal input and output width, but the input is "
                        f"{in_width} wide and the layer has {out['units']} units", f"{where}.residual")
    return out


def _check_choice(given: Any, catalogue: dict, default: str, kind: str) -> dict[str, Any]:
    """A named choice (an optimizer, a schedule) with its own fields, e.g. {"name": "adam", "lr": 0.01}."""
    given = given or {"name": default}
    name = given.get("name", default) if isinstance(given, dict) else given
    if not isinstance(given, dict) or not isinstance(name, str) or name not in catalogue:
        raise SpecError(f"training.{kind}: name must be one of {', '.join(catalogue)}, got {_short(name)}",
                        f"training.{kind}.name")
    choice = catalogue[name]
    fields = {k: v for k, v in given.items() if k != "name"}
    return {"name": choice.name, **check_fields(choice.fields, fields, f"training.{kind}", f"{kind} {choice.name}")}


def _check_training(training: Any, layers: list[dict]) -> dict[str, Any]:
    if not isinstance(training, dict):
        raise SpecError(f"training must be a mapping of settings, got {type(training).__name__}", "training")
    given = dict(training)
    sections = {name: given.pop(name, {}) for name in _TRAINING_SECTIONS}
    out = check_fields(TRAINING_FIELDS, given, "training", "training")

    out["optimizer"] = _check_choice(sections["optimizer"], OPTIMIZERS, "adam", "optimizer")
    out["schedule"] = _check_choice(sections["schedule"], SCHEDULES, "constant", "schedule")
    choice = OPTIMIZERS[out["optimizer"]["name"]]

    out["lookahead"] = check_fields(LOOKAHEAD_FIELDS, sections["lookahead"], "training.lookahead", "lookahead")
    out["early_stopping"] = check_fields(EARLY_STOPPING_FIELDS, sections["early_stopping"],
                                         "training.early_stopping", "early stopping")
    out["clipping"] = check_fields(CLIPPING_FIELDS, sections["clipping"], "training.clipping", "clipping")

    if choice.name == "lbfgs" and out["lookahead"]["enabled"]:
        raise SpecError("lookahead: it cannot wrap L-BFGS (which runs its own line search); switch Lookahead off "
                        "or pick another optimizer", "training.lookahead.enabled")
    if choice.name == "lbfgs" and out["batch_mode"] != "full":
        raise SpecError("optimizer lbfgs: L-BFGS needs full-batch training; set batch mode to 'full'",
                        "training.batch_mode")
    output_activation = layers[-1]["activation"]
    if out["loss"] == "cross_entropy" and output_activation != "softmax":
        raise SpecError(f"training: loss cross_entropy needs a softmax output layer, but the output activation "
                        f"is {output_activation}", "training.loss")
    if out["loss"] == "binary_cross_entropy" and output_activation != "sigmoid":
        raise SpecError(f"training: loss binary_cross_entropy needs a sigmoid output layer, but the output "
                        f"activation is {output_activation}", "training.loss")
    if output_activation == "softmax" and out["loss"] != "cross_entropy":
        raise SpecError(f"training: a softmax output layer needs the cross_entropy loss, got {out['loss']}",
                        "training.loss")
    if output_activation == "softmax" and layers[-1]["units"] < 2:
        raise SpecError("layer {} (output): softmax needs at least 2 units (one per class), got {}".format(
            len(layers), layers[-1]["units"]), f"layers[{len(layers) - 1}].units")
    return out


def validate_spec(spec: Any) -> Spec:
    """The complete, validated, immutable `Spec` that `spec` (a spec as a file holds it, of any version this program
    reads, migrated to the current one) describes, or SpecError. A Spec is valid by construction: it comes back
    as it is."""
    if isinstance(spec, Spec):
        return spec
    if not isinstance(spec, dict):
        raise SpecError(f"a spec must be a mapping, got {type(spec).__name__}")
    _check_layer_count(spec.get("layers"))  # before the deep copy: 10⁵ layers would take a while to copy
    spec = migrate_spec(copy.deepcopy(spec))
    unknown = sorted(set(spec) - {"version", "input_size", "layers", "training"})
    if unknown:
        raise SpecError(f"spec: unknown section {_short(unknown[0])}; allowed: version, input_size, layers, training",
                        unknown[0])
    input_size = spec.get("input_size")
    if isinstance(input_size, bool) or not isinstance(input_size, int) or not 1 <= input_size <= MAX_INPUT_SIZE:
        raise SpecError(f"spec: input_size must be a whole number from 1 to {MAX_INPUT_SIZE}, got "
                        f"{_short(input_size)}", "input_size")
    layers = spec.get("layers")
    if not isinstance(layers, list) or not layers:
        raise SpecError("spec: layers must be a non-empty list (the last entry is the output layer), got "
                        f"{_short(layers)}", "layers")
    checked: list[dict[str, Any]] = []
    width = input_size
    for i, layer in enumerate(layers):
        checked.append(_check_layer(i, layer, width, is_output=i == len(layers) - 1))
        width = checked[-1]["units"]
    return Spec._from_valid({"version": SPEC_VERSION, "input_size": input_size, "layers": checked,
                             "training": _check_training(spec.get("training", {}), checked)})


def _check_layer_count(layers: Any) -> None:
    if isinstance(layers, list) and len(layers) > MAX_LAYERS:
        raise SpecError(f"spec: a network has at most {MAX_LAYERS} layers, got {len(layers)}", "layers")


def _short(value: Any, limit: int = 60) -> str:
    """`repr(value)` cut to `limit` characters: a message stays one short line whatever a file holds."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def resolved_init(layer: dict[str, Any]) -> str:
    """The initialiser a layer really uses: "auto" becomes He for ReLU-like activations, else Xavier."""
    from core.spec.catalogue import RELU_LIKE
    if layer["init"] != "auto":
        return layer["init"]
    return "he_uniform" if layer["activation"] in RELU_LIKE else "xavier_uniform"


__all__ = ["validate_spec", "check_field", "check_fields", "resolved_init", "SpecError",
           "ACTIVATIONS", "INITIALIZERS", "LOSSES", "BATCH_MODES"]
