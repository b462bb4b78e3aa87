"""PyInstaller runtime hook: let Numba find the bundle's kernel sources, so its disk cache is NUMBA_CACHE_DIR and
does not depend on the folder the app was started from (see numba_bundle_locator.py). Runs before numba is
imported; a user's own NUMBA_CACHE_LOCATOR_CLASSES wins."""

import os

os.environ.setdefault("NUMBA_CACHE_LOCATOR_CLASSES", "numba_bundle_locator.BundledSourceCacheLocator")
