"""Numba kernels: `@njit(cache=True, nogil=True)` free functions doing the arithmetic, nothing else."""
