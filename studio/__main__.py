"""`python -m studio` launches the desktop application."""

import multiprocessing

from studio.app import main

# A sweep's worker processes are spawned: in the PyInstaller bundle each one starts this executable again, and
# freeze_support() (made to work on every platform by PyInstaller's multiprocessing hook) turns that start into
# the worker instead of a second studio. Outside a bundle it does nothing.
multiprocessing.freeze_support()
raise SystemExit(main())
