"""PyInstaller runtime hook: point Numba's cache at the user's cache folder BEFORE numba is imported (the
bundle's own folder may be read-only). The choice is core.kernel_cache's, shared with the app and the CLI."""

from core.kernel_cache import configure_kernel_cache

configure_kernel_cache()
