# The one BLAS shim: row-major GEMM on top of scipy's Fortran (column-major) sgemm/dgemm.
from cython cimport floating
from scipy.linalg.cython_blas cimport dgemm, sgemm


cdef inline void gemm_rowmajor(bint trans_a, bint trans_b, int m, int n, int k,
                               floating alpha, const floating* a, int lda,
                               const floating* b, int ldb, floating beta,
                               floating* c, int ldc) noexcept nogil:
    # A row-major C[m,n] = op(A) op(B) is, read column-major, C^T = op(B)^T op(A)^T:
    # call BLAS with the operands swapped (B first, then A) and n, m exchanged. The
    # leading dimensions are the row lengths of the arrays as stored.
    # scipy's pxd has no `const`, hence the casts (scipy#14262).
    cdef char ta = b'T' if trans_b else b'N'
    cdef char tb = b'T' if trans_a else b'N'
    if floating is float:
        sgemm(&ta, &tb, &n, &m, &k, &alpha, <float*> b, &ldb, <float*> a, &lda,
              &beta, c, &ldc)
    else:
        dgemm(&ta, &tb, &n, &m, &k, &alpha, <double*> b, &ldb, <double*> a, &lda,
              &beta, c, &ldc)
