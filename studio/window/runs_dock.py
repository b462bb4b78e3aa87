"""`RunsDock`: the Runs dock's panel (`studio.widgets.runs_panel.RunsPanel`) with its "Scrub…" button.

The scrub dialog (`studio.dialogs.scrub_dialog.ScrubDialog`: a timeline over a run's checkpoints) sits above the
widgets, as every dialog does (dialogs build on panels and plots), so the panel can't import it; the window,
which opens dialogs, can. It is imported when the dock is built: where it is not installed (ImportError), the
button stays hidden.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from studio.widgets.runs_panel import RunsPanel


class RunsDock(RunsPanel):
    def scrub_available(self) -> bool:
        try:
            from studio.dialogs import scrub_dialog  # noqa: F401 - only whether it is there
        except ImportError:
            return False
        return True

    def _open_scrubber(self, run_id: int) -> None:
        from studio.dialogs.scrub_dialog import ScrubDialog
        dialog = ScrubDialog(self.store_path, run_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
