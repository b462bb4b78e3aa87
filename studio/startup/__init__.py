"""What happens around the first window: the kernel warm-up on a cold cache, and a probe that times the start.

`start_kernel_warmup(window)` is called by studio.app.main right after the window is shown.
"""

from __future__ import annotations

from typing import Any

from studio.startup.kernel_warmup import KernelWarmup
from studio.startup.warmup_status import WarmupStatus


def start_kernel_warmup(window, warmup: KernelWarmup | None = None) -> KernelWarmup:
    """Show the warm-up's status in `window`'s status bar, hold Train while it runs, and start it.

    The warm-up is a child of the window; it is killed when the application quits."""
    from PySide6.QtWidgets import QApplication

    warmup = warmup or KernelWarmup()
    warmup.setParent(window)
    status = WarmupStatus(warmup, window.statusBar())
    window.statusBar().insertPermanentWidget(0, status)
    window.warmup_status = status
    def gate(spec: dict[str, Any], command) -> bool:
        held = warmup.hold_until_ready(spec, command)
        if held:
            status.note_held_run()
        return held
    window.controller.start_gate = gate
    window.controller.kernels_ready = warmup.is_ready  # an opened project's prediction waits for them too
    warmup.dtype_ready.connect(lambda _dtype: window.controller.kernels_became_ready())
    warmup.finished.connect(lambda *_result: window.controller.kernels_became_ready())  # failed: compile on use
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(warmup.stop)
    warmup.start()
    status.setVisible(warmup.is_running)
    return warmup
