"""File → Export…: pick a format, a folder and a name, see the files that will be written, and export.

The open document's network (its spec, trained weights and the preprocessing its data was prepared with) goes
through `core.export.export_model`, which stages every file in the target folder and moves them into place only
when all are written, so a failed export leaves nothing half-written. A path that can't be written keeps the
dialog open with a message naming the path and the reason; an untrained network is exported only after asking.
The window disables Export while training runs: the document receives the newest weights when a run ends, so an
export during a run would silently hold the weights from before it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, QUrl, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QMainWindow, QMessageBox, QPushButton, QRadioButton, QStatusBar, QVBoxLayout, QWidget,
)

from core.data import DataError
from core.export import FORMATS, ExportError, ExportModel, export_model, export_model_from_parts
from core.export.torch_train import COMPANION_FILES as TORCH_TRAIN_FILES
from studio.dialogs import messages

if TYPE_CHECKING:
    from studio.document import Document
    from studio.settings import StudioSettings

# What each format produces and who reads it, one line each (the full description is the tooltip).
SUMMARIES = {
    "onnx": "one .onnx file, preprocessing built in: for onnxruntime and other inference engines, any language",
    "npz": "weight arrays + a .json with architecture, column encoding and scaling: for your own NumPy code",
    "numpy": "the .npz + .json and a predict.py that needs only NumPy: run it on raw CSV rows",
    "safetensors": "the named weights, the description in its metadata: for Hugging Face and Rust/JS loaders",
    "torch": "a readable model.py (nn.Module) + its state dict: keep training in PyTorch, on GPUs",
    "torch-train": "a train.py (+ model.py and the data) that trains as the studio does: GPUs, torchrun",
}
NOTICE_SECONDS = 30
_WARNING_STYLE = "color: #b35900;"


def planned_files(fmt: str, folder: Path, base: str) -> list[Path]:
    """The files `export_model(model, fmt, folder / (base + suffix))` writes, in the order it returns them."""
    main = folder / f"{base}{FORMATS[fmt].suffix}"
    companions = {"npz": [main.with_suffix(".json")],
                  "numpy": [main.with_suffix(".json"), folder / "predict.py"],
                  "torch": [folder / f"{base}_state_dict.npz"],
                  "torch-train": [folder / name for name in TORCH_TRAIN_FILES]}.get(fmt, [])
    return [main, *companions]


def default_base_name(document: Document) -> str:
    """The project's name as a file (and Python module) name; "model" for an unsaved project."""
    if document.path is None:
        return "model"
    return re.sub(r"\W", "_", document.path.stem) or "model"


def name_problem(fmt: str, folder: str, base: str) -> str | None:
    """Why these choices can't be exported (shown under the fields, Export disabled), or None."""
    if not folder.strip():
        return "Choose a folder to export into."
    if not Path(folder.strip()).expanduser().is_dir():
        return f"The folder {folder.strip()} does not exist."
    if not base:
        return "Give the files a name."
    if "/" in base or "\\" in base or base.startswith("."):
        return "The name can't contain / or \\ or start with a dot; choose the folder above."
    if fmt == "torch-train" and f"{base}.py" in TORCH_TRAIN_FILES:
        return f"train.py's companion is called {base}.py: choose another name for the script (e.g. train)."
    if fmt == "torch" and not base.isidentifier():
        return "PyTorch's model.py is imported by its name: use letters, digits and _ only (e.g. model)."
    return None


