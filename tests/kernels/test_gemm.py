"""The compiled GEMM (scipy BLAS via the row-major shim) equals its NumPy twin and the
formula alpha * op(a) @ op(b) + beta * out."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels.numpy_ref import gemm as ref

from .conftest import assert_close, compiled, num_threads

DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True, scope="module", params=["numpy", "scipy", "auto"])
def blas_choice(request):
    """Every test runs with each BLAS the compiled adapter may pick for a product, and
    with the per-shape choice."""
    mod = compiled()
    saved = mod.BLAS_CHOICE
    mod.BLAS_CHOICE = request.param
    yield request.param
    mod.BLAS_CHOICE = saved


def _operands(rng, m, n, k, trans_a, trans_b, dtype):
    a = rng.normal(size=(k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.normal(size=(n, k) if trans_b else (k, n)).astype(dtype)
    return a, b


def _formula(a, b, trans_a, trans_b, alpha=1.0, beta=0.0, c=None):
    prod = (a.T if trans_a else a).astype(np.float64) @ (b.T if trans_b else b).astype(np.float64)
    return alpha * prod + (beta * c if c is not None else 0)


@settings(max_examples=60, deadline=None)
@given(m=st.integers(1, 70), n=st.integers(1, 70), k=st.integers(1, 70),
       trans_a=st.booleans(), trans_b=st.booleans(), dtype=st.sampled_from(DTYPES),
       with_out=st.booleans(), alpha=st.sampled_from([1.0, 0.5, -2.0]),
       beta=st.sampled_from([0.0, 1.0, 0.25]), threads=st.sampled_from([1, 2]),
       seed=st.integers(0, 2**16))
def test_gemm_equals_numpy_twin(m, n, k, trans_a, trans_b, dtype, with_out, alpha, beta,
                                threads, seed):
    mod = compiled()
    rng = np.random.default_rng(seed)
    a, b = _operands(rng, m, n, k, trans_a, trans_b, dtype)
    c0 = rng.normal(size=(m, n)).astype(dtype)
    with num_threads(threads):
        got = mod.gemm(a, b, trans_a, trans_b, c0.copy() if with_out else None, alpha, beta)
    want = ref.gemm(a, b, trans_a, trans_b, c0.copy() if with_out else None, alpha, beta)
    assert_close(got, want, dtype, k)
    formula = _formula(a, b, trans_a, trans_b, alpha, beta, c0 if with_out else None)
    assert_close(want, formula.astype(dtype), dtype, k)


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_gemm_same_result_at_1_and_2_blas_threads(dtype):
    # Big enough that OpenBLAS splits the work across its threads.
    mod = compiled()
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(256, 300)).astype(dtype), rng.normal(size=(300, 192)).astype(dtype)
    results = []
    for n in (1, 2):
        with num_threads(n, force_parallel=False):
            results.append(mod.gemm(a, b, trans_b=False))
    want = _formula(a, b, False, False).astype(dtype)
    for got in results:
        assert_close(got, want, dtype, 300)


def _views(rng, dtype):
    """Non-contiguous (m=6, k=5) operands of each kind the adapter handles."""
    big = rng.normal(size=(12, 11)).astype(dtype)
    return {
        "row_slice": big[2:8, 1:6],                  # rows contiguous: read in place (ld=11)
        "fortran": np.asfortranarray(big[:6, :5]),   # columns contiguous: transposed call
        "transposed": big[:5, :6].T,                  # a .T view
        "strided": big[::2, ::2][:, :5],              # neither: copied
        "reversed": big[:6, :5][::-1],                # negative strides: copied
        "broadcast": np.broadcast_to(big[0, :5], (6, 5)),   # zero stride: copied
    }


@pytest.mark.parametrize("kind", ["row_slice", "fortran", "transposed", "strided", "reversed",
                                  "broadcast"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_non_contiguous_operands_all_transposes(kind, dtype):
    mod = compiled()
    rng = np.random.default_rng(2)
    view = _views(rng, dtype)[kind]                 # (6, 5)
    other = rng.normal(size=(5, 4)).astype(dtype)
    for trans_a in (False, True):
        a = view.T if trans_a else view             # op(a) is always the (6, 5) view
        for trans_b in (False, True):
            b = other.T if trans_b else other
            got = mod.gemm(a, b, trans_a, trans_b)
            assert_close(got, _formula(a, b, trans_a, trans_b).astype(dtype), dtype, 5)
            # ... and as the second operand: op(view)^T is (5, 6).
            got = mod.gemm(b, a, not trans_b, not trans_a)
            assert_close(got, _formula(b, a, not trans_b, not trans_a).astype(dtype), dtype, 5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_writes_into_non_contiguous_or_overlapping_out(dtype):
    mod = compiled()
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(6, 5)).astype(dtype), rng.normal(size=(5, 4)).astype(dtype)
    for make in (lambda: np.zeros((6, 8), dtype)[:, :4],        # rows contiguous, ld=8
                 lambda: np.zeros((6, 8), dtype)[:, ::2],       # strided columns
                 lambda: np.zeros((4, 6), dtype).T):            # Fortran order
        base = rng.normal(size=(6, 4)).astype(dtype)
        out = make()
        out[...] = base
        got = mod.gemm(a, b, out=out, alpha=2.0, beta=0.5)
        assert got is out
        assert_close(out, _formula(a, b, False, False, 2.0, 0.5, base).astype(dtype), dtype, 5)
    # `out` that is also an input: the result is as if computed aside.
    sq = rng.normal(size=(5, 5)).astype(dtype)
    want = _formula(sq, sq, False, False, 1.0, 1.0, sq).astype(dtype)
    assert_close(mod.gemm(sq, sq, out=sq, beta=1.0), want, dtype, 5)


def test_gemm_empty_dimensions_and_beta_zero_ignores_nan_out():
    mod = compiled()
    for impl in (mod.gemm, ref.gemm):
        assert impl(np.zeros((0, 3), "f"), np.zeros((3, 4), "f")).shape == (0, 4)
        assert impl(np.zeros((2, 3), "f"), np.zeros((3, 0), "f")).shape == (2, 0)
        np.testing.assert_array_equal(impl(np.zeros((2, 0), "f"), np.zeros((0, 4), "f")),
                                      np.zeros((2, 4), "f"))
        out = np.full((2, 4), np.nan, "f")
        np.testing.assert_array_equal(impl(np.ones((2, 0), "f"), np.ones((0, 4), "f"), out=out),
                                      np.zeros((2, 4)))
        out = np.full((2, 4), 3.0, "f")
        np.testing.assert_array_equal(impl(np.ones((2, 0), "f"), np.ones((0, 4), "f"), out=out,
                                           beta=2.0), np.full((2, 4), 6.0))
        out = np.full((2, 2), np.nan, "d")           # BLAS semantics: beta=0 never reads out
        np.testing.assert_array_equal(impl(np.eye(2), np.eye(2), out=out), np.eye(2))


@pytest.mark.parametrize("backend", ["numpy", "cython"])
def test_gemm_rejects_bad_shapes_and_dtypes_before_running(backend):
    impl = compiled().gemm if backend == "cython" else ref.gemm
    with pytest.raises(ValueError, match=r"gemm: inner dimensions differ.*\(3, 4\).*\(5, 2\)"):
        impl(np.ones((3, 4), "f"), np.ones((5, 2), "f"))
    with pytest.raises(ValueError, match=r"gemm: inner dimensions differ.*trans_a=True"):
        impl(np.ones((3, 4), "f"), np.ones((4, 2), "f"), trans_a=True)
    with pytest.raises(TypeError, match="float32 or two float64"):
        impl(np.ones((3, 4), "f"), np.ones((4, 2), "d"))
    with pytest.raises(TypeError, match="float32 or two float64"):
        impl(np.ones((3, 4), "i"), np.ones((4, 2), "i"))
    with pytest.raises(ValueError, match="2-D"):
        impl(np.ones(3, "f"), np.ones((3, 2), "f"))
    with pytest.raises(ValueError, match="out"):
        impl(np.ones((3, 4), "f"), np.ones((4, 2), "f"), out=np.zeros((2, 2), "f"))
    with pytest.raises(ValueError, match="out"):
        impl(np.ones((3, 4), "f"), np.ones((4, 2), "f"), out=np.zeros((3, 2), "d"))


def test_extension_gemm_rechecks_shapes_and_strides():
    # The Cython entry point itself refuses what would make BLAS read out of bounds.
    compiled()
    from nnfast._ext import gemm as ext

    with pytest.raises(ValueError, match="do not chain"):
        ext.gemm(np.ones((3, 4)), np.ones((5, 2)), False, False, np.empty((3, 2)), 1.0, 0.0)
    with pytest.raises(ValueError, match="contiguous rows"):
        ext.gemm(np.ones((3, 8))[:, ::2], np.ones((4, 2)), False, False, np.empty((3, 2)),
                 1.0, 0.0)


def test_blocked_baseline_gemm_matches(threads):
    mod = compiled()
    rng = np.random.default_rng(4)
    for m, k, n in ((130, 70, 65), (1, 1, 1), (3, 129, 2)):
        a, b = rng.normal(size=(m, k)).astype("f"), rng.normal(size=(k, n)).astype("f")
        assert_close(mod.gemm_blocked(a, b), _formula(a, b, False, False).astype("f"), np.float32, k)
