"""File → Examples lists the bundled example projects with their descriptions and opens one as a copy."""

from __future__ import annotations

import zipfile

from core.cli.resources import example_paths
from core.project import load_project
from studio.dialogs.examples_dialog import ExamplesDialog, bundled_examples


def test_every_bundled_example_is_listed_with_its_description(qtbot):
    examples = bundled_examples()
    assert [e.name for e in examples] == list(example_paths()) and len(examples) >= 5
    dialog = ExamplesDialog(examples)
    qtbot.addWidget(dialog)
    for row, example in enumerate(examples):
        description = load_project(example.path).extra["description"]
        assert dialog.list.item(row).text() == f"{example.name}\n{description}"


def test_file_examples_opens_a_copy(main_window, answer_dialog, qtbot):
    assert main_window.action_examples in main_window.menuBar().actions()[0].menu().actions()
    chosen = bundled_examples()[0]
    bundled_bytes = chosen.path.read_bytes()
    answer_dialog("Open")
    main_window.action_examples.trigger()
    document = main_window.document
    assert document.spec == chosen.project.spec and document.data_config == chosen.project.data_config
    assert document.path is None and document.display_name == chosen.name
    assert main_window.windowTitle().startswith(chosen.name)
    assert "copy of the example" in main_window.statusBar().currentMessage()
    assert chosen.path.read_bytes() == bundled_bytes


def test_a_damaged_example_is_listed_but_cannot_be_opened(qtbot, tmp_path, monkeypatch):
    damaged = tmp_path / "broken.bps"
    damaged.write_bytes(b"PK\x03\x04 not a zip")
    good = tmp_path / "fine.bps"
    with zipfile.ZipFile(next(iter(example_paths().values()))) as source, zipfile.ZipFile(good, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, source.read(item))
    monkeypatch.setattr("studio.dialogs.examples_dialog.example_paths",
                        lambda: {"broken": damaged, "fine": good})
    examples = bundled_examples()
    assert examples[0].project is None and "Can't be opened" in examples[0].description
    dialog = ExamplesDialog(examples)
    qtbot.addWidget(dialog)
    assert dialog.list.currentRow() == 1  # the first that can be opened
    dialog.list.setCurrentRow(0)
    dialog.accept()
    assert dialog.chosen is None