def ask_export_untrained(parent: QWidget | None) -> bool:
    """True when the user wants to export a network that has never been trained."""
    box = QMessageBox(QMessageBox.Icon.Question, "Export an untrained network?",
                      "This network has not been trained: its weights are the random initial ones, so its "
                      "predictions are guesses. Export it anyway?", QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("export_untrained_question")
    export_button = box.addButton("Export anyway", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.exec()
    return box.clickedButton() is export_button


def build_export_model(document: Document) -> ExportModel:
    """The document's network as a `core.export.ExportModel` (None weights: its initial ones)."""
    return export_model_from_parts(document.spec, document.data_config, document.weights, document.prepared())


class ExportDialog(QDialog):
    """The choices of one export; `export()` (the Export button) writes the files and accepts the dialog."""

    def __init__(self, document: Document, folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export network")
        self._document = document
        self.written: list[Path] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_formats())
        layout.addLayout(self._build_destination(folder, default_base_name(document)))
        self.files_label = QLabel()
        self.files_label.setTextFormat(Qt.TextFormat.RichText)
        self.files_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.files_label.setMinimumHeight(4 * self.fontMetrics().lineSpacing() + 4)  # up to 3 files: no jumping
        layout.addWidget(self.files_label)
        self.untrained_label = QLabel("Not trained yet: the export will hold the network's random initial "
                                      "weights.")
        self.untrained_label.setStyleSheet(_WARNING_STYLE)
        self.untrained_label.setVisible(document.weights is None)
        layout.addWidget(self.untrained_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.button(QDialogButtonBox.StandardButton.Ok)  # the default button: Enter exports
        self.export_button.setText("Export")
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()
        self.name_edit.setFocus()

    def _build_formats(self) -> QGroupBox:
        box = QGroupBox("Format")
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        for row, fmt in enumerate(FORMATS.values()):
            button = QRadioButton(fmt.label)
            button.setObjectName(f"format_{fmt.name}")
            summary = QLabel(SUMMARIES[fmt.name])
            summary.setStyleSheet("color: #555;")
            for widget in (button, summary):
                widget.setToolTip(fmt.help)
            self.format_group.addButton(button)
            self.format_buttons[fmt.name] = button
            grid.addWidget(button, row, 0)
            grid.addWidget(summary, row, 1)
        self.format_buttons["onnx"].setChecked(True)
        self.format_group.buttonToggled.connect(self._update)
        return box

    def _build_destination(self, folder: str, base: str) -> QGridLayout:
        grid = QGridLayout()
        self.folder_edit = QLineEdit(folder)
        self.folder_edit.setObjectName("export_folder")
        browse = QPushButton("Browse…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._on_browse)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        self.name_edit = QLineEdit(base)
        self.name_edit.setObjectName("export_name")
        self.name_edit.setPlaceholderText("model")
        grid.addWidget(QLabel("Folder:"), 0, 0)
        grid.addLayout(row, 0, 1)
        grid.addWidget(QLabel("Name:"), 1, 0)
        grid.addWidget(self.name_edit, 1, 1)
        for edit in (self.folder_edit, self.name_edit):
            edit.textChanged.connect(self._update)
        return grid

    # ---- the choices --------------------------------------------------------------------------------------
    @property
    def chosen_format(self) -> str:
        return next(name for name, button in self.format_buttons.items() if button.isChecked())

    def set_format(self, fmt: str) -> None:
        self.format_buttons[fmt].setChecked(True)

    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def base_name(self) -> str:
        return self.name_edit.text().strip()

    def problem(self) -> str | None:
        return name_problem(self.chosen_format, self.folder_edit.text(), self.base_name())

    def planned(self) -> list[Path]:
        return planned_files(self.chosen_format, self.folder(), self.base_name())

    def _update(self, *_args: Any) -> None:
        problem = self.problem()
        self.export_button.setEnabled(problem is None)
        if problem is not None:
            self.files_label.setText(f"<span style='{_WARNING_STYLE}'>{_html(problem)}</span>")
            return
        lines = [f"<code>{_html(path.name)}</code>"
                 + (f" <span style='{_WARNING_STYLE}'>(replaces the existing file)</span>" if path.exists() else "")
                 for path in self.planned()]
        self.files_label.setText(f"Writes into {_html(_short(self.folder()))}:<br>" + "<br>".join(lines))

    def _on_browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    # ---- exporting --------------------------------------------------------------------------------------
    def export(self) -> list[Path] | None:
        """Write the files; on success accept the dialog and return them. Problems are shown, None returned."""
        problem = self.problem()
        if problem is not None:
            messages.show_error(self, "Can't export", problem)
            return None
        # train.py trains from the initial weights anyway: no need to ask before a torch-train export
        starts_over = self.chosen_format == "torch-train"
        if self._document.weights is None and not starts_over and not ask_export_untrained(self):
            return None
        try:
            model = build_export_model(self._document)
            self.written = export_model(model, self.chosen_format, self.planned()[0])
        except (ExportError, DataError) as error:
            messages.show_error(self, "Can't export", str(error))
            return None
        self.accept()
        return self.written


def open_export_dialog(window: QMainWindow, settings: StudioSettings, document: Document) -> list[Path] | None:
    """File → Export… for a main window: the dialog, then a status-bar notice naming what was written.

    The window comes as a plain QMainWindow (the dialogs sit below the main window in the studio's layers)."""
    folder = settings.export_folder()
    if folder is None or not Path(folder).is_dir():
        folder = str(document.path.parent if document.path is not None else Path.home())
    dialog = ExportDialog(document, folder, window)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.written:
            return None
        written = dialog.written
    finally:
        dialog.deleteLater()
    settings.set_export_folder(written[0].parent)
    show_export_notice(window.statusBar(), written)
    return written


def show_export_notice(status_bar: QStatusBar, written: list[Path]) -> QLabel:
    """"Exported a, b to folder — Open folder" in the status bar for NOTICE_SECONDS (replacing an older one)."""
    for old in status_bar.findChildren(QLabel, "export_notice"):
        status_bar.removeWidget(old)
        old.deleteLater()
    folder = written[0].parent
    names = ", ".join(path.name for path in written)
    notice = QLabel(f"Exported {_html(names)} to {_html(str(folder))} — <a href='open'>Open folder</a>")
    notice.setObjectName("export_notice")
    notice.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                   | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    notice.linkActivated.connect(lambda _link: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))) or
                                 status_bar.showMessage(f"No file manager opened {folder}", 10_000))
    status_bar.clearMessage()  # a temporary message would hide the notice
    status_bar.addWidget(notice, 1)
    QTimer.singleShot(NOTICE_SECONDS * 1000, notice, notice.deleteLater)
    return notice


def _short(folder: Path) -> str:
    """An absolute folder, with the home folder written as ~."""
    folder, home = folder.absolute(), Path.home()
    return "~" if folder == home else f"~/{folder.relative_to(home).as_posix()}" if folder.is_relative_to(home) \
        else str(folder)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
