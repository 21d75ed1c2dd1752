"""Convolution ops: outputs against loop formulas written here, VJPs against finite
differences (float64), the fused op's single tape entry and skipped input gradient, and
the shape errors."""
import numpy as np
import pytest

import nnfast
from gradcheck import check_vjp
from nnfast import ops
from nnfast.autograd import GradientTape, Variable


def same_pads(n, k, s, d):
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def conv_formula(x, w, strides, padding, dilation, depthwise=False):
    """Channels-last 2-D convolution, one output pixel at a time (float64)."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    (sh, sw), (dh, dw) = strides, dilation
    if padding == "same":
        (pt, pb), (pl, pr) = same_pads(h, kh, sh, dh), same_pads(wd, kw, sw, dw)
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    ho = (h + pt + pb - (kh - 1) * dh - 1) // sh + 1
    wo = (wd + pl + pr - (kw - 1) * dw - 1) // sw + 1
    out = []
    for oh in range(ho):
        row = []
        for ow in range(wo):
            patch = xp[:, oh * sh:oh * sh + (kh - 1) * dh + 1:dh,
                       ow * sw:ow * sw + (kw - 1) * dw + 1:dw]           # (n, kh, kw, c)
            if depthwise:
                row.append(np.einsum("nijc,ijcm->ncm", patch, w).reshape(n, -1))
            else:
                row.append(np.einsum("nijc,ijck->nk", patch, w))
        out.append(np.stack(row, 1))
    return np.stack(out, 1)


def _nudge(z):
    """Pre-activations away from relu's kink."""
    return z + 0.3 * np.sign(z) * (np.abs(z) < 0.05)


CASES_2D = [((2, 7, 6, 3), (3, 2, 3, 4), (1, 1), "valid", (1, 1)),
            ((1, 6, 7, 2), (3, 3, 2, 3), (2, 2), "same", (1, 1)),
            ((2, 8, 5, 2), (2, 3, 2, 2), (1, 1), "same", (2, 1)),
            ((1, 9, 9, 1), (5, 5, 1, 3), (3, 2), "valid", (1, 1))]


@pytest.mark.parametrize("xs,ws,strides,padding,dilation", CASES_2D)
def test_conv_2d_matches_formula(kernel_backend, float64, rng, xs, ws, strides, padding,
                                 dilation):
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    y = ops.conv(x, w, strides, padding, dilation_rate=dilation)
    np.testing.assert_allclose(y, conv_formula(x, w, strides, padding, dilation), rtol=1e-10)
    # channels_first: the same numbers, transposed around the op.
    y_cf = ops.conv(x.transpose(0, 3, 1, 2), w, list(strides), padding.upper(),
                    "channels_first", dilation)
    np.testing.assert_allclose(y_cf, np.transpose(y, (0, 3, 1, 2)), rtol=1e-12)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_1d_is_2d_with_height_one(kernel_backend, float64, rng, padding):
    x, w = rng.normal(size=(2, 9, 3)), rng.normal(size=(3, 3, 4))
    y = ops.conv(x, w, 2, padding, dilation_rate=1)
    want = conv_formula(x[:, None], w[None], (1, 2), padding, (1, 1))[:, 0]
    np.testing.assert_allclose(y, want, rtol=1e-10)
    y = ops.conv(x, w, 1, padding, dilation_rate=2)
    np.testing.assert_allclose(y, conv_formula(x[:, None], w[None], (1, 1), padding,
                                               (1, 2))[:, 0], rtol=1e-10)


@pytest.mark.parametrize("xs,ws,strides,padding,dilation", CASES_2D[:3])
def test_conv_vjp(kernel_backend, float64, rng, xs, ws, strides, padding, dilation):
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    check_vjp(lambda a, b: ops.conv(a, b, strides, padding, None, dilation), [x, w])
    check_vjp(lambda a, b: ops.conv(a, b, strides, padding, "channels_first", dilation),
              [x.transpose(0, 3, 1, 2).copy(), w])


@pytest.mark.parametrize("kind,alpha", [("linear", 0.0), ("relu", 0.0), ("tanh", 0.0),
                                        ("gelu", 0.0), ("leaky_relu", 0.2), ("softmax", 0.0)])
