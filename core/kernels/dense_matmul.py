"""The three matrix products of a dense layer's training step, callable from inside other Numba kernels.

    forward  z  = x · W        (n×k · k×m)     `matmul_nn`
    weights  dW = xᵀ · g       (k×n · n×m)     `matmul_tn`
    inputs   dx = g · Wᵀ       (n×m · m×k)     `matmul_nt`

Tiny products (a playground network) run as plain loops: below ~2,000 multiply-adds a BLAS call costs more than
the arithmetic. Larger ones call BLAS through `np.dot`. All operands are C-contiguous, so `a.T` is an F-ordered
array that Numba hands to gemm as a transpose flag, as fast as NumPy's `a.T @ g`: measured here, 32×64×128 in
~20 µs either way. (PERFORMANCE-NOTES' "5× slower with a transposed operand" holds for non-contiguous views,
which Numba copies first.)
"""

from __future__ import annotations

import numpy as np
from numba import njit

BLAS_MIN_MACS = 2_048  # below this many multiply-adds the loops beat a BLAS call


# The inner loop of the two products that build their output a row at a time; each keeps its own loop order around
# it (`matmul_nt` instead sums each entry as a dot product of two rows). Inlined by Numba (inline="always"), so it
# compiles as the loop written out, with its caller's fastmath flags.
@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"}, inline="always")
def _add_scaled_row(out, row, scale, b, b_row):
    """out[row] += scale · b[b_row]."""
    for j in range(b.shape[1]):
        out[row, j] += scale * b[b_row, j]


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def matmul_nn(a, b, out):
    """out = a · b."""
    n, k = a.shape
    m = b.shape[1]
    if n * k * m >= BLAS_MIN_MACS:
        np.dot(a, b, out)
        return
    for i in range(n):
        for j in range(m):
            out[i, j] = 0.0
        for p in range(k):
            _add_scaled_row(out, i, a[i, p], b, p)


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def matmul_tn(a, g, out):
    """out = aᵀ · g for a (n×k), g (n×m), out (k×m)."""
    # Not `matmul_nn(a.T, g, out)`: that sums in the same order, but its loops walk a.T across rows, 10–45 % slower
    # on small float32 products (measured); this order reads a and g row by row.
    n, k = a.shape
    m = g.shape[1]
    if n * k * m >= BLAS_MIN_MACS:
        np.dot(a.T, g, out)
        return
    for p in range(k):
        for j in range(m):
            out[p, j] = 0.0
    for i in range(n):
        for p in range(k):
            _add_scaled_row(out, p, a[i, p], g, i)


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def matmul_nt(g, w, out):
    """out = g · wᵀ for g (n×m), w (k×m), out (n×k)."""
    n, m = g.shape
    k = w.shape[0]
    if n * k * m >= BLAS_MIN_MACS:
        np.dot(g, w.T, out)
        return
    for i in range(n):
        for p in range(k):
            total = g.dtype.type(0.0)
            for j in range(m):
                total += g[i, j] * w[p, j]
            out[i, p] = total
