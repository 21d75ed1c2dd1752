"""The row-major BLAS shim (src/_blas.pxd) on flat buffers with explicit leading
dimensions: all four transpose combinations, leading dimensions wider than the rows."""
import numpy as np
import pytest

from .conftest import require_compiled


def _shim():
    require_compiled()
    from nnfast._ext import _blas

    return _blas.gemm_rowmajor_flat


def _embed(mat, ld, rng):
    """`mat` written row by row into a flat buffer with row stride `ld` (padding = junk)."""
    rows, cols = mat.shape
    buf = rng.normal(size=rows * ld).astype(mat.dtype)
    buf.reshape(rows, ld)[:, :cols] = mat
    return buf


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
def test_shim_equals_matmul_with_wide_leading_dimensions(trans_a, trans_b, dtype):
    gemm = _shim()
    rng = np.random.default_rng(0)
    m, n, k = 5, 7, 3
    a = rng.normal(size=(k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.normal(size=(n, k) if trans_b else (k, n)).astype(dtype)
    c0 = rng.normal(size=(m, n)).astype(dtype)
    lda, ldb, ldc = a.shape[1] + 3, b.shape[1] + 2, n + 4
    abuf, bbuf, cbuf = _embed(a, lda, rng), _embed(b, ldb, rng), _embed(c0, ldc, rng)
    padding = cbuf.reshape(m, ldc)[:, n:].copy()
    gemm(trans_a, trans_b, m, n, k, 0.5, abuf, lda, bbuf, ldb, -2.0, cbuf, ldc)
    want = 0.5 * (a.T if trans_a else a) @ (b.T if trans_b else b) - 2.0 * c0
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(cbuf.reshape(m, ldc)[:, :n], want, rtol=tol, atol=tol)
    # BLAS wrote only the (m, n) block: the padding between rows is untouched.
    np.testing.assert_array_equal(cbuf.reshape(m, ldc)[:, n:], padding)


def test_shim_k_zero_scales_by_beta_and_rejects_short_buffers():
    gemm = _shim()
    c = np.full(6, np.nan)
    gemm(False, False, 2, 3, 0, 1.0, np.zeros(0), 1, np.zeros(0), 3, 0.0, c, 3)
    np.testing.assert_array_equal(c, np.zeros(6))    # beta == 0: C is not read (NaN gone)
    with pytest.raises(ValueError, match="a .*too small"):
        gemm(False, False, 2, 3, 4, 1.0, np.zeros(7), 4, np.zeros(12), 3, 0.0, np.zeros(6), 3)
    with pytest.raises(ValueError, match="c .*too small"):
        gemm(False, False, 2, 3, 4, 1.0, np.zeros(8), 4, np.zeros(12), 3, 0.0, np.zeros(6), 2)
