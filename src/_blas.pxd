# The one BLAS shim: row-major GEMM on top of scipy's Fortran (column-major) sgemm/dgemm.
# Declared inline here (not in _blas.pyx) so a kernel that cimports it needs no run-time
# import of another extension module: src/ is not laid out as the nnfast._ext package.
from cython cimport floating
from scipy.linalg.cython_blas cimport dgemm, sgemm


cdef inline void gemm_rowmajor(bint trans_a, bint trans_b, int m, int n, int k,
                               floating alpha, const floating* a, int lda,
                               const floating* b, int ldb, floating beta,
                               floating* c, int ldc) noexcept nogil:
    """C[m, n] = alpha * op(A) @ op(B) + beta * C, all three row-major.

    lda/ldb/ldc are the row strides in elements of A, B, C *as stored* (the row length
    for a contiguous array; more for a view of a wider array's columns).
    """
    # Fortran reads a row-major matrix X as its transpose X^T. So the row-major
    # C = op(A) op(B) is, read column-major, C^T = op(B)^T op(A)^T: call BLAS with the
    # operands swapped (B first, then A), the transpose flags swapped with them, and n
    # and m exchanged. The leading dimensions carry over unchanged.
    # scipy's pxd declares no `const`, hence the casts (scipy#14262).
    cdef char ta = b'T' if trans_b else b'N'
    cdef char tb = b'T' if trans_a else b'N'
    if floating is float:
        sgemm(&ta, &tb, &n, &m, &k, &alpha, <float*> b, &ldb, <float*> a, &lda,
              &beta, c, &ldc)
    else:
        dgemm(&ta, &tb, &n, &m, &k, &alpha, <double*> b, &ldb, <double*> a, &lda,
              &beta, c, &ldc)
