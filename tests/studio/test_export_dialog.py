"""File → Export…: every format writes the files the dialog lists, exports predict like the engine, an untrained
network asks first, an unwritable folder is reported and nothing is written, and Ctrl+E works from the window."""

from __future__ import annotations

import importlib.util
import os
import stat

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMenu

from core.export import FORMATS
from core.network import Network
from core.spec import with_changes
from core.training import Trainer
from studio.dialogs import export_dialog
from studio.dialogs.export_dialog import ExportDialog

RAW_POINTS = np.array([[0.0, 0.0], [1.5, -0.5], [-2.0, 3.0], [4.0, 4.0]], np.float32)


def train_briefly(document, epochs: int = 3) -> Network:
    """Train the document's network for a few epochs headless and store the weights, as a run would."""
    spec = with_changes(document.spec, {"training.epochs": epochs})
    network = Network.from_spec(spec)
    trainer = Trainer(network, document.prepared(), report_every=0)
    for _snapshot in trainer.run():
        pass
    document.set_weights(network.get_state(), trainer.history)
    return network


def engine_predictions(document, network: Network) -> np.ndarray:
    return network.predict(document.prepared().preprocess(RAW_POINTS))


@pytest.fixture
def trained_document(document):
    train_briefly(document)
    return document


@pytest.fixture
def make_dialog(qtbot):
    dialogs = []  # kept alive for the whole test

    def make(document, folder, name="circles", fmt="onnx"):
        dialog = ExportDialog(document, str(folder))
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        dialog.name_edit.setText(name)
        dialog.set_format(fmt)
        dialog.show()
        return dialog
    return make


