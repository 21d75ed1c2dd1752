"""The compiled GEMM (scipy BLAS, row-major shim) equals its NumPy twin."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels import compiled_available
from nnfast.kernels.numpy_ref import gemm as ref

from .conftest import require_compiled


def _compiled():
    require_compiled()
    from nnfast.kernels import compiled

    return compiled


def _tol(dtype, k):
    return (1e-5 * max(1, np.sqrt(k)), 1e-6 * max(1, k)) if dtype == np.float32 else (1e-12, 1e-12 * max(1, k))


@settings(max_examples=60, deadline=None)
@given(m=st.integers(1, 70), n=st.integers(1, 70), k=st.integers(1, 70),
       trans_a=st.booleans(), trans_b=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
def test_gemm_equals_numpy_twin_all_transposes(m, n, k, trans_a, trans_b, dtype, seed):
    compiled = _compiled()
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.normal(size=(n, k) if trans_b else (k, n)).astype(dtype)
    rtol, atol = _tol(dtype, k)
    np.testing.assert_allclose(compiled.gemm(a, b, trans_a, trans_b),
                               ref.gemm(a, b, trans_a, trans_b), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_alpha_beta_out_and_threads(threads, dtype):
    compiled = _compiled()
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(33, 17)).astype(dtype), rng.normal(size=(17, 9)).astype(dtype)
    c0 = rng.normal(size=(33, 9)).astype(dtype)
    got = compiled.gemm(a, b, out=c0.copy(), alpha=0.5, beta=2.0)
    want = ref.gemm(a, b, out=c0.copy(), alpha=0.5, beta=2.0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_gemm_non_contiguous_inputs_and_empty_dims():
    compiled = _compiled()
    rng = np.random.default_rng(1)
    a = rng.normal(size=(20, 30)).astype(np.float32)[::2, 1::3]     # strided views
    b = rng.normal(size=(10, 7)).astype(np.float32)
    np.testing.assert_allclose(compiled.gemm(a, b), a @ b, rtol=1e-5, atol=1e-5)
    assert compiled.gemm(np.zeros((0, 3), "f"), np.zeros((3, 4), "f")).shape == (0, 4)
    np.testing.assert_array_equal(compiled.gemm(np.zeros((2, 0), "f"), np.zeros((0, 4), "f")),
                                  np.zeros((2, 4)))


@pytest.mark.parametrize("backend", ["numpy", "cython"])
def test_gemm_rejects_bad_shapes_and_dtypes_before_running(backend):
    if backend == "cython":
        impl = _compiled().gemm
    else:
        impl = ref.gemm
    with pytest.raises(ValueError, match=r"gemm: inner dimensions differ.*\(3, 4\).*\(5, 2\)"):
        impl(np.ones((3, 4), "f"), np.ones((5, 2), "f"))
    with pytest.raises(TypeError, match="float32 or two float64"):
        impl(np.ones((3, 4), "f"), np.ones((4, 2), "d"))
    with pytest.raises(ValueError, match="2-D"):
        impl(np.ones(3, "f"), np.ones((3, 2), "f"))
    with pytest.raises(ValueError, match="out"):
        impl(np.ones((3, 4), "f"), np.ones((4, 2), "f"), out=np.zeros((2, 2), "f"))


def test_blocked_baseline_gemm_matches(threads):
    compiled = _compiled()
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(130, 70)).astype("f"), rng.normal(size=(70, 65)).astype("f")
    np.testing.assert_allclose(compiled.gemm_blocked(a, b), a @ b, rtol=1e-4, atol=1e-4)


def test_extension_is_built_in_this_checkout():
    assert compiled_available() or __import__("os").environ.get("NNFAST_ALLOW_NO_EXT") == "1"
