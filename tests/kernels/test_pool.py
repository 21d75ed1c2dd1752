"""Pooling kernels: the compiled ones equal their NumPy twins, and the twins equal a loop
formula written here, on random geometries (odd sizes, batch 1, strides, paddings) at 1 and
2 threads."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels.numpy_ref import pool as ref

from .conftest import assert_close, compiled, num_threads

DTYPES = [np.float32, np.float64]


def _pool_mod():
    compiled()
    from nnfast.kernels import compiled_pool

    return compiled_pool


@contextlib.contextmanager
def _threads(n):
    mod = _pool_mod()
    saved = mod.PARALLEL_MIN_ELEMENTS
    mod.PARALLEL_MIN_ELEMENTS = 0          # threads even on tiny shapes
    try:
        with num_threads(n):
            yield mod
    finally:
        mod.PARALLEL_MIN_ELEMENTS = saved


def formula(x, pool, strides, pads, kind):
    """One output value at a time over the real (non-padded) taps (float64)."""
    n, h, w, c = x.shape
    (kh, kw), (sh, sw), ((pt, pb), (pl, pr)) = pool, strides, pads
    ho, wo = (h + pt + pb - kh) // sh + 1, (w + pl + pr - kw) // sw + 1
    y = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            rows = [r for r in range(i * sh - pt, i * sh - pt + kh) if 0 <= r < h]
            cols = [q for q in range(j * sw - pl, j * sw - pl + kw) if 0 <= q < w]
            window = x[:, rows][:, :, cols].astype(np.float64)
            y[:, i, j] = window.max(axis=(1, 2)) if kind == "max" else window.mean(axis=(1, 2))
    return y


geometries = st.fixed_dictionaries({
    "n": st.integers(1, 3), "h": st.integers(1, 9), "w": st.integers(1, 9), "c": st.integers(1, 5),
    "kh": st.integers(1, 4), "kw": st.integers(1, 4), "sh": st.integers(1, 3),
    "sw": st.integers(1, 3), "same": st.booleans(),
})


def _pads(g):
    if not g["same"]:
        return ((0, 0), (0, 0))
    from nnfast.kernels.numpy_ref.conv import same_padding

    return (same_padding(g["h"], g["kh"], g["sh"], 1), same_padding(g["w"], g["kw"], g["sw"], 1))


@settings(max_examples=80, deadline=None)
@given(g=geometries, dtype=st.sampled_from(DTYPES), threads=st.sampled_from([1, 2]),
       seed=st.integers(0, 2**16))
def test_pool_kernels_equal_twins_and_formula(g, dtype, threads, seed):
    pool, strides, pads = (g["kh"], g["kw"]), (g["sh"], g["sw"]), _pads(g)
    if not g["same"] and (g["h"] < g["kh"] or g["w"] < g["kw"]):
        return                      # no output: the error is tested below
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(g["n"], g["h"], g["w"], g["c"])).astype(dtype)
    with _threads(threads) as mod:
        y, argmax = mod.max_pool2d(x, pool, strides, pads)
        ry, rargmax = ref.max_pool2d(x, pool, strides, pads)
        assert_close(y, ry, dtype)
        np.testing.assert_array_equal(argmax, rargmax)
        np.testing.assert_allclose(ry, formula(x, pool, strides, pads, "max"), rtol=1e-6)
        dy = rng.normal(size=y.shape).astype(dtype)
        assert_close(mod.max_pool2d_backward(dy, argmax, x.shape),
                     ref.max_pool2d_backward(dy, rargmax, x.shape), dtype)
        a = mod.avg_pool2d(x, pool, strides, pads)
        assert_close(a, ref.avg_pool2d(x, pool, strides, pads), dtype, g["kh"] * g["kw"])
        np.testing.assert_allclose(a, formula(x, pool, strides, pads, "avg"), rtol=1e-5, atol=1e-6)
        assert_close(mod.avg_pool2d_backward(dy, x.shape, pool, strides, pads),
                     ref.avg_pool2d_backward(dy, x.shape, pool, strides, pads), dtype,
                     g["kh"] * g["kw"])


@pytest.mark.parametrize("backend", ["cython", "numpy"])
def test_ties_nan_and_minus_inf_windows(backend):
    impl = _pool_mod() if backend == "cython" else ref
    x = np.zeros((1, 2, 4, 1), np.float32)           # all ties: the first tap wins
    x[0, :, 2:, 0] = [[-np.inf, -np.inf], [-np.inf, -np.inf]]
    y, argmax = impl.max_pool2d(x, (2, 2), (2, 2), ((0, 0), (0, 0)))
    np.testing.assert_array_equal(argmax.ravel(), [0, 2])
    assert y[0, 0, 1, 0] == -np.inf
    x[0, 1, 0, 0] = np.nan
    y, argmax = impl.max_pool2d(x, (2, 2), (2, 2), ((0, 0), (0, 0)))
    assert np.isnan(y[0, 0, 0, 0]) and argmax[0, 0, 0, 0] == 4


@pytest.mark.parametrize("backend", ["cython", "numpy"])
def test_bad_shapes_are_refused_before_running(backend):
    impl = _pool_mod() if backend == "cython" else ref
    with pytest.raises(ValueError, match="4-D NHWC"):
        impl.max_pool2d(np.zeros((2, 3, 3), np.float32), (2, 2), (2, 2), ((0, 0), (0, 0)))
    with pytest.raises(ValueError, match="larger than the .padded. input"):
        impl.avg_pool2d(np.zeros((1, 2, 2, 1), np.float32), (3, 3), (1, 1), ((0, 0), (0, 0)))
    with pytest.raises(ValueError, match="padding must be smaller than the window"):
        impl.max_pool2d(np.zeros((1, 4, 4, 1), np.float32), (2, 2), (1, 1), ((2, 0), (0, 0)))
    with pytest.raises(TypeError, match="float32 or float64"):
        impl.max_pool2d(np.zeros((1, 4, 4, 1), np.int32), (2, 2), (2, 2), ((0, 0), (0, 0)))
    y, argmax = impl.max_pool2d(np.zeros((1, 4, 4, 2), np.float32), (2, 2), (2, 2), ((0, 0), (0, 0)))
    with pytest.raises(ValueError, match="do not match"):
        impl.max_pool2d_backward(y[:, :1], argmax, (1, 4, 4, 2))


def test_corrupt_argmax_never_writes_out_of_bounds():
    mod = _pool_mod()
    dy = np.ones((1, 1, 1, 1), np.float32)
    dx = mod.max_pool2d_backward(dy, np.full((1, 1, 1, 1), 10**9, np.int64), (1, 2, 2, 1))
    np.testing.assert_array_equal(dx, 0)
