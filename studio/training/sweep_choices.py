"""What a sweep may vary in the open project, and a first range for each: read from the spec's catalogue.

`sweepable_settings(spec)` lists every setting of the spec (`core.spec.setting_paths`) that a search space can
take, by its dotted path, plus `layers[*].FIELD` (the field in every hidden layer at once), most used first:
the learning rate, batch size, epochs, the optimizer, weight decay, L1/L2, dropout and units. Left out, and why:
the output layer (its width and activation follow the data), the input width, the loss (trials under different
losses can't be compared by their loss), the seed and precision (not hyperparameters), on/off switches and lists
(no range to search). `suggested_range(spec, path)` proposes a range around the current value inside the
field's limits: log for a log-scaled field, a list of choices for a choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.spec import Field, Spec, expand_path, field_for, get_setting, setting_paths

NOT_SWEPT = ("input_size", "training.loss", "training.seed", "training.dtype")
FIRST = ("training.optimizer.lr", "training.batch_size", "training.epochs", "training.optimizer.name",
         "training.optimizer.weight_decay", "training.l2", "training.l1", "layers[*].dropout", "layers[*].units")
MAX_FIRST_CHOICES = 4  # a choice list starts with the current value and the next few; the user adds more


@dataclass(frozen=True)
class SuggestedRange:
    """A first range for a path: `kind` is "log", "lin", "int" or "choice"."""

    kind: str
    low: float = 0.0
    high: float = 1.0
    choices: tuple[str, ...] = ()


def sweepable_settings(spec: Spec) -> dict[str, Field]:
    """{path: Field} of the settings a search space can vary, the most used first."""
    last = len(spec.layers) - 1
    found: dict[str, Field] = {}
    for path, field in setting_paths(spec).items():
        if path in NOT_SWEPT or path.startswith(f"layers[{last}]") or field.kind not in ("float", "int", "choice"):
            continue
        found[path] = field
    if last >= 1:  # layers[*].FIELD: the field in every hidden layer, one parameter for them all
        for path, field in list(found.items()):
            if path.startswith("layers[0]."):
                found.setdefault(path.replace("layers[0]", "layers[*]", 1), field)
    first = [path for path in FIRST if path in found]
    return {path: found[path] for path in first + sorted(p for p in found if p not in first)}


def current_value(spec: Spec, path: str) -> object:
    """The spec's value at `path` (for layers[*], the first hidden layer's)."""
    return get_setting(spec, expand_path(spec, path)[0])


def suggested_range(spec: Spec, path: str) -> SuggestedRange:
    """A first range around the current value, inside the catalogue's limits for the field."""
    field = field_for(spec, expand_path(spec, path)[0])
    value = current_value(spec, path)
    if field.kind == "choice":
        ordered = ((value,) if value in field.choices else ()) + tuple(c for c in field.choices if c != value)
        return SuggestedRange("choice", choices=ordered[:MAX_FIRST_CHOICES])
    number = float(value) if isinstance(value, (int, float)) else 0.0
    if field.kind == "int":
        low = number // 2
        return SuggestedRange("int", *_inside(field, low, max(number * 2, low + 4)))
    if field.log_scale or (field.minimum == 0.0 and field.maximum is None):  # a rate, a penalty: log
        centre = number if number > 0 else 1e-4
        low, high = _inside(field, centre / 10, centre * 10)
        low = low if low > 0 else centre / 10
        return SuggestedRange("log", _round(low), _round(high))
    if field.name == "dropout":  # 0 to 0.5: more is rarely useful
        return SuggestedRange("lin", 0.0, 0.5)
    low = field.minimum if field.minimum is not None else min(number / 2, 0.0)
    high = field.maximum if field.maximum is not None else max(number * 2, 1.0)
    if not field.min_inclusive:  # an open end is never sampled: stop halfway to the current value
        low = _round((low + number) / 2)
    if not field.max_inclusive:
        high = _round((high + number) / 2)
    return SuggestedRange("lin", low, high)


def _inside(field: Field, low: float, high: float) -> tuple[float, float]:
    if field.minimum is not None:
        low = max(low, field.minimum)
    if field.maximum is not None:
        high = min(high, field.maximum)
    return low, max(high, low)


def _round(value: float) -> float:
    """3 significant figures: a suggested 1e-4 reads 0.0001, not 9.999999e-05."""
    return float(f"{value:.3g}") if value and math.isfinite(value) else value
