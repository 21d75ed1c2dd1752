"""NumPy twins of the 2-D pooling kernels (NHWC): max and average, forward and backward.

Padding is explicit `((top, bottom), (left, right))` (the op turns Keras's "valid"/"same"
into numbers with TensorFlow's rule). Max pooling never picks a padded position; average
pooling divides by the number of real (non-padded) values in each window, as TensorFlow
does. The max forward also returns, per output value, the flat input index (within its
sample and channel plane: `h * W + w`) of the first maximum, which the backward routes
the gradient to.
"""
import numpy as np

from nnfast.kernels.registry import register

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def pool_output_size(size, k, s, before, after):
    return (size + before + after - k) // s + 1


def check_pool2d(x, pool, strides, pads, op="max_pool2d"):
    """Shapes and dtypes, checked before any kernel runs; returns (Ho, Wo)."""
    if not isinstance(x, np.ndarray) or x.ndim != 4:
        raise ValueError(f"{op} expects a 4-D NHWC input. Received: x.shape={np.shape(x)}")
    if x.dtype not in _FLOATS:
        raise TypeError(f"{op} expects float32 or float64 input. Received: x.dtype={x.dtype}")
    (kh, kw), (sh, sw) = pool, strides
    (pt, pb), (pl, pr) = pads
    if min(kh, kw, sh, sw) < 1 or min(pt, pb, pl, pr) < 0:
        raise ValueError(f"{op}: pool sizes and strides must be >= 1 and paddings >= 0. "
                         f"Received: pool={pool}, strides={strides}, pads={pads}")
    if max(pt, pb) >= kh or max(pl, pr) >= kw:
        raise ValueError(f"{op}: padding must be smaller than the window, so every window "
                         f"holds a real value. Received: pool={pool}, pads={pads}")
    ho = pool_output_size(x.shape[1], kh, sh, pt, pb)
    wo = pool_output_size(x.shape[2], kw, sw, pl, pr)
    if ho < 1 or wo < 1:
        raise ValueError(
            f"{op}: the window {pool} is larger than the (padded) input "
            f"{x.shape[1] + pt + pb}x{x.shape[2] + pl + pr}. Received: x.shape={x.shape}")
    return ho, wo


def _windows(x, pool, strides, pads, fill):
    (kh, kw), (sh, sw) = pool, strides
    (pt, pb), (pl, pr) = pads
    padded = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    win = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))
    return win[:, ::sh, ::sw]                      # (N, Ho, Wo, C, kh, kw)


def max_pool2d(x, pool, strides, pads):
    """(y, argmax): y (N, Ho, Wo, C); argmax int64 flat index h * W + w into the input."""
    ho, wo = check_pool2d(x, pool, strides, pads, "max_pool2d")
    win = _windows(x, pool, strides, pads, -np.inf)
    n, _, _, c, kh, kw = win.shape
    flat = win.reshape(n, ho, wo, c, kh * kw)
    pick = np.argmax(flat, axis=-1)                # first maximum, as TensorFlow
    y = np.take_along_axis(flat, pick[..., None], axis=-1)[..., 0]
    (sh, sw), ((pt, _), (pl, _)) = strides, pads
    row = np.arange(ho)[:, None, None] * sh - pt + pick // kw
    col = np.arange(wo)[None, :, None] * sw - pl + pick % kw
    return np.ascontiguousarray(y), (row * x.shape[2] + col).astype(np.int64)


def max_pool2d_backward(dy, argmax, input_shape):
    """Each output gradient goes to its window's (first) maximum."""
    n, h, w, c = input_shape
    if dy.shape != argmax.shape or dy.shape[0] != n or dy.shape[3] != c:
        raise ValueError(f"max_pool2d_backward: dy {dy.shape} and argmax {argmax.shape} do "
                         f"not match the input shape {tuple(input_shape)}")
    dx = np.zeros((n, h * w, c), dtype=dy.dtype)
    idx = argmax.reshape(n, -1, c)
    np.add.at(dx, (np.arange(n)[:, None, None], idx, np.arange(c)[None, None, :]),
              dy.reshape(n, -1, c))
    return dx.reshape(input_shape)


def _counts(h, w, pool, strides, pads, dtype):
    ones = np.ones((1, h, w, 1), dtype=dtype)
    return _windows(ones, pool, strides, pads, 0).sum(axis=(-1, -2))     # (1, Ho, Wo, 1)


def avg_pool2d(x, pool, strides, pads):
    check_pool2d(x, pool, strides, pads, "avg_pool2d")
    win = _windows(x, pool, strides, pads, 0)
    counts = _counts(x.shape[1], x.shape[2], pool, strides, pads, x.dtype)
    return np.ascontiguousarray((win.sum(axis=(-1, -2)) / counts).astype(x.dtype))


def avg_pool2d_backward(dy, input_shape, pool, strides, pads):
    n, h, w, c = input_shape
    (kh, kw), (sh, sw) = pool, strides
    (pt, pb), (pl, pr) = pads
    ho, wo = dy.shape[1], dy.shape[2]
    if dy.shape != (n, ho, wo, c) or ho != pool_output_size(h, kh, sh, pt, pb) \
            or wo != pool_output_size(w, kw, sw, pl, pr):
        raise ValueError(f"avg_pool2d_backward: dy {dy.shape} does not match the input "
                         f"shape {tuple(input_shape)} with pool={pool}, strides={strides}")
    share = dy / _counts(h, w, pool, strides, pads, dy.dtype)
    padded = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
    for i in range(kh):
        for j in range(kw):
            padded[:, i:i + sh * ho:sh, j:j + sw * wo:sw] += share
    return np.ascontiguousarray(padded[:, pt:pt + h, pl:pl + w])


register("max_pool2d", numpy=max_pool2d)
register("max_pool2d_backward", numpy=max_pool2d_backward)
register("avg_pool2d", numpy=avg_pool2d)
register("avg_pool2d_backward", numpy=avg_pool2d_backward)
