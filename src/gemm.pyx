"""GEMM kernels: `gemm`, BLAS through scipy via the row-major shim (the default), and
`gemm_blocked`, a cache-blocked OpenMP GEMM written in Cython that exists only as the
comparison baseline for bench/ (never the default)."""
from libc.limits cimport INT_MAX
from cython cimport floating
from cython.parallel cimport prange

from _blas cimport gemm_rowmajor


cdef Py_ssize_t _row_stride(const char* name, Py_ssize_t rows, Py_ssize_t cols,
                            Py_ssize_t stride0, Py_ssize_t stride1,
                            Py_ssize_t itemsize) except -1:
    """The leading dimension (row stride in elements) BLAS may use for a 2-D view, or a
    ValueError when the view is not rows of unit-stride elements."""
    if cols > 1 and stride1 != itemsize:
        raise ValueError(f"gemm: {name.decode()} must have contiguous rows (unit inner "
                         f"stride). Received strides=({stride0}, {stride1})")
    if rows <= 1:
        return cols if cols > 1 else 1
    if stride0 % itemsize or stride0 < cols * itemsize:
        raise ValueError(f"gemm: {name.decode()} rows overlap or are misaligned. Received "
                         f"strides=({stride0}, {stride1}) for shape ({rows}, {cols})")
    if stride0 // itemsize > INT_MAX:
        raise ValueError(f"gemm: {name.decode()} row stride exceeds BLAS's 32-bit int")
    return stride0 // itemsize


def gemm(const floating[:, :] a, const floating[:, :] b, bint trans_a, bint trans_b,
         floating[:, :] out, double alpha, double beta):
    """out = alpha * op(a) @ op(b) + beta * out, one BLAS call with the GIL released.

    Views are read in place when their rows are contiguous (the leading dimension is the
    row stride). The caller has checked shapes and handles empty dimensions.
    """
    cdef Py_ssize_t s = sizeof(floating)
    cdef Py_ssize_t m = out.shape[0], n = out.shape[1]
    cdef Py_ssize_t k = a.shape[0] if trans_a else a.shape[1]
    if (a.shape[1] if trans_a else a.shape[0]) != m \
            or (b.shape[1] if trans_b else b.shape[0]) != k \
            or (b.shape[0] if trans_b else b.shape[1]) != n:
        raise ValueError(f"gemm: shapes do not chain. Received a=({a.shape[0]}, {a.shape[1]}), "
                         f"b=({b.shape[0]}, {b.shape[1]}), out=({m}, {n})")
    if m == 0 or n == 0 or k == 0:
        raise ValueError("gemm: empty dimensions are handled by the caller")
    if m > INT_MAX or n > INT_MAX or k > INT_MAX:
        raise ValueError(f"gemm: dimensions exceed BLAS's 32-bit int. Received m={m}, "
                         f"n={n}, k={k}")
    cdef int lda = _row_stride(b"a", a.shape[0], a.shape[1], a.strides[0], a.strides[1], s)
    cdef int ldb = _row_stride(b"b", b.shape[0], b.shape[1], b.strides[0], b.strides[1], s)
    cdef int ldc = _row_stride(b"out", m, n, out.strides[0], out.strides[1], s)
    with nogil:
        gemm_rowmajor(trans_a, trans_b, <int> m, <int> n, <int> k, <floating> alpha,
                      &a[0, 0], lda, &b[0, 0], ldb, <floating> beta, &out[0, 0], ldc)


cdef enum:
    BLOCK = 64


def gemm_blocked(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] out,
                 int num_threads):
    """out = a @ b with cache blocking and OpenMP over row blocks (baseline only)."""
    cdef Py_ssize_t m = a.shape[0], k = a.shape[1], n = b.shape[1]
    cdef Py_ssize_t ib, kb, i, kk, j, i_end, k_end
    cdef Py_ssize_t n_row_blocks = (m + BLOCK - 1) // BLOCK
    cdef Py_ssize_t n_k_blocks = (k + BLOCK - 1) // BLOCK
    cdef floating aik
    if b.shape[0] != k or out.shape[0] != m or out.shape[1] != n:
        raise ValueError(f"gemm_blocked: shapes do not chain. Received a=({m}, {k}), "
                         f"b=({b.shape[0]}, {n}), out=({out.shape[0]}, {out.shape[1]})")
    out[:, :] = 0
    for ib in prange(n_row_blocks, nogil=True, schedule="static", num_threads=num_threads,
                     use_threads_if=num_threads > 1):
        i_end = min((ib + 1) * BLOCK, m)
        for kb in range(n_k_blocks):
            k_end = min((kb + 1) * BLOCK, k)
            for i in range(ib * BLOCK, i_end):
                for kk in range(kb * BLOCK, k_end):
                    aik = a[i, kk]
                    for j in range(n):
                        out[i, j] += aik * b[kk, j]
