"""Python access to the row-major BLAS shim (_blas.pxd) on flat buffers with explicit
leading dimensions: what its unit test drives, and a way to call the exact shim the
kernels use. The kernels themselves cimport `gemm_rowmajor` from _blas.pxd."""
from cython cimport floating

from _blas cimport gemm_rowmajor


cdef bint _fits(Py_ssize_t size, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t ld):
    """A row-major (rows, cols) matrix with row stride ld lies inside size elements."""
    if rows == 0 or cols == 0:
        return ld >= 1
    return ld >= cols and (rows - 1) * ld + cols <= size


def gemm_rowmajor_flat(bint trans_a, bint trans_b, int m, int n, int k, double alpha,
                       const floating[::1] a, int lda, const floating[::1] b, int ldb,
                       double beta, floating[::1] c, int ldc):
    """c[:m, :n] (row stride ldc) = alpha * op(A) @ op(B) + beta * c, where A (row stride
    lda) and B (row stride ldb) are read from the flat buffers a and b."""
    if m < 0 or n < 0 or k < 0:
        raise ValueError(f"gemm_rowmajor_flat: negative size. Received m={m}, n={n}, k={k}")
    # Every access is checked here, with the GIL, before BLAS reads or writes memory.
    if not _fits(a.shape[0], k if trans_a else m, m if trans_a else k, lda):
        raise ValueError(f"gemm_rowmajor_flat: a (size {a.shape[0]}, lda={lda}) is too "
                         f"small for op(a) of shape ({m}, {k}), trans_a={trans_a}")
    if not _fits(b.shape[0], n if trans_b else k, k if trans_b else n, ldb):
        raise ValueError(f"gemm_rowmajor_flat: b (size {b.shape[0]}, ldb={ldb}) is too "
                         f"small for op(b) of shape ({k}, {n}), trans_b={trans_b}")
    if not _fits(c.shape[0], m, n, ldc):
        raise ValueError(f"gemm_rowmajor_flat: c (size {c.shape[0]}, ldc={ldc}) is too "
                         f"small for ({m}, {n})")
    cdef Py_ssize_t i, j
    if m == 0 or n == 0:
        return
    if k == 0:   # BLAS would scale C by beta; with an empty a or b there is no pointer.
        for i in range(m):
            for j in range(n):
                c[i * ldc + j] = 0 if beta == 0 else <floating> (beta * c[i * ldc + j])
        return
    with nogil:
        gemm_rowmajor(trans_a, trans_b, m, n, k, <floating> alpha, &a[0], lda, &b[0], ldb,
                      <floating> beta, &c[0], ldc)