@pytest.mark.parametrize("rank", [1, 2])
def test_conv_bias_activation_forward_and_vjp(kernel_backend, float64, rng, kind, alpha, rank):
    xs, ws = ((2, 6, 5, 2), (3, 2, 2, 3)) if rank == 2 else ((2, 7, 2), (3, 2, 3))
    x, w, b = rng.normal(size=xs), rng.normal(size=ws) * 0.5, rng.normal(size=3)
    z = ops.conv(x, w, 1, "same").numpy()
    b = b + (_nudge(z + b) - (z + b)).mean(axis=tuple(range(z.ndim - 1)))
    y = ops.conv_bias_activation(x, w, b, padding="same", activation=kind, alpha=alpha)
    np.testing.assert_allclose(y, ops.activation(z + b, kind, alpha), rtol=1e-10, atol=1e-12)
    check_vjp(lambda *a: ops.conv_bias_activation(*a, padding="same", activation=kind,
                                                  alpha=alpha), [x, w, b])


def test_conv_bias_activation_causal_and_channels_first(kernel_backend, float64, rng):
    x, w, b = rng.normal(size=(2, 6, 3)), rng.normal(size=(3, 3, 2)), rng.normal(size=2)
    y = ops.conv_bias_activation(x, w, b, padding="causal", dilation_rate=2)
    xp = np.pad(x, ((0, 0), (4, 0), (0, 0)))        # (k - 1) * d zeros before
    np.testing.assert_allclose(y, ops.conv(xp, w, dilation_rate=2) + b, rtol=1e-12)
    check_vjp(lambda *a: ops.conv_bias_activation(*a, padding="causal", dilation_rate=2,
                                                  activation="tanh"), [x, w, b])
    xc = rng.normal(size=(2, 3, 5, 4))
    wc = rng.normal(size=(2, 2, 3, 2))
    y = ops.conv_bias_activation(xc, wc, b, padding="same", data_format="channels_first")
    want = ops.conv(xc, wc, 1, "same", "channels_first") + b[:, None, None]
    np.testing.assert_allclose(y, want, rtol=1e-12)
    check_vjp(lambda *a: ops.conv_bias_activation(*a, strides=2, data_format="channels_first",
                                                  activation="sigmoid"), [xc, wc, b])


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_strides_with_dilation_is_keras_decomposition(kernel_backend, float64, rng, padding):
    # Keras's ops (its layers refuse the pair) run strides > 1 with dilation > 1 as the
    # stride-1 dilated convolution of the TF-"same"-padded input, subsampled.
    x, w = rng.normal(size=(2, 11, 10, 3)), rng.normal(size=(3, 2, 3, 4))
    y = ops.conv(x, w, (2, 3), padding, dilation_rate=(2, 2))
    if padding == "same":
        x = np.pad(x, ((0, 0), same_pads(11, 3, 2, 2), same_pads(10, 2, 3, 2), (0, 0)))
    want = conv_formula(x, w, (1, 1), "valid", (2, 2))[:, ::2, ::3]
    np.testing.assert_allclose(y, want, rtol=1e-10)
    check_vjp(lambda a, b: ops.conv(a, b, (2, 3), padding, dilation_rate=2), [x[:1, :7, :6], w])


def _transpose_formula(x, w, strides, pads, out_hw):
    """Each input pixel scatters x @ w[i, j].T into the output (the definition)."""
    n, h, wd, _ = x.shape
    kh, kw, cout, _ = w.shape
    y = np.zeros((n,) + out_hw + (cout,))
    for ih in range(h):
        for iw in range(wd):
            for i in range(kh):
                for j in range(kw):
                    oh, ow = ih * strides[0] - pads[0] + i, iw * strides[1] - pads[1] + j
                    if 0 <= oh < out_hw[0] and 0 <= ow < out_hw[1]:
                        y[:, oh, ow] += x[:, ih, iw] @ w[i, j].T
    return y


