"""The training-settings panel: loss, optimizer and its hyperparameters, schedule with a preview of the rate,
batches and epochs, regularisation, early stopping, gradient clipping, seed and precision.

Every form is generated from `core.spec`'s catalogue, so switching optimizer or schedule shows that choice's own
fields. Each edit goes to the Document as one undoable command; a refused one is shown in place (red field and
the reason) and never reaches the engine. While training, only `live` fields (learning rate, L1/L2, clipping
threshold, …) stay editable; the others are locked with a tooltip saying why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from core.spec import (
    BATCH_MODES, CLIPPING_FIELDS, CLIPPING_MODES, EARLY_STOPPING_FIELDS, LOOKAHEAD_FIELDS, LOSSES,
    OPTIMIZER_NAME_FIELD, OPTIMIZERS, SCHEDULE_NAME_FIELD, SCHEDULES, TRAINING_FIELDS, Field, SpecError,
    with_changes,
)
from studio.document import Document
from studio.widgets.field_editors import FieldEditor, FieldForm
from studio.widgets.lr_preview import LRPreview

LOSS_LABELS = {"mse": "Mean squared error", "mae": "Mean absolute error", "huber": "Huber",
               "binary_cross_entropy": "Binary cross-entropy", "cross_entropy": "Cross-entropy"}
BATCH_LABELS = {"full": "Full batch", "stochastic": "Stochastic (1 sample)", "mini": "Mini-batch"}
CLIPPING_LABELS = {"none": "None", "value": "By value", "norm": "By global norm", "agc": "Adaptive (AGC)"}


def _pick(*names: str) -> tuple[Field, ...]:
    by_name = {f.name: f for f in TRAINING_FIELDS}
    return tuple(by_name[name] for name in names)


class TrainingSettingsPanel(QWidget):
    """All training settings of the document's spec, grouped, in a scroll area."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.forms: dict[str, FieldForm] = {}  # path prefix ("" for top-level fields, "optimizer.", …) per form
        self._groups: dict[str, QVBoxLayout] = {}
        inner = QWidget()
        self._inner_layout = QVBoxLayout(inner)
        self.blockers = QLabel(inner)
        self.blockers.setWordWrap(True)
        self.blockers.setStyleSheet("color: #b71c1c; background: #ffebee; padding: 6px; border-radius: 4px;")
        self._inner_layout.addWidget(self.blockers)

        self._add_form("loss", "Loss", "", _pick("loss", "huber_delta"),
                       labels={"loss": LOSS_LABELS}, helps={"loss": LOSSES})
        self.optimizer_choice = self._choice_editor("optimizer", "Optimizer", OPTIMIZER_NAME_FIELD, OPTIMIZERS)
        self.optimizer_choice.value_edited.connect(self._on_optimizer_chosen)
        self._add_form("optimizer", None, "optimizer.", OPTIMIZERS["adam"].fields)
        self._add_form("optimizer", None, "lookahead.", LOOKAHEAD_FIELDS)
        self.schedule_choice = self._choice_editor("schedule", "Learning-rate schedule", SCHEDULE_NAME_FIELD,
                                                   SCHEDULES)
        self.schedule_choice.value_edited.connect(self._on_schedule_chosen)
        self._add_form("schedule", None, "schedule.", SCHEDULES["constant"].fields)
        self.lr_preview = LRPreview(inner)
        self._groups["schedule"].addWidget(self.lr_preview)
        self._add_form("batches", "Batches and epochs", "", _pick("batch_mode", "batch_size", "epochs", "shuffle"),
                       labels={"batch_mode": BATCH_LABELS}, helps={"batch_mode": BATCH_MODES})
        self._add_form("regularisation", "Regularisation", "", _pick("l1", "l2", "decoupled_weight_decay"))
        self._add_form("regularisation", None, "early_stopping.", EARLY_STOPPING_FIELDS)
        self._add_form("clipping", "Gradient clipping", "clipping.", CLIPPING_FIELDS,
                       labels={"mode": CLIPPING_LABELS}, helps={"mode": CLIPPING_MODES})
        self._add_form("reproducibility", "Reproducibility and precision", "", _pick("seed", "dtype"))
        self._inner_layout.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.scroll = scroll
        self.setMinimumWidth(300)  # the forms' labels and spin boxes need this much; docks otherwise squeeze it
        document.spec_changed.connect(self.refresh)
        document.data_changed.connect(self.refresh)
        document.training_changed.connect(lambda *_: self._apply_locks())
        self.refresh()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(360, 640)

    # -- building -------------------------------------------------------------------------------------------
    def _group(self, key: str, title: str | None) -> QVBoxLayout:
        if key not in self._groups:
            box = QGroupBox(title or key, self._inner_layout.parentWidget())
            box.setObjectName(f"group_{key}")
            self._groups[key] = QVBoxLayout(box)
            self._inner_layout.addWidget(box)
        return self._groups[key]

    def _add_form(self, group: str, title: str | None, prefix: str, fields: tuple[Field, ...],
                  labels: dict | None = None, helps: dict | None = None) -> FieldForm:
        form = FieldForm(fields, None, choice_labels=labels, choice_help=helps)
        form.field_edited.connect(lambda name, value, prefix=prefix, form=form: self._on_edited(form, prefix,
                                                                                              name, value))
        key = f"{group}:{prefix}" if prefix == "" else prefix
        self.forms[key] = form
        self._group(group, title).addWidget(form)
        return form

    def _choice_editor(self, group: str, title: str, field: Field, choices: dict) -> FieldEditor:
        editor = FieldEditor(field, None, choice_labels={c.name: c.label for c in choices.values()},
                             choice_help={c.name: c.help for c in choices.values()})
        layout = self._group(group, title)
        layout.addWidget(editor)
        description = QLabel()
        description.setWordWrap(True)
        description.setStyleSheet("color: #4a5561; font-size: 11px;")
        layout.addWidget(description)
        editor.description = description
        return editor

    def _rebuild_choice_form(self, prefix: str, fields: tuple[Field, ...]) -> None:
        """Replace the optimizer's or schedule's form with the fields of the newly chosen one."""
        old = self.forms[prefix]
        if old.fields == fields:
            return
        group = "optimizer" if prefix == "optimizer." else "schedule"
        layout = self._groups[group]
        position = layout.indexOf(old)
        layout.removeWidget(old)
        old.hide()  # deleteLater waits for the event loop; the new form must not share the space meanwhile
        old.setParent(None)
        old.deleteLater()
        form = FieldForm(fields, None)
        form.field_edited.connect(lambda name, value: self._on_edited(form, prefix, name, value))
        layout.insertWidget(position, form)
        self.forms[prefix] = form

    # -- reading the document -------------------------------------------------------------------------------
    def form_for(self, path: str) -> tuple[FieldForm, str]:
        """The form holding the setting at `path` ("epochs", "optimizer.lr", …) and the field's name."""
        prefix, _, name = path.rpartition(".")
        if prefix:
            return self.forms[prefix + "."], name
        for key, form in self.forms.items():
            if key.endswith(":") and name in form.editors:
                return form, name
        raise KeyError(path)

    def editor(self, path: str) -> FieldEditor:
        """The editor of one setting, by its Document path ("batch_size", "optimizer.lr", "clipping.mode")."""
        form, name = self.form_for(path)
        return form.editor(name)

    def refresh(self) -> None:
        """Show the document's current settings (clearing refused edits shown in red)."""
        training = self.document.spec.training
        optimizer, schedule = OPTIMIZERS[training["optimizer"]["name"]], SCHEDULES[training["schedule"]["name"]]
        self._rebuild_choice_form("optimizer.", optimizer.fields)
        self._rebuild_choice_form("schedule.", schedule.fields)
        for key, form in self.forms.items():
            form.clear_errors()
            section = key[:-1] if key.endswith(".") else None
            form.set_values(training[section] if section else training)
        for editor, choice in ((self.optimizer_choice, optimizer), (self.schedule_choice, schedule)):
            editor.set_error(None)
            editor.set_value(choice.name)
            editor.description.setText(choice.help)
        self._update_visibility(training)
        self._mark_impossible_choices()
        self.lr_preview.set_training(training)
        self._update_blockers()
        self._apply_locks()

    def _update_visibility(self, training: dict[str, Any]) -> None:
        """Hide settings that do nothing with the current choices (batch size of a full batch, …)."""
        self.form_for("huber_delta")[0].set_row_visible("huber_delta", training["loss"] == "huber")
        self.form_for("batch_size")[0].set_row_visible("batch_size", training["batch_mode"] == "mini")
        self.forms["clipping."].set_row_visible("value", training["clipping"]["mode"] != "none")
        for name in ("k", "alpha"):
            self.forms["lookahead."].set_row_visible(name, training["lookahead"]["enabled"])
        for name in ("monitor", "patience", "min_delta", "restore_best"):
            self.forms["early_stopping."].set_row_visible(name, training["early_stopping"]["enabled"])

    def _mark_impossible_choices(self) -> None:
        """Grey out each loss / batch mode the validator would refuse here, with its reason as the tooltip."""
        spec = self.document.spec
        for path in ("loss", "batch_mode"):
            editor = self.editor(path)
            for name in editor.field.choices:
                try:
                    with_changes(spec, {f"training.{path}": name})
                    editor.set_choice_enabled(name, True)
                except SpecError as error:
                    editor.set_choice_enabled(name, False, str(error))

    def _update_blockers(self) -> None:
        blockers = self.document.training_blockers()
        self.blockers.setText("Training can't start: " + " ".join(blockers) if blockers else "")
        self.blockers.setVisible(bool(blockers))

    def _apply_locks(self) -> None:
        training = self.document.is_training
        for form in self.forms.values():
            form.set_training_lock(training)
        self.optimizer_choice.set_locked(training, "Pause training to change the optimizer")
        self.schedule_choice.set_locked(training, "Pause training to change the learning-rate schedule")

    # -- editing: each edit is one `Document.set_settings` by spec path -------------------------------------
    def _on_edited(self, form: FieldForm, prefix: str, name: str, value: Any) -> None:
        try:
            self.document.set_settings({f"training.{prefix}{name}": value})
        except SpecError as error:
            form.set_error(name, f"Not applied: {error}")

    def _on_optimizer_chosen(self, name: str) -> None:
        try:
            self.document.set_optimizer(name)  # training.optimizer.name, keeping the learning rate
        except SpecError as error:
            self.optimizer_choice.set_error(f"Not applied: {error}")

    def _on_schedule_chosen(self, name: str) -> None:
        try:
            self.document.set_schedule(name)  # training.schedule.name
        except SpecError as error:
            self.schedule_choice.set_error(f"Not applied: {error}")
