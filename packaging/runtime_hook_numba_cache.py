"""PyInstaller runtime hook: point Numba's cache at the user's cache folder BEFORE numba is imported (the
bundle's own folder may be read-only)."""

import os

if "NUMBA_CACHE_DIR" not in os.environ:
    from platformdirs import user_cache_dir
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(user_cache_dir("backprop-studio", appauthor=False), "numba")