@pytest.mark.parametrize("ks,strides,padding,output_padding,out_hw,pads", [
    ((3, 3), (2, 2), "valid", None, (9, 7), (0, 0)),
    ((3, 2), (2, 1), "same", None, (8, 3), (0, 0)),
    ((5, 3), (1, 1), "same", None, (4, 3), (2, 1)),
    ((2, 2), (3, 3), "valid", None, (12, 9), (0, 0)),       # k < s: zero rows at the end
    ((3, 3), (2, 2), "same", (1, 1), (8, 6), (0, 0)),
    ((3, 3), (2, 2), "valid", (1, 0), (10, 7), (0, 0)),
])
def test_conv_transpose_matches_formula_and_vjp(kernel_backend, float64, rng, ks, strides,
                                                padding, output_padding, out_hw, pads):
    x, w = rng.normal(size=(2, 4, 3, 3)), rng.normal(size=ks + (2, 3))
    y = ops.conv_transpose(x, w, strides, padding, output_padding)
    assert y.shape == (2,) + out_hw + (2,)
    np.testing.assert_allclose(y, _transpose_formula(x, w, strides, pads, out_hw), rtol=1e-10)
    check_vjp(lambda a, b: ops.conv_transpose(a, b, strides, padding, output_padding), [x, w])


def test_conv_transpose_is_the_adjoint_of_conv(kernel_backend, float64, rng):
    # <conv_transpose(x, w), z> == <x, conv(z, w)> with the kernel (kh, kw, out, in).
    x, w = rng.normal(size=(2, 5, 4, 3)), rng.normal(size=(3, 3, 2, 3))
    for padding in ("valid", "same"):
        y = ops.conv_transpose(x, w, 2, padding)
        z = rng.normal(size=y.shape)
        assert np.sum(y * z) == pytest.approx(np.sum(x * ops.conv(z, w, 2, padding)), rel=1e-10)
    x1 = rng.normal(size=(2, 5, 3))                            # 1-D, channels_first
    y1 = ops.conv_transpose(x1.transpose(0, 2, 1), w[0], 2, "same", data_format="channels_first")
    np.testing.assert_allclose(y1, np.transpose(ops.conv_transpose(x1, w[0], 2, "same"),
                                                (0, 2, 1)), rtol=1e-12)


@pytest.mark.parametrize("strides,padding,dilation", [((1, 1), "valid", (1, 1)),
                                                      ((2, 1), "same", (1, 1)),
                                                      ((1, 1), "same", (2, 2))])
def test_depthwise_and_separable_conv(kernel_backend, float64, rng, strides, padding, dilation):
    x, dk = rng.normal(size=(2, 6, 5, 3)), rng.normal(size=(3, 2, 3, 2))
    pk = rng.normal(size=(1, 1, 6, 4))
    y = ops.depthwise_conv(x, dk, strides, padding, dilation_rate=dilation)
    want = conv_formula(x, dk, strides, padding, dilation, depthwise=True)
    np.testing.assert_allclose(y, want, rtol=1e-10)
    s = ops.separable_conv(x, dk, pk, strides, padding, dilation_rate=dilation)
    np.testing.assert_allclose(s, want @ pk[0, 0], rtol=1e-10)
    check_vjp(lambda a, b: ops.depthwise_conv(a, b, strides, padding, None, dilation), [x, dk])
    check_vjp(lambda a, b, c: ops.separable_conv(a, b, c, strides, padding, None, dilation),
              [x, dk, pk])
    x1 = rng.normal(size=(2, 7, 3))                            # 1-D
    y1 = ops.depthwise_conv(x1, dk[0], strides[1], padding)
    np.testing.assert_allclose(y1, conv_formula(x1[:, None], dk[:1], (1, strides[1]), padding,
                                                (1, 1), depthwise=True)[:, 0], rtol=1e-10)


