"""Depthwise 2-D convolution kernels: compiled equal the NumPy twins, twins equal a loop
formula written here (TensorFlow's channel order c*M + m), at 1 and 2 threads."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels.numpy_ref import conv_depthwise as ref

from .conftest import assert_close, compiled, num_threads
from .test_conv import geometries

DTYPES = [np.float32, np.float64]


def _mod():
    compiled()
    from nnfast.kernels import compiled_conv

    return compiled_conv


def formula(x, w, strides, pads, dilation):
    n, h, wd, c = x.shape
    kh, kw, _, m = w.shape
    (sh, sw), (dh, dw) = strides, dilation
    ho = (h + sum(pads[0]) - (kh - 1) * dh - 1) // sh + 1
    wo = (wd + sum(pads[1]) - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((n, ho, wo, c * m))
    for oh in range(ho):
        for ow in range(wo):
            for i in range(kh):
                for j in range(kw):
                    ih, iw = oh * sh - pads[0][0] + i * dh, ow * sw - pads[1][0] + j * dw
                    if 0 <= ih < h and 0 <= iw < wd:
                        for ch in range(c):
                            for q in range(m):
                                y[:, oh, ow, ch * m + q] += x[:, ih, iw, ch] * w[i, j, ch, q]
    return y


@settings(max_examples=100, deadline=None)
@given(g=geometries, dtype=st.sampled_from(DTYPES), threads=st.sampled_from([1, 2]),
       seed=st.integers(0, 2**16))
def test_depthwise_kernels_equal_twins_and_formula(g, dtype, threads, seed):
    padding = g["padding"]
    if padding == "explicit":
        padding = ((g["pads"][0], g["pads"][1]), (g["pads"][2], g["pads"][3]))
    rng = np.random.default_rng(seed)
    m = g["k"] % 3 + 1                                   # depth multiplier 1..3
    x = rng.normal(size=(g["n"], g["h"], g["w"], g["c"])).astype(dtype)
    w = rng.normal(size=(g["kh"], g["kw"], g["c"], m)).astype(dtype)
    try:
        _, _, pads, out_hw = ref.check_depthwise(x, w, g["strides"], padding, g["dilation"])
    except ValueError:
        return
    dy = rng.normal(size=(g["n"],) + out_hw + (g["c"] * m,)).astype(dtype)
    args = (g["strides"], padding, g["dilation"])
    mod = _mod()
    with num_threads(threads):
        y = mod.depthwise_conv2d(x, w, *args)
        dx = mod.depthwise_conv2d_backward_input(dy, w, x.shape, *args)
        dw = mod.depthwise_conv2d_backward_kernel(x, dy, w.shape, *args)
    taps = g["kh"] * g["kw"]
    y_ref = ref.depthwise_conv2d(x, w, *args)
    assert_close(y, y_ref, dtype, taps)
    assert_close(y_ref, formula(x, w, g["strides"], pads, g["dilation"]).astype(dtype), dtype,
                 taps)
    assert_close(dx, ref.depthwise_conv2d_backward_input(dy, w, x.shape, *args), dtype,
                 taps * m)
    assert_close(dw, ref.depthwise_conv2d_backward_kernel(x, dy, w.shape, *args), dtype,
                 dy.size)


def test_twin_backward_is_the_transpose_of_the_forward():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 7, 6, 3)), rng.normal(size=(3, 2, 3, 2))
    args = ((2, 1), "same", (1, 2))
    y = ref.depthwise_conv2d(x, w, *args)
    dy = rng.normal(size=y.shape)
    dx = ref.depthwise_conv2d_backward_input(dy, w, x.shape, *args)
    dw = ref.depthwise_conv2d_backward_kernel(x, dy, w.shape, *args)
    assert np.sum(y * dy) == pytest.approx(np.sum(x * dx), rel=1e-12)
    assert np.sum(y * dy) == pytest.approx(np.sum(w * dw), rel=1e-12)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_depthwise_bad_input(impl):
    mod = ref if impl == "numpy" else _mod()
    x = np.zeros((1, 5, 5, 3), np.float32)
    with pytest.raises(ValueError, match=r"depthwise_conv2d: the input has 3 channels"):
        mod.depthwise_conv2d(x, np.zeros((3, 3, 2, 1), np.float32))
    with pytest.raises(ValueError, match=r"depthwise_conv2d_backward_input: `dy`.*\(1, 3, 3, 6\)"):
        mod.depthwise_conv2d_backward_input(np.zeros((1, 3, 3, 3), np.float32),
                                            np.zeros((3, 3, 3, 2), np.float32), x.shape)
    y = mod.depthwise_conv2d(np.zeros((0, 5, 5, 3), np.float32),
                             np.zeros((3, 3, 3, 2), np.float32), 1, "same")
    assert y.shape == (0, 5, 5, 6)
