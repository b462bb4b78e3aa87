"""The typed, immutable `Spec`: frozen dataclasses whose fields are generated from the catalogue's `Field`s.

    Spec(version, input_size, layers: FrozenList[LayerSpec], training: TrainingSpec)
    TrainingSpec(loss, huber_delta, epochs, …, optimizer: OptimizerSpec, schedule: ScheduleSpec,
                 lookahead: LookaheadSpec, early_stopping: EarlyStoppingSpec, clipping: ClippingSpec)
    OptimizerSpec(name) and one subclass per optimizer with its fields (AdamOptimizerSpec(name, lr, beta1, …));
    ScheduleSpec(name) likewise (CosineScheduleSpec(name, t_max, eta_min, warmup_epochs, …)).

Each class's fields are the catalogue's, in its order, so a new option in `core/spec/catalogue.py` is a new
attribute here with nothing else to write. `spec.training.optimizer.lr` reads the learning rate; every record is
also a read-only dict of the same items (`core.spec.frozen`), so `spec["training"]["optimizer"]["lr"]` and
`json.dumps(spec)` give what they gave when a spec was a plain dict.

A Spec is made by `core.spec.validate_spec(data)` at the boundary: a file, the command line, an edit (this module
imports neither validation nor paths, so the spec's modules import each other one way only). After that it is
valid by construction and never changes: `with_changes(spec, {path: value})` returns a new one, and
`spec.to_json()` the plain, versioned JSON object a file holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from core.spec.catalogue import (
    CLIPPING_FIELDS, EARLY_STOPPING_FIELDS, LAYER_FIELDS, LOOKAHEAD_FIELDS, OPTIMIZERS, SCHEDULES, TRAINING_FIELDS,
    Field,
)
from core.spec.frozen import FrozenList, FrozenRecord

_PYTHON_TYPES: dict[str, Any] = {"float": float, "int": int, "bool": bool, "choice": str, "int_list": FrozenList}


def _record_class(class_name: str, fields: tuple[Field, ...], base: type[FrozenRecord] = FrozenRecord,
                  before: tuple[tuple, ...] = (), after: tuple[tuple, ...] = (), doc: str = "") -> type:
    """A frozen, keyword-only dataclass with one attribute per catalogue field (between the structural `before` and
    `after` ones, in the order a file holds them), registered in this module under `class_name` so pickling finds
    it."""
    for f in fields:
        if hasattr(dict, f.name):  # an attribute would hide the dict method of the same name
            raise TypeError(f"catalogue field {f.name!r} clashes with a dict method; rename it")
    cls = dataclasses.make_dataclass(
        class_name, [*before, *((f.name, _PYTHON_TYPES[f.kind]) for f in fields), *after], bases=(base,),
        frozen=True, eq=False, kw_only=True)
    cls.__module__ = __name__  # (make_dataclass's own `module` argument is Python 3.12+)
    cls.__doc__ = doc or f"{class_name}: the catalogue's {', '.join(f.name for f in fields)}."
    globals()[class_name] = cls
    return cls


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class ChoiceSpec(FrozenRecord):
    """A named choice of the catalogue (an optimizer, a schedule); each choice's subclass adds its fields."""

    name: str

    @property
    def settings(self) -> dict[str, Any]:
        """The choice's fields without its name, as a plain dict."""
        return {key: value for key, value in self.items() if key != "name"}


class OptimizerSpec(ChoiceSpec):
    """The optimizer: `name` and, in each optimizer's subclass, its hyperparameters (`hyper`: them as a dict)."""

    @property
    def hyper(self) -> dict[str, Any]:
        return self.settings


class ScheduleSpec(ChoiceSpec):
    """The learning-rate schedule: `name` and, in each schedule's subclass, its settings."""


def _camel(name: str) -> str:
    return "".join(word.capitalize() for word in name.split("_"))


OPTIMIZER_SPECS: dict[str, type[OptimizerSpec]] = {
    name: _record_class(f"{_camel(name)}OptimizerSpec", choice.fields, OptimizerSpec, doc=f"{choice.label}.")
    for name, choice in OPTIMIZERS.items()}
SCHEDULE_SPECS: dict[str, type[ScheduleSpec]] = {
    name: _record_class(f"{_camel(name)}ScheduleSpec", choice.fields, ScheduleSpec, doc=f"{choice.label}.")
    for name, choice in SCHEDULES.items()}

LookaheadSpec = _record_class("LookaheadSpec", LOOKAHEAD_FIELDS)
EarlyStoppingSpec = _record_class("EarlyStoppingSpec", EARLY_STOPPING_FIELDS)
ClippingSpec = _record_class("ClippingSpec", CLIPPING_FIELDS)
_SECTIONS = {"lookahead": LookaheadSpec, "early_stopping": EarlyStoppingSpec, "clipping": ClippingSpec}

TrainingSpec = _record_class("TrainingSpec", TRAINING_FIELDS, after=(
    ("optimizer", OptimizerSpec), ("schedule", ScheduleSpec), ("lookahead", LookaheadSpec),
    ("early_stopping", EarlyStoppingSpec), ("clipping", ClippingSpec)),
    doc="The training settings: the catalogue's TRAINING_FIELDS and the optimizer, schedule, lookahead, "
        "early-stopping and clipping sections.")
# A layer's "type" (always "dense") and optional "name" (left out of the JSON when None) come first, as in a file.
LayerSpec = _record_class("LayerSpec", LAYER_FIELDS, before=(
    ("type", str, dataclasses.field(default="dense")),
    ("name", "str | None", dataclasses.field(default=None, metadata={"omit_none": True}))),
    doc="One dense block: the catalogue's LAYER_FIELDS, its type (dense) and an optional name.")


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class Spec(FrozenRecord):
    """A whole, valid, immutable spec: the network's layers (the last is the output layer) and its training."""

    version: int
    input_size: int
    layers: FrozenList  # of LayerSpec
    training: TrainingSpec  # type: ignore[valid-type]

    @classmethod
    def _from_valid(cls, data: Mapping[str, Any]) -> Spec:
        """The typed form of a spec `validate_spec` has just checked (the one place that builds a Spec)."""
        training = dict(data["training"])
        optimizer, schedule = training.pop("optimizer"), training.pop("schedule")
        sections = {name: _SECTIONS[name](**training.pop(name)) for name in _SECTIONS}
        typed_training = TrainingSpec(
            **_frozen_lists(training), optimizer=OPTIMIZER_SPECS[optimizer["name"]](**optimizer),
            schedule=SCHEDULE_SPECS[schedule["name"]](**_frozen_lists(schedule)), **sections)
        layers = FrozenList(LayerSpec(**layer) for layer in data["layers"])
        return cls(version=data["version"], input_size=data["input_size"], layers=layers, training=typed_training)


def _frozen_lists(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with every list (a schedule's milestones) made a FrozenList."""
    return {key: FrozenList(value) if isinstance(value, list) else value for key, value in values.items()}


__all__ = ["ChoiceSpec", "ClippingSpec", "EarlyStoppingSpec", "LayerSpec", "LookaheadSpec", "OPTIMIZER_SPECS", "OptimizerSpec",
           "SCHEDULE_SPECS", "ScheduleSpec", "Spec", "TrainingSpec"]
