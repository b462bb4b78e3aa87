"""Shared by the tests of the Training menu's check dialogs: build one, and on teardown cancel its thread."""

from __future__ import annotations

from typing import Any, Iterator

TIMEOUT_MS = 60_000  # the first check in a process may load its kernels from the disk cache


def dialog_for(kind: Any, document: Any, qtbot: Any) -> Iterator[Any]:
    """For a fixture: `yield from dialog_for(LrFinderDialog, document, qtbot)`."""
    dialog = kind(document)
    qtbot.addWidget(dialog)
    yield dialog
    assert dialog.task.stop_and_wait(30)
    assert not dialog.task.is_running  # its last event delivered: the thread budget is given back
