"""What `backprop-studio ARGS` does before any window exists: headless commands and the app's own flags.

`dispatch(argv)` (argv without the program name) returns an exit code for ``train``/``predict``/``export``/
``examples``/``--help`` (core.cli), ``--install-desktop-entry``, ``--uninstall-desktop-entry``, ``--self-test``
and ``--warm-kernels`` (the kernel warm-up, run by the app itself as a subprocess; in a frozen bundle there is no
``python -m``); None means "start the app". `studio.app.main` calls it first. It points Numba's disk cache at a
writable folder before anything imports numba.
"""

from __future__ import annotations

from typing import Sequence

WARM_KERNELS_FLAG = "--warm-kernels"
APP_FLAGS = ("--install-desktop-entry", "--uninstall-desktop-entry", "--self-test", WARM_KERNELS_FLAG)


def dispatch(argv: Sequence[str]) -> int | None:
    argv = list(argv)
    from core.kernel_cache import configure_kernel_cache
    configure_kernel_cache()
    if argv and argv[0] == "--install-desktop-entry":
        from studio.desktop_entry import run
        return run(install=True)
    if argv and argv[0] == "--uninstall-desktop-entry":
        from studio.desktop_entry import run
        return run(install=False)
    if argv and argv[0] == "--self-test":
        from studio.self_test import run_self_test
        return run_self_test(argv[1:])
    if argv and argv[0] == WARM_KERNELS_FLAG:
        from core.warmup import main as warm_kernels
        return warm_kernels(argv[1:])
    from core.cli.main import run_cli
    return run_cli(argv)