@pytest.fixture
def errors_shown(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(export_dialog.messages, "show_error", lambda parent, title, text: shown.append(text))
    return shown


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_writes_the_files_the_dialog_lists(fmt, trained_document, make_dialog, tmp_path):
    dialog = make_dialog(trained_document, tmp_path, fmt=fmt)
    planned = dialog.planned()
    assert all(path.name in dialog.files_label.text() for path in planned)
    dialog.export_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.written == planned
    assert sorted(os.listdir(tmp_path)) == sorted(path.name for path in planned)  # no temporary files left
    assert all(path.stat().st_size > 0 for path in planned)


def test_onnx_and_numpy_exports_predict_like_the_engine(document, make_dialog, tmp_path):
    import onnxruntime
    expected = engine_predictions(document, train_briefly(document))
    make_dialog(document, tmp_path, fmt="onnx").export_button.click()
    session = onnxruntime.InferenceSession(str(tmp_path / "circles.onnx"), providers=["CPUExecutionProvider"])
    (onnx_out,) = session.run(None, {session.get_inputs()[0].name: RAW_POINTS})
    np.testing.assert_allclose(onnx_out, expected, atol=1e-5)

    make_dialog(document, tmp_path, fmt="numpy").export_button.click()
    spec = importlib.util.spec_from_file_location("exported_predict", tmp_path / "predict.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    np.testing.assert_allclose(module.predict(RAW_POINTS, module.load_model()), expected, atol=1e-5)


def test_untrained_network_asks_first_and_cancel_writes_nothing(document, make_dialog, tmp_path, monkeypatch):
    answers, asked = [False, True], []
    monkeypatch.setattr(export_dialog, "ask_export_untrained", lambda parent: asked.append(parent) or answers.pop(0))
    dialog = make_dialog(document, tmp_path)
    assert document.weights is None and dialog.untrained_label.isVisible()
    dialog.export_button.click()
    assert len(asked) == 1 and os.listdir(tmp_path) == [] and dialog.isVisible()
    dialog.export_button.click()
    assert len(asked) == 2 and os.listdir(tmp_path) == ["circles.onnx"]
    assert dialog.result() == QDialog.DialogCode.Accepted


@pytest.mark.parametrize(("button", "written"), [("Cancel", []), ("Export anyway", ["circles.safetensors"])])
def test_untrained_question_box_answered_both_ways(button, written, document, make_dialog, tmp_path, answer_dialog):
    dialog = make_dialog(document, tmp_path, fmt="safetensors")
    answer_dialog(button)
    dialog.export_button.click()
    assert len(answer_dialog.seen) == 1 and "not been trained" in answer_dialog.seen[0]
    assert os.listdir(tmp_path) == written


def test_trained_network_exports_without_asking(trained_document, make_dialog, tmp_path, monkeypatch):
    monkeypatch.setattr(export_dialog, "ask_export_untrained", lambda parent: pytest.fail("asked needlessly"))
    dialog = make_dialog(trained_document, tmp_path)
    assert not dialog.untrained_label.isVisibleTo(dialog)
    dialog.export_button.click()
    assert os.listdir(tmp_path) == ["circles.onnx"]


@pytest.fixture
def unwritable_folder(tmp_path, monkeypatch):
    """A read-only folder. Root ignores permission bits, so there the OS refusal is injected where core.export
    creates its temporary file (the same PermissionError a read-only folder gives)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(folder, os.W_OK):
        import core.export.common as common
        real_mkstemp = common.tempfile.mkstemp

        def refuse(*args, dir=None, **kwargs):
            if dir is not None and os.path.samefile(dir, folder):
                raise PermissionError(13, "Permission denied", str(folder))
            return real_mkstemp(*args, dir=dir, **kwargs)
        monkeypatch.setattr(common.tempfile, "mkstemp", refuse)
    yield folder
    folder.chmod(stat.S_IRWXU)


@pytest.mark.parametrize("fmt", ["onnx", "numpy"])
def test_unwritable_folder_shows_path_and_reason_and_writes_nothing(fmt, trained_document, make_dialog,
                                                                     unwritable_folder, errors_shown):
    dialog = make_dialog(trained_document, unwritable_folder, fmt=fmt)
    assert dialog.export() is None
    assert len(errors_shown) == 1
    assert str(unwritable_folder) in errors_shown[0] and "permission denied" in errors_shown[0].lower()
    assert os.listdir(unwritable_folder) == []
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted  # the user can pick another


@pytest.mark.parametrize(("folder", "name", "fmt", "reason"), [
    ("missing", "model", "onnx", "does not exist"),
    ("", "model", "onnx", "Choose a folder"),
    (".", "", "onnx", "Give the files a name"),
    (".", "sub/model", "npz", "can't contain /"),
    (".", "my model", "torch", "imported by its name"),
])
def test_bad_choices_disable_export_and_say_why(folder, name, fmt, reason, document, make_dialog, tmp_path):
    place = "" if folder == "" else tmp_path / folder
    dialog = make_dialog(document, place, name=name, fmt=fmt)
    assert not dialog.export_button.isEnabled()
    assert reason in dialog.files_label.text()
    dialog.set_format("onnx")
    dialog.folder_edit.setText(str(tmp_path))
    dialog.name_edit.setText("model")
    assert dialog.export_button.isEnabled()


def test_an_existing_file_is_marked_as_replaced(document, make_dialog, tmp_path):
    (tmp_path / "circles.json").write_text("{}")
    dialog = make_dialog(document, tmp_path, fmt="npz")
    assert "circles.json <span" in dialog.files_label.text().replace("</code>", "")
    assert dialog.files_label.text().count("replaces the existing file") == 1


def test_ctrl_e_after_training_in_the_studio_exports_and_offers_open_folder(main_window, qtbot, tmp_path,
                                                                             monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QDesktopServices
    document, controller = main_window.document, main_window.controller
    document.set_training_field("epochs", 2)
    main_window.settings.set_export_folder(tmp_path)
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.action_play_pause.trigger()
        assert not main_window.action_export.isEnabled()  # disabled while training
    qtbot.waitUntil(lambda: not document.is_training, timeout=5_000)
    assert main_window.action_export.isEnabled() and document.weights is not None

    seen_dialogs = []

    def fill_and_export():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):
            QTimer.singleShot(20, fill_and_export)
            return
        seen_dialogs.append(dialog.folder_edit.text())
        dialog.set_format("npz")
        dialog.name_edit.setText("trained")
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill_and_export)
    qtbot.keyClick(main_window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen_dialogs == [str(tmp_path)]  # it started in the remembered folder
    assert sorted(os.listdir(tmp_path)) == ["trained.json", "trained.npz"]

    notice = main_window.statusBar().findChild(QLabel, "export_notice")
    assert notice is not None and notice.isVisible()
    assert "trained.npz, trained.json" in notice.text() and str(tmp_path) in notice.text()
    opened, answers = [], [True, False]
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or answers.pop(0))
    notice.linkActivated.emit("open")
    assert opened == [str(tmp_path)] and main_window.statusBar().currentMessage() == ""
    notice.linkActivated.emit("open")  # no file manager: say so
    assert main_window.statusBar().currentMessage() == f"No file manager opened {tmp_path}"
    assert main_window.settings.export_folder() == str(tmp_path)


def test_export_action_is_in_the_file_menu_with_ctrl_e(main_window):
    action = main_window.action_export
    assert action.shortcut().toString() == "Ctrl+E"
    (file_menu,) = [menu for menu in main_window.menuBar().findChildren(QMenu) if menu.title() == "&File"]
    assert action in file_menu.actions()
    assert action in main_window.shortcut_groups()["File"]


def test_a_folder_under_home_may_be_written_with_a_tilde(document, make_dialog, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    dialog = make_dialog(document, "~/models")
    assert dialog.export_button.isEnabled()
    assert dialog.planned() == [tmp_path / "models" / "circles.onnx"]


def test_an_untrained_network_exports_its_training_script_without_asking(document, make_dialog, tmp_path,
                                                                          monkeypatch):
    """train.py starts from the initial weights: no "export an untrained network?" question for torch-train."""
    monkeypatch.setattr(export_dialog, "ask_export_untrained", lambda parent: pytest.fail("asked"))
    dialog = make_dialog(document, tmp_path, name="train", fmt="torch-train")
    dialog.export_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (tmp_path / "train.py").is_file() and (tmp_path / "train_data.npz").is_file()
    assert export_dialog.name_problem("torch-train", str(tmp_path), "model") is not None  # model.py is taken
