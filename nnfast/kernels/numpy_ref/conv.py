"""NumPy twins of the 2-D convolution kernels (NHWC, kernel (kh, kw, cin, cout) as Keras):
`conv2d`, `conv2d_backward_input`, `conv2d_backward_kernel`, and the geometry helpers the
ops and the compiled adapters share.

Padding is "valid", "same" (TensorFlow's rule: pad_total = max((ceil(H/s) - 1) * s +
(k - 1) * d + 1 - H, 0), the smaller half before) or explicit ((top, bottom), (left,
right)). Every twin loops over the kh*kw taps and does one matmul per tap: plain,
obviously correct, and fast enough to be the fallback.
"""
import numpy as np

from nnfast.kernels.registry import register

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


# --- geometry ---------------------------------------------------------------------------
def same_padding(size, k, s, d):
    """TensorFlow's "same" padding of one spatial axis: (before, after)."""
    dk = (k - 1) * d + 1
    total = max((-(-size // s) - 1) * s + dk - size, 0)
    return total // 2, total - total // 2


def _pair(value, name, op):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value), int(value))
    try:
        a, b = value
        return (int(a), int(b))
    except (TypeError, ValueError):
        raise ValueError(f"{op}: `{name}` must be an int or a pair of ints. Received: "
                         f"{name}={value!r}") from None


def resolve_padding(hw, kernel_hw, strides, padding, dilation, op="conv2d"):
    """Explicit ((top, bottom), (left, right)) pads for "valid", "same" or explicit pads."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return ((0, 0), (0, 0))
        if mode == "same":
            return tuple(same_padding(n, k, s, d)
                         for n, k, s, d in zip(hw, kernel_hw, strides, dilation))
        raise ValueError(f"{op}: `padding` must be 'valid', 'same' or explicit pads. "
                         f"Received: padding={padding!r}")
    try:
        pads = tuple((int(a), int(b)) for a, b in padding)
    except (TypeError, ValueError):
        pads = ()
    if len(pads) != 2 or min(min(p) for p in pads) < 0:
        raise ValueError(f"{op}: explicit padding must be ((top, bottom), (left, right)) "
                         f"of non-negative ints. Received: padding={padding!r}")
    return pads


def output_size(size, k, s, d, before, after):
    """Output length of one axis (may be <= 0 when the window does not fit)."""
    return (size + before + after - (k - 1) * d - 1) // s + 1


def check_float(x, op, arg):
    if not isinstance(x, np.ndarray) or x.dtype not in _FLOATS:
        raise TypeError(f"{op} expects a float32 or float64 array for `{arg}`. Received: "
                        f"{arg} of type {type(x).__name__}, dtype {getattr(x, 'dtype', None)}")


def conv_geometry(x_shape, kernel_shape, strides, padding, dilation, op="conv2d"):
    """Validate an NHWC input shape against a (kh, kw, cin, cout) kernel shape; return
    (strides, dilation, pads, (Ho, Wo)). Raises ValueError naming `op` and the shapes."""
    strides = _pair(strides, "strides", op)
    dilation = _pair(dilation, "dilation_rate", op)
    if len(x_shape) != 4 or len(kernel_shape) != 4:
        raise ValueError(f"{op} expects a 4-D input (N, H, W, C) and a 4-D kernel (kh, kw, "
                         f"C, filters). Received: x.shape={tuple(x_shape)}, "
                         f"kernel.shape={tuple(kernel_shape)}")
    if x_shape[3] != kernel_shape[2]:
        raise ValueError(f"{op}: the input has {x_shape[3]} channels but the kernel expects "
                         f"{kernel_shape[2]}. Received: x.shape={tuple(x_shape)}, "
                         f"kernel.shape={tuple(kernel_shape)}")
    if min(kernel_shape[:2]) < 1 or min(strides) < 1 or min(dilation) < 1:
        raise ValueError(f"{op}: kernel sizes, strides and dilation must be >= 1. Received: "
                         f"kernel.shape={tuple(kernel_shape)}, strides={strides}, "
                         f"dilation_rate={dilation}")
    pads = resolve_padding(x_shape[1:3], kernel_shape[:2], strides, padding, dilation, op)
    out_hw = tuple(output_size(x_shape[1 + a], kernel_shape[a], strides[a], dilation[a],
                               *pads[a]) for a in range(2))
    if min(out_hw) < 1:
        raise ValueError(f"{op}: the output would be empty: the kernel (dilated) does not fit "
                         f"in the padded input. Received: x.shape={tuple(x_shape)}, "
                         f"kernel.shape={tuple(kernel_shape)}, strides={strides}, "
                         f"padding={padding!r}, dilation_rate={dilation}")
    return strides, dilation, pads, out_hw


def check_conv2d(x, kernel, strides, padding, dilation, op="conv2d"):
    check_float(x, op, "x")
    check_float(kernel, op, "kernel")
    if x.dtype != kernel.dtype:
        raise TypeError(f"{op} expects `x` and `kernel` of one dtype. Received: "
                        f"x.dtype={x.dtype}, kernel.dtype={kernel.dtype}")
    return conv_geometry(x.shape, kernel.shape, strides, padding, dilation, op)


def check_grad_shape(dy, expected, op):
    check_float(dy, op, "dy")
    if dy.shape != tuple(expected):
        raise ValueError(f"{op}: `dy` must have the output's shape {tuple(expected)}. "
                         f"Received: dy.shape={dy.shape}")


def check_backward_input(dy, kernel, input_shape, strides, padding, dilation):
    op = "conv2d_backward_input"
    check_float(kernel, op, "kernel")
    input_shape = tuple(int(n) for n in input_shape)
    geo = conv_geometry(input_shape, kernel.shape, strides, padding, dilation, op)
    check_grad_shape(dy, input_shape[:1] + geo[3] + kernel.shape[3:], op)
    if dy.dtype != kernel.dtype:
        raise TypeError(f"{op} expects `dy` and `kernel` of one dtype. Received: "
                        f"dy.dtype={dy.dtype}, kernel.dtype={kernel.dtype}")
    return input_shape, geo


def check_backward_kernel(x, dy, kernel_shape, strides, padding, dilation):
    op = "conv2d_backward_kernel"
    check_float(x, op, "x")
    kernel_shape = tuple(int(n) for n in kernel_shape)
    geo = conv_geometry(x.shape, kernel_shape, strides, padding, dilation, op)
    check_grad_shape(dy, x.shape[:1] + geo[3] + kernel_shape[3:], op)
    if dy.dtype != x.dtype:
        raise TypeError(f"{op} expects `x` and `dy` of one dtype. Received: "
                        f"x.dtype={x.dtype}, dy.dtype={dy.dtype}")
    return kernel_shape, geo


# --- the twins ----------------------------------------------------------------------------
def _tap(a, i, j, strides, dilation, out_hw):
    """The (N, Ho, Wo, C) view of padded `a` that tap (i, j) of the kernel reads."""
    (sh, sw), (dh, dw), (ho, wo) = strides, dilation, out_hw
    return a[:, i * dh:i * dh + (ho - 1) * sh + 1:sh, j * dw:j * dw + (wo - 1) * sw + 1:sw, :]


def _pad(x, pads):
    """`x` zero-padded by ((top, bottom), (left, right)) on its spatial axes."""
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))


def conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """y[n, oh, ow, :] = sum over (i, j, c) of xpad[n, oh*sh + i*dh, ow*sw + j*dw, c] *
    kernel[i, j, c, :].

    Args:
        x: (N, H, W, C) float32/float64.
        kernel: (kh, kw, C, K), same dtype.
        strides, dilation: int or (h, w) pair.
        padding: "valid", "same" or ((top, bottom), (left, right)).

    Returns: (N, Ho, Wo, K).
    """
    strides, dilation, pads, out_hw = check_conv2d(x, kernel, strides, padding, dilation)
    kh, kw = kernel.shape[:2]
    xp = _pad(x, pads)
    y = np.zeros((x.shape[0],) + out_hw + (kernel.shape[3],), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            y += _tap(xp, i, j, strides, dilation, out_hw) @ kernel[i, j]
    return y


def conv2d_backward_input(dy, kernel, input_shape, strides=(1, 1), padding="valid",
                          dilation=(1, 1)):
    """dx of `conv2d` for an input of `input_shape`, from the output gradient `dy`
    (also the forward of a transposed convolution)."""
    input_shape, (strides, dilation, pads, out_hw) = check_backward_input(
        dy, kernel, input_shape, strides, padding, dilation)
    kh, kw = kernel.shape[:2]
    n, h, w, c = input_shape
    dxp = np.zeros((n, h + sum(pads[0]), w + sum(pads[1]), c), dtype=dy.dtype)
    for i in range(kh):
        for j in range(kw):
            _tap(dxp, i, j, strides, dilation, out_hw)[...] += dy @ kernel[i, j].T
    top, left = pads[0][0], pads[1][0]
    return np.ascontiguousarray(dxp[:, top:top + h, left:left + w])


def conv2d_backward_kernel(x, dy, kernel_shape, strides=(1, 1), padding="valid",
                           dilation=(1, 1)):
    """dkernel of `conv2d` (shape `kernel_shape`) from its input `x` and output gradient."""
    kernel_shape, (strides, dilation, pads, out_hw) = check_backward_kernel(
        x, dy, kernel_shape, strides, padding, dilation)
    kh, kw, c, k = kernel_shape
    xp = _pad(x, pads)
    dk = np.empty(kernel_shape, dtype=x.dtype)
    rows = dy.reshape(-1, k)
    for i in range(kh):
        for j in range(kw):
            dk[i, j] = _tap(xp, i, j, strides, dilation, out_hw).reshape(-1, c).T @ rows
    return dk


for _name, _fn in (("conv2d", conv2d), ("conv2d_backward_input", conv2d_backward_input),
                   ("conv2d_backward_kernel", conv2d_backward_kernel)):
    register(_name, numpy=_fn)
