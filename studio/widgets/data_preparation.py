"""The data panel's preparation box: validation / test split, scaling, and extra features for 2-D data.

Each change goes to the document as one undoable edit. A value the document refuses (validation and test
taking almost everything) stays in its field, outlined in red, with the reason below; nothing invalid is kept.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QLabel, QSpinBox, QWidget,
)

from core.data import FEATURE_TRANSFORM_NAMES, DataError
from core.spec import SpecError
from studio.document import Document
from studio.widgets.error_label import ErrorLabel

SCALING_LABELS = {"standard": "Standardise (mean 0, std 1)", "minmax": "Min-max to [0, 1]", "none": "None"}
INVALID_STYLE = "border: 1px solid #c62828; border-radius: 2px;"
IDENTITY_FEATURES = ["x", "y"]


class DataPreparationBox(QGroupBox):
    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__("Preparation", parent)
        self.document = document
        self.val_percent = self._percent_box("val_percent", "Share of the samples held out to watch for "
                                             "overfitting (validation loss).")
        self.test_percent = self._percent_box("test_percent", "Share held out for a final, untouched test.")
        self.train_label = QLabel()
        self.scaling = QComboBox()
        self.scaling.setObjectName("scaling")
        for kind, label in SCALING_LABELS.items():
            self.scaling.addItem(label, kind)
        self.scaling.setToolTip("Scaling is fitted on the training part only, then applied to every part.")
        self.scaling.activated.connect(lambda _i: self._apply("scaling", self.scaling.currentData()))
        self.feature_boxes: dict[str, QCheckBox] = {}
        self.features = QWidget()
        grid = QGridLayout(self.features)
        grid.setContentsMargins(0, 0, 0, 0)
        for number, name in enumerate(FEATURE_TRANSFORM_NAMES):
            box = QCheckBox(name)
            box.setObjectName(f"feature_{name}")
            box.clicked.connect(self._on_feature_clicked)
            self.feature_boxes[name] = box
            grid.addWidget(box, number // 4, number % 4)
        self.features.setToolTip("Extra inputs computed from the point (x, y), as in TensorFlow Playground: "
                                 "with x² and y² even a network without hidden layers separates circles.")
        self.message = ErrorLabel("preparation_error")
        form = QFormLayout(self)
        form.addRow("Validation", self.val_percent)
        form.addRow("Test", self.test_percent)
        form.addRow("Training", self.train_label)
        form.addRow("Scaling", self.scaling)
        self.features_label = QLabel("Inputs")
        form.addRow(self.features_label, self.features)
        form.addRow(self.message)
        self.refresh()

    def _percent_box(self, name: str, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(name)
        box.setRange(0, 90)
        box.setSuffix(" %")
        box.setSingleStep(5)
        box.setKeyboardTracking(False)  # apply when typing is done, not at every digit
        box.setToolTip(tip)
        key = "val_fraction" if name == "val_percent" else "test_fraction"
        box.valueChanged.connect(lambda value: self._apply(key, value / 100.0, box))
        return box

    def refresh(self) -> None:
        """Show the document's values (after any edit, undo or redo) and clear the in-place error."""
        config = self.document.data_config
        for box, key in ((self.val_percent, "val_fraction"), (self.test_percent, "test_fraction")):
            box.blockSignals(True)
            box.setValue(round(config[key] * 100))
            box.blockSignals(False)
            box.setStyleSheet("")
        self._update_train_label()
        self.scaling.setCurrentIndex(max(0, self.scaling.findData(config["scaling"])))
        dataset = self.document.dataset
        two_d = dataset is not None and dataset.num_features == 2
        self.features.setVisible(two_d)
        self.features_label.setVisible(two_d)
        chosen = config["feature_transform"] or IDENTITY_FEATURES
        for name, box in self.feature_boxes.items():
            box.setChecked(name in chosen)
        self.message.show_text("")

    def _update_train_label(self) -> None:
        train = 100 - self.val_percent.value() - self.test_percent.value()
        self.train_label.setText(f"{train} % of the samples")

    def _on_feature_clicked(self) -> None:
        chosen = [name for name, box in self.feature_boxes.items() if box.isChecked()]
        self._apply("feature_transform", [] if chosen == IDENTITY_FEATURES else chosen)

    def _apply(self, key: str, value: Any, field: QWidget | None = None) -> None:
        self._update_train_label()
        try:
            self.document.set_data_option(key, value)
        except (DataError, SpecError) as error:
            if field is not None:  # keep the user's value in view, outlined, until it is corrected
                field.setStyleSheet(INVALID_STYLE)
            else:
                self.refresh()
            self.message.show_text(str(error)[0].upper() + str(error)[1:])
            return
        self.refresh()
