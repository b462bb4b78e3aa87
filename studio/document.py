"""The open project: spec + data + trained weights + run history, its undo stack and its dirty flag.

Views observe the document through its signals; the document knows nothing of views. Every edit validates
first (`core.spec.with_changes` / `validate_spec`, or the data layer) and raises `SpecError` / `DataError` with
nothing changed; a valid edit is pushed as ONE undoable `StateCommand`. Settings are edited by spec path
(`set_settings({"training.optimizer.lr": 0.01})`, a `SetSettings` command). Consecutive edits of the same
numeric field merge, so a spin-box drag is one undo step.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Hashable

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from core.data import DataError, Dataset, PreparedData, add_point, load_source
from core.project import DEFAULT_SPLIT, Project, load_project, save_project
from core.spec import (
    OPTIMIZERS, SCHEDULES, Spec, SpecError, check_setting, default_layer, default_spec, field_for, fit_spec_to_data,
    thaw, validate_spec, with_changes,
)
from studio.commands import SetSettings, StateCommand, format_value, setting_subject
from studio.document_state import UNCHANGED, DocumentState

DEFAULT_SOURCE = {"kind": "playground", "name": "circles", "num_points": 400, "noise": 0.1, "seed": 0,
                  "added_points": []}
DATA_OPTIONS = tuple(DEFAULT_SPLIT)


def default_data_config() -> dict[str, Any]:
    return {"source": dict(DEFAULT_SOURCE), **copy.deepcopy(DEFAULT_SPLIT)}


class Document(QObject):
    spec_changed = Signal()
    data_changed = Signal()
    weights_changed = Signal()
    dirty_changed = Signal(bool)
    path_changed = Signal(object)
    notice = Signal(str)
    training_changed = Signal(bool)

    def __init__(self, spec: dict | None = None, data_config: dict | None = None,
                 weights: dict[str, np.ndarray] | None = None, history: list[dict] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._spec = validate_spec(spec if spec is not None else default_spec())
        self._data_config = {**default_data_config(), **copy.deepcopy(data_config or {})}
        self._dataset, self._data_error = _try_load(self._data_config["source"])
        self._weights = weights
        self._history = list(history or [])
        self._path: Path | None = None
        self.untitled_name = "Untitled"  # the name until saved (an example's copy keeps the example's)
        self._training = False
        self._dirty_outside_undo = False
        self._was_dirty = False
        self._prepared_key: tuple | None = None
        self._prepared: PreparedData | None = None
        self.warnings: list[str] = []  # problems found while opening, for the window to show once
        self.undo_stack.cleanChanged.connect(self._update_dirty)

    # ---- reading -------------------------------------------------------------------------------------
    @property
    def spec(self) -> Spec:
        return self._spec  # immutable: no copy needed

    @property
    def data_config(self) -> dict[str, Any]:
        return copy.deepcopy(self._data_config)

    @property
    def dataset(self) -> Dataset | None:
        return self._dataset

    @property
    def data_error(self) -> str | None:
        """Why the data set could not be loaded (e.g. its file moved), or None."""
        return self._data_error

    @property
    def weights(self) -> dict[str, np.ndarray] | None:
        return self._weights

    @property
    def history(self) -> list[dict]:
        return self._history

    @property
    def is_training(self) -> bool:
        return self._training

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def display_name(self) -> str:
        return self._path.stem if self._path else self.untitled_name

    @property
    def is_dirty(self) -> bool:
        return self._dirty_outside_undo or not self.undo_stack.isClean()

    def input_width(self) -> int | None:
        """How many inputs the prepared data gives the network (after any feature transform)."""
        if self._dataset is None:
            return None
        transform = self._data_config.get("feature_transform") or []
        return len(transform) if transform else self._dataset.num_features

    def prepared(self) -> PreparedData:
        """The split, scaled data for training (core.data.PreparedData), cached until data or seed change."""
        if self._dataset is None:
            raise DataError(f"no data set is loaded: {self._data_error or 'pick one in the Data panel'}")
        config, seed = self._data_config, self._spec.training.seed
        key = (id(self._dataset), config["val_fraction"], config["test_fraction"], config["scaling"],
               tuple(config.get("feature_transform") or ()), seed)
        if key != self._prepared_key:
            from core.data import prepare
            self._prepared = prepare(self._dataset, val_fraction=config["val_fraction"],
                                     test_fraction=config["test_fraction"], scaling=config["scaling"],
                                     feature_transform=list(config.get("feature_transform") or []) or None,
                                     seed=seed)
            self._prepared_key = key
        return self._prepared

    def training_blockers(self) -> list[str]:
        """Reasons Train must stay disabled, as sentences for a tooltip; empty when training can start."""
        if self._dataset is None:
            return [f"No data set: {sentence(self._data_error or 'pick one in the Data panel')}"]
        reasons = []
        width = self.input_width()
        if width != self._spec.input_size:
            reasons.append(f"The network takes {self._spec.input_size} inputs but the data gives {width}; "
                           f"pick the data set again to adapt the network.")
        if self._dataset.output_size != self._spec.layers[-1].units and not _binary_sigmoid(
                self._spec, self._dataset):
            reasons.append(f"The output layer has {self._spec.layers[-1].units} units but the data needs "
                           f"{self._dataset.output_size}.")
        if not reasons:
            try:
                self.prepared()
            except (DataError, ValueError) as error:
                reasons.append(str(error))
        return reasons

    # ---- training state ----------------------------------------------------------------------------------
    def set_training(self, training: bool) -> None:
        if training != self._training:
            self._training = training
            self.training_changed.emit(training)

    def _require_editable(self, what: str, live: bool = False) -> None:
        if self._training and not live:
            raise SpecError(f"{what} can't change while training; pause or stop first")

    # ---- settings by spec path ------------------------------------------------------------------------------
    def set_settings(self, changes: Mapping[str, Any], text: str | None = None) -> None:
        """Change settings by spec path ({"training.optimizer.lr": 0.01, "layers[0].units": 16}) as ONE undoable
        `SetSettings`; SpecError (nothing changed) when refused. While training only live settings may change."""
        if self._training:
            for path in changes:
                if not field_for(self._spec, path).live:
                    raise SpecError(f"The {setting_subject(self._spec, path)} can't change while training; pause "
                                    f"or stop first", path)
        command = SetSettings(self, changes, text)
        if not command.changes_nothing:
            self.undo_stack.push(command)

    # ---- network edits ------------------------------------------------------------------------------------
    def set_layer_field(self, index: int, key: str, value: Any) -> None:
        self._check_index(index)
        self.set_settings({f"layers[{index}].{key}": value})

    def set_units(self, index: int, units: int) -> None:
        self.set_layer_field(index, "units", units)

    def insert_layer(self, index: int, layer: dict | None = None) -> None:
        self._require_editable("The number of layers")
        num = len(self._spec.layers)
        if not 0 <= index <= num - 1:
            raise SpecError(f"a new layer goes before the output layer: position must be 1 to {num}, got "
                            f"{index + 1}", "layers")
        spec = self._spec.to_json()  # a plain copy to edit, validated once when pushed
        spec["layers"].insert(index, thaw(layer) if layer is not None else default_layer())
        self._push_spec(spec, f"Insert layer {index + 1}")

    def remove_layer(self, index: int) -> None:
        self._require_editable("The number of layers")
        self._check_hidden(index, "removed")
        spec = self._spec.to_json()
        del spec["layers"][index]
        self._push_spec(spec, f"Remove layer {index + 1}")

    def duplicate_layer(self, index: int) -> None:
        self._require_editable("The number of layers")
        self._check_hidden(index, "duplicated")
        spec = self._spec.to_json()
        spec["layers"].insert(index + 1, thaw(spec["layers"][index]))
        self._push_spec(spec, f"Duplicate layer {index + 1}")

    def move_layer(self, source: int, destination: int) -> None:
        self._require_editable("The order of layers")
        self._check_hidden(source, "moved")
        self._check_hidden(destination, "moved there")
        if source == destination:
            return
        spec = self._spec.to_json()
        spec["layers"].insert(destination, spec["layers"].pop(source))
        self._push_spec(spec, f"Move layer {source + 1} to position {destination + 1}")

    def set_spec(self, spec: Mapping[str, Any], text: str) -> None:
        """Replace the whole spec in one undo step (for edits that touch several fields at once, e.g. a
        one-unit sigmoid output with binary cross-entropy). Refused while training."""
        self._require_editable("The network")
        self._push_spec(spec, text)  # validated there, into a new Spec: `spec` itself is not kept

    # ---- training settings ----------------------------------------------------------------------------
    def set_training_field(self, path: str, value: Any) -> None:
        """`set_settings` for one setting under training ("optimizer.lr" is training.optimizer.lr)."""
        self.set_settings({f"training.{path}": value})

    def set_optimizer(self, name: str) -> None:
        """Switch optimizer: its settings start from their defaults, the learning rate is kept, and L-BFGS brings
        full-batch training with it (a notice says so)."""
        name = check_setting(self._spec, "training.optimizer.name", name)
        training = self._spec.training
        changes = {"training.optimizer.name": name, "training.optimizer.lr": training.optimizer.lr}
        if name == "lbfgs" and training.batch_mode != "full":
            changes["training.batch_mode"] = "full"
        self.set_settings(changes, f"Switch optimizer to {OPTIMIZERS[name].label}")
        if "training.batch_mode" in changes:
            self.notice.emit("L-BFGS needs the whole data set per step: batch mode is now full batch.")

    def set_schedule(self, name: str) -> None:
        """Switch the learning-rate schedule; its settings start from their defaults."""
        name = check_setting(self._spec, "training.schedule.name", name)
        self.set_settings({"training.schedule.name": name}, f"Switch schedule to {SCHEDULES[name].label}")

    # ---- data edits -----------------------------------------------------------------------------------------
    def set_data_source(self, source: dict) -> None:
        self._require_editable("The data set")
        dataset = load_source(source)  # DataError propagates; nothing has changed yet
        config = self.data_config
        config["source"] = copy.deepcopy(dataset.source)
        notes = []
        if config["feature_transform"] and dataset.num_features != 2:
            config["feature_transform"] = []
            notes.append("feature transform off (it needs 2-D data)")
        width = len(config["feature_transform"]) or dataset.num_features
        spec, changes = _fit_spec(self._spec, dataset, width)
        self._push_state(spec, config, dataset, None, f"Use data set {dataset.name}")
        if changes or notes:
            self.notice.emit(f"Adapted the network to {dataset.name}: {'; '.join(changes + notes)}.")

    def set_data_option(self, key: str, value: Any) -> None:
        self._require_editable("The data preparation")
        if key not in DATA_OPTIONS:
            raise DataError(f"data option must be one of {', '.join(DATA_OPTIONS)}, got {key!r}")
        config = self.data_config
        config[key] = list(value) if key == "feature_transform" else value
        _check_data_config(config, self._dataset)
        spec, changes = self._spec, []
        if key == "feature_transform" and self._dataset is not None:
            width = len(config["feature_transform"]) or self._dataset.num_features
            spec, changes = _fit_spec(self._spec, self._dataset, width)
        label = key.replace("_", " ")
        merge = ("data", key) if key in ("val_fraction", "test_fraction") else None
        self._push_state(spec, config, self._dataset, self._data_error,
                         f"Change {label} to {format_value(value)}", merge)
        if changes:
            self.notice.emit(f"Adapted the network to the features: {'; '.join(changes)}.")

    def add_data_point(self, x: float, y: float, label: Any) -> None:
        self._require_editable("The data set")
        if self._dataset is None:
            raise DataError("no data set is loaded to add a point to")
        dataset = add_point(self._dataset, x, y, label)
        config = self.data_config
        config["source"] = copy.deepcopy(dataset.source)
        what = self._dataset.class_names[int(label)] if self._dataset.class_names else f"value {label:g}"
        self._push_state(self._spec, config, dataset, None, f"Add a {what} point at ({x:.2f}, {y:.2f})")

    # ---- weights --------------------------------------------------------------------------------------------
    def set_weights(self, state: dict[str, np.ndarray] | None, history: list[dict] | None = None) -> None:
        """After training or a reset: not an undo step, but the project now has unsaved changes."""
        self._weights = state
        self._history = list(history) if history is not None else ([] if state is None else self._history)
        self._dirty_outside_undo = True
        self._update_dirty()
        self.weights_changed.emit()

    # ---- project file ---------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        target = Path(path)
        save_project(target, self._spec, self._data_config, self._weights, self._history,
                     data_hash=self._dataset.content_hash if self._dataset is not None else None)
        self.undo_stack.setClean()
        self._dirty_outside_undo = False
        self._update_dirty()
        if target != self._path:
            self._path = target
            self.path_changed.emit(target)

    @classmethod
    def open(cls, path: str | os.PathLike[str], parent: QObject | None = None) -> Document:
        """A document for a project file; ProjectError (nothing built) when the file can't be used."""
        return cls.from_project(load_project(path), path, parent)

    @classmethod
    def from_project(cls, project: Project, path: str | os.PathLike[str] | None = None,
                     parent: QObject | None = None) -> Document:
        """A document holding a loaded project; `path` is where Save writes (None: Save asks)."""
        document = cls(project.spec, project.data_config, project.weights, project.history, parent)
        document._path = Path(path) if path is not None else None
        document.warnings.extend(project.warnings)  # e.g. weights that don't fit: opened untrained
        dataset = document._dataset
        if dataset is None:
            document.warnings.append(f"The data set could not be loaded: {sentence(document._data_error)} "
                                     f"Pick it again in the Data panel.")
        elif project.data_hash and dataset.content_hash != project.data_hash:
            document.warnings.append(f"The data in {dataset.name} has changed since the project was saved "
                                     f"(its content hash differs), so results may not replay exactly.")
        return document

    def replace_with(self, other: Document) -> None:
        """Take over another document's contents and path (New, Open, restore); the undo history is cleared."""
        self.undo_stack.clear()
        self._spec, self._data_config = other._spec, other._data_config
        self._dataset, self._data_error = other._dataset, other._data_error
        self._weights, self._history = other._weights, other._history
        self._path, self.untitled_name = other._path, other.untitled_name
        self._dirty_outside_undo = other._dirty_outside_undo
        self.warnings = list(other.warnings)
        self._prepared_key = None
        self.undo_stack.setClean()
        self.spec_changed.emit()
        self.data_changed.emit()
        self.weights_changed.emit()
        self.path_changed.emit(self._path)
        self._update_dirty(force=True)

    def mark_dirty(self) -> None:
        """For contents that did not come from the file (a restored autosave)."""
        self._dirty_outside_undo = True
        self._update_dirty()

    # ---- internals ------------------------------------------------------------------------------------------
    def _state(self) -> DocumentState:
        return DocumentState(self._spec, self._data_config, self._dataset, self._data_error,
                             self._weights, self._history)

    def _push_spec(self, spec: Mapping[str, Any], text: str, merge: Hashable | None = None) -> None:
        self._push_state(spec, self._data_config, self._dataset, self._data_error, text, merge)

    def _push_state(self, spec: Mapping[str, Any], config: dict, dataset: Dataset | None, data_error: str | None,
                    text: str, merge: Hashable | None = None) -> None:
        spec = validate_spec(spec)  # SpecError leaves everything as it was
        states = self._edit_states(spec, (config, dataset, data_error))
        if states is not None:
            self.undo_stack.push(StateCommand(self, *states, text, merge))

    def _edit_states(self, spec: Spec, data: tuple[dict, Dataset | None, str | None] | None = None
                     ) -> tuple[DocumentState, DocumentState] | None:
        """The states before and after an edit to a VALID spec and to data (config, data set, error; the current
        ones when None); trained weights are reset when the shapes change. None when nothing would change."""
        config, dataset, data_error = data or (self._data_config, self._dataset, self._data_error)
        before = self._state()
        reshaped = _architecture(spec) != _architecture(self._spec)
        after = DocumentState(spec, config, dataset, data_error,
                              None if reshaped else UNCHANGED, [] if reshaped else UNCHANGED)
        if not reshaped:
            before = DocumentState(before.spec, before.data_config, before.dataset, before.data_error)
        if after.same_content(before) and dataset is self._dataset and not reshaped:
            return None
        return before, after

    def _restore_state(self, state: DocumentState) -> None:
        spec_changed = state.spec != self._spec
        data_changed = state.data_config != self._data_config or state.dataset is not self._dataset
        self._spec, self._data_config = state.spec, state.data_config
        self._dataset, self._data_error = state.dataset, state.data_error
        weights_changed = state.weights is not UNCHANGED and state.weights is not self._weights
        if state.weights is not UNCHANGED:
            self._weights, self._history = state.weights, state.history
        if data_changed:
            self._prepared_key = None
            self.data_changed.emit()
        if spec_changed:
            self.spec_changed.emit()
        if weights_changed:
            self.weights_changed.emit()

    def _update_dirty(self, *_args: Any, force: bool = False) -> None:
        dirty = self.is_dirty
        if dirty != self._was_dirty or force:
            self._was_dirty = dirty
            self.dirty_changed.emit(dirty)

    def _check_index(self, index: int) -> None:
        num = len(self._spec.layers)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < num:
            raise SpecError(f"there is no layer {index + 1 if isinstance(index, int) else index!r}; the network "
                            f"has {num} layers (the last is the output layer)", "layers")

    def _check_hidden(self, index: int, verb: str) -> None:
        self._check_index(index)
        if index == len(self._spec.layers) - 1:
            raise SpecError(f"the output layer can't be {verb}; it always stays last", f"layers[{index}]")


