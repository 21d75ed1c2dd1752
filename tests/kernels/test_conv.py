"""2-D convolution kernels: the compiled ones (im2col + GEMM, the direct loops, the
pointwise GEMM path) equal their NumPy twins, and the twins equal a loop formula written
here, on random geometries (odd sizes, batch 1, strides, paddings, dilation) at 1 and 2
threads."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels.numpy_ref import conv as ref

from .conftest import assert_close, compiled, num_threads

DTYPES = [np.float32, np.float64]


def _conv_mod():
    compiled()
    from nnfast.kernels import compiled_conv

    return compiled_conv


@contextlib.contextmanager
def _knobs(**values):
    mod = _conv_mod()
    saved = {k: getattr(mod, k) for k in values}
    for k, v in values.items():
        setattr(mod, k, v)
    try:
        yield mod
    finally:
        for k, v in saved.items():
            setattr(mod, k, v)


def formula(x, w, strides, pads, dilation):
    """The definition, one output element at a time (float64)."""
    n, h, wd, c = x.shape
    kh, kw, _, k = w.shape
    (sh, sw), (dh, dw) = strides, dilation
    ho = (h + sum(pads[0]) - (kh - 1) * dh - 1) // sh + 1
    wo = (wd + sum(pads[1]) - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((n, ho, wo, k))
    for oh in range(ho):
        for ow in range(wo):
            for i in range(kh):
                for j in range(kw):
                    ih, iw = oh * sh - pads[0][0] + i * dh, ow * sw - pads[1][0] + j * dw
                    if 0 <= ih < h and 0 <= iw < wd:
                        y[:, oh, ow] += x[:, ih, iw].astype(np.float64) @ w[i, j]
    return y


geometries = st.fixed_dictionaries({
    "n": st.integers(1, 3), "h": st.integers(1, 9), "w": st.integers(1, 9),
    "c": st.integers(1, 6), "k": st.integers(1, 5), "kh": st.integers(1, 4),
    "kw": st.integers(1, 4), "strides": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "dilation": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "padding": st.sampled_from(["valid", "same", "explicit"]),
    "pads": st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
})


def _case(g, dtype, seed):
    """Arrays for geometry `g`, or None when the dilated kernel does not fit (valid)."""
    padding = g["padding"]
    if padding == "explicit":
        padding = ((g["pads"][0], g["pads"][1]), (g["pads"][2], g["pads"][3]))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(g["n"], g["h"], g["w"], g["c"])).astype(dtype)
    w = rng.normal(size=(g["kh"], g["kw"], g["c"], g["k"])).astype(dtype)
    try:
        geo = ref.check_conv2d(x, w, g["strides"], padding, g["dilation"])
    except ValueError:
        return None
    dy = rng.normal(size=(g["n"],) + geo[3] + (g["k"],)).astype(dtype)
    return x, w, dy, padding, geo


@settings(max_examples=120, deadline=None)
@given(g=geometries, dtype=st.sampled_from(DTYPES), threads=st.sampled_from([1, 2]),
       path=st.sampled_from(["im2col", "im2col-small-tiles", "direct", "dx-as-conv"]),
       seed=st.integers(0, 2**16))
def test_conv2d_kernels_equal_twins_and_formula(g, dtype, threads, path, seed):
    case = _case(g, dtype, seed)
    if case is None:
        return
    x, w, dy, padding, (strides, dilation, pads, _) = case
    knobs = {"im2col": {"DX_AS_CONV": False}, "im2col-small-tiles": {"TILE_ELEMENTS": 1},
             "direct": {"DIRECT_MAX_CHANNELS": 64}, "dx-as-conv": {"DX_AS_CONV": True}}[path]
    with _knobs(**knobs) as mod, num_threads(threads):
        y = mod.conv2d(x, w, g["strides"], padding, g["dilation"])
        dx = mod.conv2d_backward_input(dy, w, x.shape, g["strides"], padding, g["dilation"])
        dw = mod.conv2d_backward_kernel(x, dy, w.shape, g["strides"], padding, g["dilation"])
    y_ref = ref.conv2d(x, w, g["strides"], padding, g["dilation"])
    kc = g["kh"] * g["kw"] * g["c"]
    assert_close(y, y_ref, dtype, kc)
    assert_close(y_ref, formula(x, w, strides, pads, dilation).astype(dtype), dtype, kc)
    assert_close(dx, ref.conv2d_backward_input(dy, w, x.shape, g["strides"], padding,
                                               g["dilation"]), dtype, g["k"] * kc)
    assert_close(dw, ref.conv2d_backward_kernel(x, dy, w.shape, g["strides"], padding,
                                                g["dilation"]), dtype, dy.size)


@pytest.mark.parametrize("dtype", DTYPES)
def test_twin_backward_is_the_transpose_of_the_forward(dtype):
    # <conv(x, w), dy> = <x, dx(dy)> = <w, dw(x, dy)>: the adjoint identities.
    case = _case({"n": 2, "h": 7, "w": 6, "c": 3, "k": 4, "kh": 3, "kw": 2, "strides": (2, 1),
                  "dilation": (1, 2), "padding": "same", "pads": (0,) * 4}, np.float64, 3)
    x, w, dy, padding, _ = case
    y = ref.conv2d(x, w, (2, 1), padding, (1, 2))
    dx = ref.conv2d_backward_input(dy, w, x.shape, (2, 1), padding, (1, 2))
    dw = ref.conv2d_backward_kernel(x, dy, w.shape, (2, 1), padding, (1, 2))
    assert np.sum(y * dy) == pytest.approx(np.sum(x * dx), rel=1e-12)
    assert np.sum(y * dy) == pytest.approx(np.sum(w * dw), rel=1e-12)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_pointwise_and_w2_shapes_equal_twin(dtype, threads):
    mod = _conv_mod()
    rng = np.random.default_rng(0)
    for xs, ws, padding in [((3, 5, 4, 6), (1, 1, 6, 7), "valid"),       # the GEMM path
                            ((4, 28, 28, 1), (5, 5, 1, 8), "valid"),     # W2 first layer
                            ((2, 16, 16, 16), (3, 3, 16, 16), "same")]:
        x, w = rng.normal(size=xs).astype(dtype), rng.normal(size=ws).astype(dtype)
        with num_threads(threads):
            y = mod.conv2d(x, w, 1, padding, 1)
            dy = rng.normal(size=y.shape).astype(dtype)
            dx = mod.conv2d_backward_input(dy, w, x.shape, 1, padding, 1)
            dw = mod.conv2d_backward_kernel(x, dy, w.shape, 1, padding, 1)
        kc = ws[0] * ws[1] * ws[2]
        assert_close(y, ref.conv2d(x, w, 1, padding, 1), dtype, kc)
        assert_close(dx, ref.conv2d_backward_input(dy, w, x.shape, 1, padding, 1), dtype,
                     ws[3] * kc)
        assert_close(dw, ref.conv2d_backward_kernel(x, dy, w.shape, 1, padding, 1), dtype,
                     dy.size)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_non_contiguous_inputs_and_empty_batch(impl):
    mod = ref if impl == "numpy" else _conv_mod()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 8, 6, 6))[:, ::2, :, ::2]           # strided view, C=3
    w = np.asfortranarray(rng.normal(size=(2, 2, 3, 4)))
    want = formula(np.ascontiguousarray(x), np.ascontiguousarray(w), (1, 1),
                   ((0, 0), (0, 0)), (1, 1))
    np.testing.assert_allclose(mod.conv2d(x, w), want, rtol=1e-12)
    y = mod.conv2d(np.zeros((0, 5, 5, 3)), w, 1, "same", 1)
    assert y.shape == (0, 5, 5, 4)
    assert mod.conv2d_backward_kernel(np.zeros((0, 5, 5, 3)), y, w.shape, 1, "same").shape \
        == w.shape
    assert not mod.conv2d_backward_kernel(np.zeros((0, 5, 5, 3)), y, w.shape, 1, "same").any()
    assert mod.conv2d_backward_input(y, w, (0, 5, 5, 3), 1, "same").shape == (0, 5, 5, 3)


def test_same_padding_is_tensorflows_rule():
    # pad_total = max((ceil(H/s) - 1) * s + (k - 1) * d + 1 - H, 0); the smaller half first.
    assert ref.same_padding(5, 3, 1, 1) == (1, 1)
    assert ref.same_padding(6, 3, 2, 1) == (0, 1)
    assert ref.same_padding(5, 4, 1, 1) == (1, 2)
    assert ref.same_padding(7, 3, 1, 3) == (3, 3)
    assert ref.same_padding(4, 1, 3, 1) == (0, 0)
    assert ref.same_padding(10, 5, 3, 1) == (2, 2)
    assert ref.same_padding(10, 4, 3, 1) == (1, 2)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_bad_input_raises_before_the_kernel(impl):
    mod = ref if impl == "numpy" else _conv_mod()
    x = np.zeros((1, 5, 5, 3), np.float32)
    w = np.zeros((3, 3, 3, 2), np.float32)
    with pytest.raises(ValueError,
                       match=r"conv2d: the input has 4 channels.*x.shape=\(1, 5, 5, 4\)"):
        mod.conv2d(np.zeros((1, 5, 5, 4), np.float32), w)
    with pytest.raises(ValueError, match="4-D input"):
        mod.conv2d(np.zeros((5, 5, 3), np.float32), w)
    with pytest.raises(ValueError, match="output would be empty"):
        mod.conv2d(x, np.zeros((6, 1, 3, 2), np.float32))
    with pytest.raises(ValueError, match="output would be empty"):
        mod.conv2d(x, w, 1, "valid", 3)
    with pytest.raises(TypeError, match="one dtype"):
        mod.conv2d(x, w.astype(np.float64))
    with pytest.raises(TypeError, match="float32 or float64"):
        mod.conv2d(x.astype(np.int32), w)
    with pytest.raises(ValueError, match="strides"):
        mod.conv2d(x, w, 0)
    with pytest.raises(ValueError, match="padding"):
        mod.conv2d(x, w, 1, "full")
    with pytest.raises(ValueError, match="explicit padding"):
        mod.conv2d(x, w, 1, ((1, -1), (0, 0)))
    with pytest.raises(ValueError, match=r"conv2d_backward_input: `dy` must have the output's "
                                         r"shape \(1, 3, 3, 2\)"):
        mod.conv2d_backward_input(np.zeros((1, 4, 3, 2), np.float32), w, x.shape)
    with pytest.raises(ValueError, match="conv2d_backward_kernel: `dy`"):
        mod.conv2d_backward_kernel(x, np.zeros((1, 3, 3, 5), np.float32), w.shape)


def test_blas_is_single_threaded_only_inside_the_parallel_loop():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    mod = _conv_mod()

    def blas_threads():
        return {d["num_threads"] for d in threadpoolctl.threadpool_info()
                if d["user_api"] == "blas"}

    x = np.random.default_rng(0).normal(size=(4, 9, 9, 8)).astype(np.float32)
    w = np.ones((3, 3, 8, 8), np.float32)
    with num_threads(2):
        assert mod._team(10**9, 4, True) == 2
        with mod._blas_scope(2):
            assert blas_threads() == {1}
        mod.conv2d(x, w)
        mod.conv2d_backward_kernel(x, mod.conv2d(x, w), w.shape)
        assert blas_threads() == {2}
