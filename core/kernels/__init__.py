"""Numba kernels: `@njit(cache=True, nogil=True)` free functions that do the arithmetic and nothing else.

Each module holds one family (activations, batch norm, losses, optimizers, …). Kernels work in place on
preallocated, C-contiguous arrays and release the GIL, so the studio's window stays smooth while a worker
thread trains. Matrix products stay in NumPy (`@`), which hands transposed operands to BLAS for free.
"""
