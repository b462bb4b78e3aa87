"""What `backprop-studio ARGS` does before any window exists: headless commands and the app's own flags.

`dispatch(argv)` (argv without the program name) returns an exit code for ``train``/``predict``/``export``/
``examples``/``--help`` (core.cli), ``--install-desktop-entry``, ``--uninstall-desktop-entry`` and
``--self-test``; None means "start the app". `studio.app.main` calls it first.
"""

from __future__ import annotations

from typing import Sequence

APP_FLAGS = ("--install-desktop-entry", "--uninstall-desktop-entry", "--self-test")


def dispatch(argv: Sequence[str]) -> int | None:
    argv = list(argv)
    if argv and argv[0] == "--install-desktop-entry":
        from studio.desktop_entry import run
        return run(install=True)
    if argv and argv[0] == "--uninstall-desktop-entry":
        from studio.desktop_entry import run
        return run(install=False)
    if argv and argv[0] == "--self-test":
        from studio.self_test import run_self_test
        return run_self_test(argv[1:])
    from core.cli.main import run_cli
    return run_cli(argv)
