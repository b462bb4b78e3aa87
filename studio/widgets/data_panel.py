"""The data panel: choose the data set (a playground toy, a bundled real set, or a file), prepare it, see it.

Pages: Playground (set, noise, points, seed), Real data (scikit-learn's bundled sets), File (CSV/TSV/NPZ/IDX with
a preview and target choice). Below: the preparation box, the data set's summary and, for 2-D data, a scatter
preview where a click adds a point of the chosen class. Every change is one undoable document edit; the panel
redraws from the document's `data_changed`, so undo and redo show here too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QScrollArea, QSpinBox, QTabWidget,
    QVBoxLayout, QWidget,
)

from core.data import PLAYGROUND_SETS, SKLEARN_SETS, DataError, Dataset
from core.spec import SpecError
from studio.document import Document, sentence
from studio.widgets.csv_preview import FileSourcePage
from studio.widgets.data_preparation import DataPreparationBox
from studio.widgets.error_label import ErrorLabel
from studio.widgets.field_editors import LargeIntSpinBox
from studio.widgets.scatter_preview import ScatterPreview

PLAYGROUND_LABELS = {"circles": "Circles", "xor": "XOR", "gaussians": "Two Gaussians", "spiral": "Spiral",
                     "plane": "Plane (regression)", "multi_gaussian": "Multi-Gaussian (regression)"}
SKLEARN_LABELS = {"iris": "Iris: 150 flowers, 4 measurements, 3 species",
                  "wine": "Wine: 178 wines, 13 chemical measurements, 3 cultivars",
                  "breast_cancer": "Breast cancer: 569 tumours, 30 features, benign / malignant",
                  "digits": "Digits: 1,797 handwritten 8×8 digits, 10 classes",
                  "diabetes": "Diabetes: 442 patients, 10 features, disease progression (regression)"}
PAGE_OF_KIND = {"playground": 0, "sklearn": 1, "file": 2}
# The playground draws with numpy's default_rng(seed), which takes any non-negative integer; a 64-bit one is plenty.
PLAYGROUND_SEED_MAX = 2**64 - 1


class DataPanel(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.tabs = QTabWidget()
        self.tabs.setObjectName("data_source_tabs")
        self.tabs.addTab(self._build_playground_page(), "Playground")
        self.tabs.addTab(self._build_sklearn_page(), "Real data")
        self.file_page = FileSourcePage()
        self.file_page.source_chosen.connect(self._apply_source)
        self.tabs.addTab(self.file_page, "File")
        self.error = ErrorLabel("data_error")
        self.preparation = DataPreparationBox(document)
        self.summary = QLabel()
        self.summary.setObjectName("data_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.scatter = ScatterPreview()
        self.scatter.point_clicked.connect(self._on_point_clicked)
        self.add_class = QComboBox()
        self.add_class.setObjectName("add_point_class")
        self.add_value = QDoubleSpinBox()
        self.add_value.setRange(-1.0, 1.0)
        self.add_value.setSingleStep(0.1)
        self.add_hint = QLabel()
        adder = QHBoxLayout()
        adder.addWidget(self.add_hint)
        adder.addWidget(self.add_class)
        adder.addWidget(self.add_value)
        adder.addStretch(1)
        self.scatter_box = QWidget()
        scatter_layout = QVBoxLayout(self.scatter_box)
        scatter_layout.setContentsMargins(0, 0, 0, 0)
        scatter_layout.addWidget(self.scatter, 1)
        scatter_layout.addLayout(adder)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(self.preparation)
        layout.addWidget(self.summary)
        layout.addWidget(self.scatter_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        document.data_changed.connect(self.refresh)
        document.training_changed.connect(self._on_training_changed)
        self.refresh()

    # ---- pages -----------------------------------------------------------------------------------------
    def _build_playground_page(self) -> QWidget:
        page = QWidget()
        self.playground_set = QComboBox()
        self.playground_set.setObjectName("playground_set")
        for name in PLAYGROUND_SETS:
            self.playground_set.addItem(PLAYGROUND_LABELS.get(name, name), name)
        self.playground_set.activated.connect(lambda _i: self._apply_playground(new_set=True))
        self.noise = QDoubleSpinBox()
        self.noise.setObjectName("playground_noise")
        self.noise.setRange(0.0, 1.0)
        self.noise.setSingleStep(0.05)
        self.noise.setToolTip("Jitter added to each point: the classes start to overlap.")
        self.num_points = QSpinBox()
        self.num_points.setObjectName("playground_points")
        self.num_points.setRange(10, 100_000)
        self.num_points.setSingleStep(50)
        self.seed = LargeIntSpinBox(0, PLAYGROUND_SEED_MAX)
        self.seed.setObjectName("playground_seed")
        self.seed.setToolTip("The same seed always draws the same points.")
        for box in (self.noise, self.num_points, self.seed):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda _v: self._apply_playground(new_set=False))
        form = QFormLayout(page)
        form.addRow("Data set", self.playground_set)
        form.addRow("Noise", self.noise)
        form.addRow("Points", self.num_points)
        form.addRow("Seed", self.seed)
        return page

    def _build_sklearn_page(self) -> QWidget:
        page = QWidget()
        self.sklearn_set = QComboBox()
        self.sklearn_set.setObjectName("sklearn_set")
        for name in SKLEARN_SETS:
            self.sklearn_set.addItem(SKLEARN_LABELS.get(name, name).split(":")[0], name)
            self.sklearn_set.setItemData(self.sklearn_set.count() - 1, SKLEARN_LABELS.get(name, name),
                                         Qt.ItemDataRole.ToolTipRole)
        self.sklearn_set.activated.connect(
            lambda _i: self._apply_source({"kind": "sklearn", "name": self.sklearn_set.currentData()}))
        self.sklearn_note = QLabel("Real data sets that ship with scikit-learn (no download).")
        self.sklearn_note.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow("Data set", self.sklearn_set)
        form.addRow(self.sklearn_note)
        return page

    # ---- edits -------------------------------------------------------------------------------------------
    def _apply_playground(self, new_set: bool) -> None:
        current = self.document.data_config["source"]
        name = self.playground_set.currentData()
        keep_points = current.get("kind") == "playground" and current.get("name") == name and not new_set
        self._apply_source({"kind": "playground", "name": name, "num_points": self.num_points.value(),
                            "noise": round(self.noise.value(), 4), "seed": self.seed.value(),
                            "added_points": current.get("added_points", []) if keep_points else []})

    def _apply_source(self, source: dict) -> None:
        try:
            self.document.set_data_source(source)
        except (DataError, SpecError) as error:
            # Once, where the user acts on it: under the file's options for a file, else under the pages.
            from_file = source.get("kind") == "file"
            message = str(error)  # core's data messages already use the File page's words
            self.error.show_text("" if from_file else message)
            self.file_page.error.show_text(message if from_file else "")
            self.refresh(keep_error=True)
            return
        for label in (self.error, self.file_page.error):  # a good load: no earlier failure stays on show
            label.show_text("")

    def _on_point_clicked(self, x: float, y: float) -> None:
        dataset = self.document.dataset
        if dataset is None:
            return
        label = self.add_class.currentIndex() if dataset.task == "classification" else self.add_value.value()
        try:
            self.document.add_data_point(x, y, label)
        except (DataError, SpecError) as error:
            self.error.show_text(str(error))

    # ---- showing the document ------------------------------------------------------------------------------
    def refresh(self, keep_error: bool = False) -> None:
        """Show the document's data; `keep_error` after a refused edit (its message and page stay)."""
        config, dataset = self.document.data_config, self.document.dataset
        source = config["source"]
        kind = source.get("kind", "playground")
        if not keep_error:
            self.error.show_text(f"The data set could not be loaded: {sentence(self.document.data_error)}"
                            if dataset is None and self.document.data_error else "")
            # After a refused edit the user stays on the page of the error (the File page shows it in place).
            self.tabs.setCurrentIndex(PAGE_OF_KIND.get(kind, 0))
        widgets = (self.playground_set, self.noise, self.num_points, self.seed, self.sklearn_set)
        for widget in widgets:
            widget.blockSignals(True)
        if kind == "playground":
            self.playground_set.setCurrentIndex(max(0, self.playground_set.findData(source.get("name"))))
            self.noise.setValue(float(source.get("noise", 0.1)))
            self.num_points.setValue(int(source.get("num_points", 400)))
            self.seed.setValue(int(source.get("seed", 0)))
        elif kind == "sklearn":
            self.sklearn_set.setCurrentIndex(max(0, self.sklearn_set.findData(source.get("name"))))
        for widget in widgets:
            widget.blockSignals(False)
        self.preparation.refresh()
        self.summary.setText(dataset.summary().describe() if dataset is not None else "No data set loaded.")
        self._refresh_scatter(dataset, source)

    def _refresh_scatter(self, dataset: Dataset | None, source: dict) -> None:
        two_d = dataset is not None and dataset.num_features == 2
        self.scatter_box.setVisible(two_d)
        if not two_d:
            self.scatter.clear_points()
            return
        added = len(source.get("added_points", [])) if source.get("kind") == "playground" else 0
        self.scatter.show_points(dataset.x, dataset.y, dataset.task, added)
        can_add = source.get("kind") == "playground"
        self.scatter.clicks_enabled = can_add and not self.document.is_training
        classification = dataset.task == "classification"
        if classification and [self.add_class.itemText(i) for i in range(self.add_class.count())] != \
                dataset.class_names:
            self.add_class.clear()
            self.add_class.addItems(dataset.class_names)
        self.add_class.setVisible(can_add and classification)
        self.add_value.setVisible(can_add and not classification)
        self.add_hint.setText("Click the plot to add a point of" if can_add and classification else
                              "Click the plot to add a point with value" if can_add else
                              "Points can be added to playground sets only.")

    def _on_training_changed(self, training: bool) -> None:
        for widget in (self.tabs, self.preparation):
            widget.setEnabled(not training)
            widget.setToolTip("Stop training to change the data." if training else "")
        dataset = self.document.dataset
        self.scatter.clicks_enabled = (not training and dataset is not None
                                       and self.document.data_config["source"].get("kind") == "playground")
