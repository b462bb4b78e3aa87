"""Autosave while dirty, discard once saved or closed cleanly, and the restore offered at the next start."""

from __future__ import annotations

from studio.app import startup_document
from studio.autosave import Autosaver, autosave_path, pending_autosave
from studio.document import Document


def test_autosaves_only_while_dirty_and_discards_when_saved(qtbot, tmp_path):
    document = Document()
    saver = Autosaver(document, tmp_path, interval_ms=30)
    qtbot.wait(100)
    assert pending_autosave(tmp_path) is None  # nothing to protect yet
    document.set_units(0, 5)
    qtbot.waitUntil(lambda: pending_autosave(tmp_path) is not None, timeout=3000)
    document.save(tmp_path / "mine.bps")
    assert pending_autosave(tmp_path) is None
    saver.timer.stop()


def test_crash_then_restore_brings_the_work_back(qtbot, tmp_path, user_data_dir, answer_dialog):
    document = Document()
    document.save(tmp_path / "work.bps")
    document.set_data_source({"kind": "sklearn", "name": "iris"})
    document.set_layer_field(0, "activation", "relu")
    saver = Autosaver(document)  # the real user-data folder of this test
    assert saver.save_now()
    saver.timer.stop()
    del saver  # the "crash": no clean close, the autosave stays behind

    answer_dialog("Restore")
    restored, error = startup_document(None)
    assert error is None
    assert "work.bps" in answer_dialog.seen[0] and "did not close normally" in answer_dialog.seen[0]
    assert restored.spec == document.spec and restored.dataset.name == "iris"
    assert restored.is_dirty and restored.path == tmp_path / "work.bps"


def test_discarding_the_restore_starts_fresh_and_deletes_it(qtbot, user_data_dir, answer_dialog):
    document = Document()
    document.set_units(0, 3)
    Autosaver(document).save_now()
    answer_dialog("Discard")
    fresh, _ = startup_document(None)
    assert [layer["units"] for layer in fresh.spec["layers"]] == [8, 8, 2]
    assert not autosave_path().exists()


def test_window_close_removes_autosave(make_window, answer_dialog, tmp_path):
    window = make_window()
    window.document.set_units(0, 7)
    assert window.autosaver.save_now() and window.autosaver.path.exists()
    answer_dialog("Discard")
    assert window.close()
    assert not window.autosaver.path.exists()


def test_unreadable_autosave_is_reported_not_fatal(qtbot, user_data_dir, answer_dialog):
    autosave_path().write_bytes(b"garbage")
    answer_dialog("Restore")
    document, error = startup_document(None)
    assert "could not be restored" in error and document.spec["input_size"] == 2
