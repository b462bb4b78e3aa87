"""The studio's File → Open and start-up with a file argument, against the generated malformed projects.

No exception may escape: a project that can't be opened shows ONE error line (dialog and status bar) naming
the file and leaves the current project as it was; one that opens with unusable weights opens untrained with a
warning, and the window still paints. Started with a bad file, the window appears with the default project.
"""

from __future__ import annotations

import pytest

from tests.core.fuzz import project_cases


@pytest.fixture
def told(monkeypatch):
    """What the user was told: (kind, title, message) of every dialog, without showing modal boxes."""
    seen: list[tuple[str, str, str]] = []
    monkeypatch.setattr("studio.dialogs.messages.show_error",
                        lambda _parent, title, message: seen.append(("error", title, message)))
    monkeypatch.setattr("studio.dialogs.messages.show_information",
                        lambda _parent, title, message: seen.append(("information", title, message)))
    return seen


def _studio_cases(folder):
    """Every data-reference mutation (the studio's own crash class), every seventh other manifest mutation, the
    oversized networks, the weights, the archives."""
    manifest_cases = project_cases.manifest_cases(folder)
    picked = [case for number, case in enumerate(manifest_cases)
              if case[0].startswith("data.") or number % 7 == 0 or not case[0][0].islower()
              or case[0].endswith(("=deep", "layers", "1e9"))]
    return picked + project_cases.weights_cases(folder) + project_cases.archive_cases(folder)


def test_open_never_raises_and_names_the_problem_in_one_line(main_window, told, tmp_path):
    cases = _studio_cases(tmp_path)
    assert len(cases) > 150
    for number, (name, write) in enumerate(cases):
        path = tmp_path / f"s{number}.bps"
        write(path)
        before = (main_window.document.spec, main_window.document.data_config, main_window.document.path)
        told.clear()
        opened = main_window.open_project(path, ask_to_save=False)
        if not opened:
            assert [kind for kind, _, _ in told] == ["error"], name
            message = told[0][2]
            assert "\n" not in message and path.name in message, f"{name}: {message}"
            assert path.name in main_window.statusBar().currentMessage(), name
            assert (main_window.document.spec, main_window.document.data_config,
                    main_window.document.path) == before, name
        elif name.startswith("weights="):
            assert main_window.document.weights is None, name
            assert told and told[0][0] == "information" and "opens untrained" in told[0][2], name
            assert not main_window.grab().isNull()  # painting a project whose weights were refused works


def test_non_regular_files_are_refused_without_freezing(main_window, told, tmp_path):
    for kind, path in project_cases.special_files(tmp_path):
        told.clear()
        assert not main_window.open_project(path, ask_to_save=False), kind
        assert len(told) == 1 and "not a project file" in told[0][2], kind


@pytest.mark.parametrize("mutation", ["data.config.source.kind=dict", "data.config.source.num_points=1e12",
                                      "data.config.source.num_points=inf", "data.config.val_fraction=nan",
                                      "data.config.val_fraction=abc", "data.config.scaling=abc",
                                      "extra=deep", "truncated-at-30", "fifo"])
def test_start_up_with_a_bad_file_shows_the_window_and_one_error(qtbot, told, tmp_path, mutation):
    from studio.app import open_startup_window
    if mutation == "fifo":
        path = dict(project_cases.special_files(tmp_path))["fifo"]
    else:
        cases = dict(project_cases.manifest_cases(tmp_path) + project_cases.archive_cases(tmp_path))
        path = tmp_path / "started.bps"
        cases[mutation](path)
    window, report = open_startup_window(str(path))
    qtbot.addWidget(window)
    report()
    assert window.isVisible() and window.document.path is None  # the default project, not the bad file
    assert [kind for kind, _, _ in told] == ["error"]
    assert "\n" not in told[0][2] and path.name in told[0][2]
    assert path.name in window.statusBar().currentMessage()
    window.document._dirty_outside_undo = False
    window.close()


def test_the_file_open_action_reports_a_bad_file_and_keeps_the_project(main_window, told, tmp_path, monkeypatch):
    cases = dict(project_cases.manifest_cases(tmp_path))
    path = tmp_path / "picked.bps"
    cases["data.config.source.kind=dict"](path)
    monkeypatch.setattr(main_window, "_ask_open_path", lambda: str(path))
    spec_before = main_window.document.spec
    main_window.open_project_dialog()  # what File → Open runs after the file dialog
    assert [kind for kind, _, _ in told] == ["error"] and "kind must be one of" in told[0][2]
    assert main_window.document.spec == spec_before and main_window.document.path is None


_START_WITH_BAD_FILE = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import studio.dialogs.messages as messages
import studio.startup
import studio.startup.probe
from studio.app import main
from studio.main_window import MainWindow

told = []
messages.show_error = lambda _parent, title, message: told.append(["error", title, message])
messages.show_information = lambda _parent, title, message: told.append(["information", title, message])
studio.startup.start_kernel_warmup = lambda _window: None  # no compiling child
studio.startup.probe.install_startup_probe = lambda *_args: None
shown = []

def close_the_window():
    app = QApplication.instance()
    shown.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
    for window in shown:
        window.close()
    app.quit()

app = QApplication([sys.argv[0]])  # main() takes this one, so the timer below runs in its event loop
QTimer.singleShot(200, close_the_window)
code = main([sys.argv[1]])
print(json.dumps({"code": code, "shown": len(shown), "told": told}))
"""


def test_backprop_studio_started_with_a_bad_file_runs_its_window(tmp_path):
    """`backprop-studio file.bps` through studio.app.main: the event loop runs with the window shown and one error.

    In a child process: main() runs the application's own event loop, which must not leave its state to the
    next test of this process."""
    import json
    import os
    import subprocess
    import sys

    path = tmp_path / "bad.bps"
    dict(project_cases.manifest_cases(tmp_path))["data.config.source.num_points=inf"](path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", _START_WITH_BAD_FILE, str(path)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and result["shown"] == 1
    assert [kind for kind, _, _ in result["told"]] == ["error"] and "num_points" in result["told"][0][2]
