"""GEMM kernels: BLAS through scipy (the default) and a blocked OpenMP GEMM written in
Cython, kept only as the comparison baseline for bench/."""
from cython cimport floating
from cython.parallel cimport prange

from _blas cimport gemm_rowmajor


def gemm_blas(const floating[:, ::1] a, const floating[:, ::1] b, bint trans_a,
              bint trans_b, floating[:, ::1] out, double alpha, double beta):
    """out = alpha * op(a) @ op(b) + beta * out; shapes checked by the caller, all
    dimensions > 0."""
    cdef int m = out.shape[0]
    cdef int n = out.shape[1]
    cdef int k = a.shape[0] if trans_a else a.shape[1]
    with nogil:
        gemm_rowmajor(trans_a, trans_b, m, n, k, <floating> alpha, &a[0, 0], a.shape[1],
                      &b[0, 0], b.shape[1], <floating> beta, &out[0, 0], n)


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