def _architecture(spec: Spec) -> tuple:
    """What decides the shapes of the weights: trained weights survive edits that keep it."""
    return spec.input_size, tuple((layer.units, layer.batch_norm) for layer in spec.layers)


def _binary_sigmoid(spec: Spec, dataset: Dataset) -> bool:
    """A 2-class set trained with one sigmoid unit and binary cross-entropy (the user's explicit choice)."""
    out = spec.layers[-1]
    return (dataset.task == "classification" and dataset.num_classes == 2 and out.units == 1
            and out.activation == "sigmoid" and spec.training.loss == "binary_cross_entropy")


def _fit_spec(spec: Spec, dataset: Dataset, width: int) -> tuple[Spec, list[str]]:
    if _binary_sigmoid(spec, dataset):  # keep the 1-unit sigmoid output; only the input may change
        changes = [] if spec.input_size == width else [f"input size {spec.input_size} → {width}"]
        return with_changes(spec, {"input_size": width}), changes
    return fit_spec_to_data(spec, width, dataset.output_size, dataset.task)


def _check_data_config(config: dict, dataset: Dataset | None) -> None:
    for key in ("val_fraction", "test_fraction"):
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
            raise DataError(f"{key.replace('_', ' ')} must be a number from 0 up to (not including) 1, "
                            f"got {value!r}")
    if config["val_fraction"] + config["test_fraction"] >= 0.95:
        raise DataError(f"validation and test together take {config['val_fraction'] + config['test_fraction']:.0%}"
                        f" of the data; leave at least 5% for training")
    from core.data.scaling import SCALING_KINDS
    if config["scaling"] not in SCALING_KINDS:
        raise DataError(f"scaling must be one of {', '.join(SCALING_KINDS)}, got {config['scaling']!r}")
    transform = config["feature_transform"]
    if transform:
        from core.data.feature_transform import FeatureTransform
        config["feature_transform"] = list(FeatureTransform(tuple(transform)).names)  # canonical names
        if dataset is not None and dataset.num_features != 2:
            raise DataError(f"feature transforms work on 2-D points; {dataset.name} has {dataset.num_features} "
                            f"features")


def sentence(text: str | None) -> str:
    """`text` ending with a full stop (a data error is a clause: "…/wine_copy.csv: file not found")."""
    text = (text or "").rstrip()
    return text if not text or text[-1] in ".!?" else text + "."


def _try_load(source: dict) -> tuple[Dataset | None, str | None]:
    """The data set, or None and why not. A project file's source reaches here after core.project's type
    checks; ValueError (e.g. the memory budget) and TypeError still mean "this data can't be used", never a
    project that fails to open."""
    try:
        return load_source(source), None
    except (DataError, OSError, ValueError, TypeError, OverflowError, MemoryError) as error:
        return None, str(error) or type(error).__name__