def test_fused_op_is_one_tape_entry_and_skips_the_input_gradient(rng):
    nnfast.kernels.set_backend("numpy")
    calls = []
    originals = {}
    for name in ("conv2d", "conv2d_backward_input", "conv2d_backward_kernel"):
        with nnfast.kernels.using("numpy"):
            originals[name] = fn = nnfast.kernels.get(name)
        def counting(*args, _name=name, _fn=fn, **kwargs):
            calls.append(_name)
            return _fn(*args, **kwargs)

        nnfast.kernels.register(name, numpy=counting)
    try:
        x = rng.normal(size=(2, 6, 6, 1)).astype("float32")
        w = Variable(rng.normal(size=(3, 3, 1, 4)).astype("float32"))
        b = Variable(np.zeros(4, "float32"))
        with GradientTape() as tape:
            y = ops.conv_bias_activation(x, w, b, activation="relu")
            assert len(tape._nodes) == 1
        gw, gb = tape.gradient(y, [w, b])
        assert calls == ["conv2d", "conv2d_backward_kernel"]          # no input gradient
        assert gw.shape == (3, 3, 1, 4) and gw.dtype == np.float32
        np.testing.assert_allclose(gb, (y.numpy() > 0).sum((0, 1, 2)), rtol=1e-6)
        calls.clear()
        xt = ops.convert_to_tensor(x)
        with GradientTape() as tape:
            tape.watch(xt)
            y = ops.conv_bias_activation(xt, w, b, activation="relu")
        tape.gradient(y, [xt, w])
        assert sorted(calls) == ["conv2d", "conv2d_backward_input", "conv2d_backward_kernel"]
    finally:
        for name, fn in originals.items():
            nnfast.kernels.register(name, numpy=fn)


def test_dtypes(kernel_backend, rng):
    x = rng.integers(0, 255, size=(1, 5, 5, 2)).astype("uint8")      # images as ints
    w = rng.normal(size=(3, 3, 2, 2)).astype("float32")
    y = ops.conv(x, w)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, conv_formula(x, w, (1, 1), "valid", (1, 1)), rtol=1e-5)
    assert ops.conv(x.astype("float64"), w.astype("float64")).dtype == np.float64


def test_shape_errors_name_the_op_and_shapes():
    x = np.ones((2, 5, 5, 3), "float32")
    with pytest.raises(ValueError, match=r"conv: The number of input channels must match.*"
                                         r"input channels=3, kernel input channels=4"):
        ops.conv(x, np.ones((3, 3, 4, 2), "float32"))
    with pytest.raises(ValueError,
                       match=r"conv: the kernel must have rank 4.*kernel.shape=\(3, 3, 2\)"):
        ops.conv(x, np.ones((3, 3, 2), "float32"))
    with pytest.raises(ValueError, match=r"conv expects inputs of rank 3 \(1-D\) or 4"):
        ops.conv(np.ones((5, 3)), np.ones((3, 3, 2)))
    with pytest.raises(ValueError, match="3-D convolution"):
        ops.conv(np.ones((1, 4, 4, 4, 2)), np.ones((2, 2, 2, 2, 2)))
    with pytest.raises(ValueError, match="Computed output size would be zero or negative"):
        ops.conv(x, np.ones((6, 6, 3, 2), "float32"))
    with pytest.raises(ValueError, match=r"`strides` argument must be a tuple of 2 integers"):
        ops.conv(x, np.ones((3, 3, 3, 2), "float32"), strides=(1, 2, 3))
    with pytest.raises(ValueError, match="padding"):
        ops.conv(x, np.ones((3, 3, 3, 2), "float32"), padding="causal")
    with pytest.raises(ValueError, match="data_format"):
        ops.conv(x, np.ones((3, 3, 3, 2), "float32"), data_format="NHWC")
    with pytest.raises(ValueError, match=r"conv_bias_activation: `bias` must have shape \(2,\)"):
        ops.conv_bias_activation(x, np.ones((3, 3, 3, 2), "float32"), np.ones(3, "float32"))
    with pytest.raises(ValueError, match=r"conv_transpose: The number of input channels.*=3.*=2"):
        ops.conv_transpose(x, np.ones((3, 3, 3, 2), "float32"), 2)
    with pytest.raises(ValueError, match="conv_transpose: no convolution maps"):
        ops.conv_transpose(x, np.ones((3, 3, 2, 3), "float32"), 2, "valid", output_padding=2)
    with pytest.raises(ValueError, match=r"separable_conv: `pointwise_kernel` must have shape"):
        ops.separable_conv(x, np.ones((3, 3, 3, 2)), np.ones((1, 1, 3, 4)))
