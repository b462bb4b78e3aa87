"""The window title's "[42%]" follows a run's progress even when nobody sees the status bar: the window minimized
(where the title is all the user sees) or the status bar hidden. It used to stay at "[0%]": the title was
refreshed only with the status bar's throttled redraws, which never happen while it is not on screen."""

from __future__ import annotations

import re

import pytest

from tests.studio.test_training_toolbar import make_window


def percentages(titles: list[str]) -> list[int]:
    return [int(m.group(1)) for t in titles if (m := re.match(r"\[(\d+)%\] ", t))]


@pytest.mark.parametrize("unseen", ["minimized", "status bar hidden"])
def test_title_progress_moves_while_the_status_bar_is_not_on_screen(document, qtbot, unseen):
    window, controller, _toolbar, _status = make_window(document, qtbot)  # titled "Backprop Studio"
    if unseen == "minimized":
        window.showMinimized()
    else:
        window.statusBar().hide()
    titles: list[str] = []
    window.windowTitleChanged.connect(titles.append)
    document.set_training_field("epochs", 40)
    controller.set_speed(40.0)  # about a second: several updates on the way
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        controller.start()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)
    seen = percentages(titles)
    assert any(0 < p < 100 for p in seen), titles
    assert seen == sorted(seen)  # never goes back
    assert window.windowTitle() == "Backprop Studio"  # the prefix is gone once the run ends
    controller.shutdown()
