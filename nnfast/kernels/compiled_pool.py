"""Adapters for the compiled pooling kernels (src/pool.pyx): the twin's checks first,
contiguous inputs, outputs allocated here, threads only for work worth a team."""
import numpy as np

from nnfast._ext import pool as _pool

from nnfast.kernels.numpy_ref import pool as _ref
from nnfast.kernels.registry import register
from nnfast.kernels.threads import get_num_threads

PARALLEL_MIN_ELEMENTS = 32_768



def _threads(work):
    return get_num_threads() if work >= PARALLEL_MIN_ELEMENTS else 1


def _contig(x):
    return x if type(x) is np.ndarray and x.flags.c_contiguous else np.ascontiguousarray(x)


def max_pool2d(x, pool, strides, pads):
    ho, wo = _ref.check_pool2d(x, pool, strides, pads, "max_pool2d")
    x = _contig(x)
    n, _, _, c = x.shape
    if x.shape[1] * x.shape[2] >= 2**31:
        raise ValueError(f"max_pool2d: a {x.shape[1]}x{x.shape[2]} image is too large for the "
                         "compiled kernel's int32 argmax.")
    y = np.empty((n, ho, wo, c), dtype=x.dtype)
    argmax = np.empty((n, ho, wo, c), dtype=np.int32)
    if y.size:
        _pool.max_pool2d(x, y, argmax, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                         pads[1][0], _threads(x.size))
    return y, argmax


def max_pool2d_backward(dy, argmax, input_shape):
    n, h, w, c = input_shape
    if dy.shape != argmax.shape or dy.ndim != 4 or dy.shape[0] != n or dy.shape[3] != c:
        return _ref.max_pool2d_backward(dy, argmax, input_shape)    # raises the twin's error
    dx = np.zeros((n, h * w, c), dtype=dy.dtype)
    if dy.size:
        _pool.max_pool2d_backward(_contig(dy), _contig(argmax.astype(np.int32, copy=False)),
                                  dx, _threads(dy.size))
    return dx.reshape(input_shape)


def avg_pool2d(x, pool, strides, pads):
    ho, wo = _ref.check_pool2d(x, pool, strides, pads, "avg_pool2d")
    x = _contig(x)
    y = np.empty((x.shape[0], ho, wo, x.shape[3]), dtype=x.dtype)
    if y.size:
        _pool.avg_pool2d(x, y, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                         pads[1][0], _threads(x.size))
    return y


def avg_pool2d_backward(dy, input_shape, pool, strides, pads):
    n, h, w, c = input_shape
    (kh, kw), (sh, sw) = pool, strides
    (pt, pb), (pl, pr) = pads
    if dy.ndim != 4 or dy.shape != (n, _ref.pool_output_size(h, kh, sh, pt, pb),
                                    _ref.pool_output_size(w, kw, sw, pl, pr), c):
        return _ref.avg_pool2d_backward(dy, input_shape, pool, strides, pads)   # raises
    dx = np.zeros(input_shape, dtype=dy.dtype)
    if dy.size:
        _pool.avg_pool2d_backward(_contig(dy), dx, kh, kw, sh, sw, pt, pl, _threads(dx.size))
    return dx


register("max_pool2d", cython=max_pool2d)
register("max_pool2d_backward", cython=max_pool2d_backward)
register("avg_pool2d", cython=avg_pool2d)
register("avg_pool2d_backward", cython=avg_pool2d_backward)
