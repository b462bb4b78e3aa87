"""Numba's cache locator for the PyInstaller bundle: compiled kernels go to NUMBA_CACHE_DIR, whatever the folder
the app was started from.

PyInstaller gives the bundle's code objects relative file names ("core/kernels/losses.py"). Numba resolves those
against the current folder, finds no source there, and falls back to ~/.cache/numba/<folder>_<hash of the *current
folder*>: every launch from another folder compiled everything again (~20 s) and left another copy behind. This
locator resolves the name inside the bundle (the spec ships core's .py files beside its bytecode), so Numba's own
NUMBA_CACHE_DIR locator applies; the cache stays valid until the executable changes (a frozen app's source stamp).
runtime_hook_numba_locator.py selects it (it replaces Numba's list of locators).
"""

import os
import sys

from numba.core.caching import UserProvidedCacheLocator, UserWideCacheLocator


class BundledSourceCacheLocator(UserProvidedCacheLocator):
    @classmethod
    def from_function(cls, py_func, py_file):
        bundle = getattr(sys, "_MEIPASS", None)
        if bundle and not os.path.isabs(py_file):
            py_file = os.path.join(bundle, py_file)
        # No NUMBA_CACHE_DIR, or no bundled source (another package's kernel): Numba's frozen-app fallback.
        return super().from_function(py_func, py_file) or UserWideCacheLocator.from_function(py_func, py_file)
