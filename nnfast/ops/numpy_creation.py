"""Tensor creation and inspection: zeros, ones, full, *_like, eye, identity, tri, arange,
linspace, array, copy, shape, ndim, size.

Default dtypes follow Keras: floatx for float-valued constructors, int32 for `arange` of
integers.
"""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import call_op, unwrap, wrap


def _dtype(dtype):
    return backend.standardize_dtype(dtype)


def _shape(op, shape):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: `shape` must be a tuple of ints. Received: shape={shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{op}: negative dimensions are not allowed. Received: shape={shape}")
    return shape


def zeros(shape, dtype=None):
    return wrap(np.zeros(_shape("zeros", shape), dtype=_dtype(dtype)))


def ones(shape, dtype=None):
    return wrap(np.ones(_shape("ones", shape), dtype=_dtype(dtype)))


def empty(shape, dtype=None):
    return wrap(np.empty(_shape("empty", shape), dtype=_dtype(dtype)))


def full(shape, fill_value, dtype=None):
    return wrap(np.full(_shape("full", shape), unwrap(fill_value), dtype=_dtype(dtype)))


def _like_dtype(x, dtype):
    return np.asarray(unwrap(x)).dtype if dtype is None else _dtype(dtype)


def zeros_like(x, dtype=None):
    return wrap(np.zeros(np.shape(unwrap(x)), dtype=_like_dtype(x, dtype)))


def ones_like(x, dtype=None):
    return wrap(np.ones(np.shape(unwrap(x)), dtype=_like_dtype(x, dtype)))


def full_like(x, fill_value, dtype=None):
    return wrap(np.full(np.shape(unwrap(x)), unwrap(fill_value), dtype=_like_dtype(x, dtype)))


def empty_like(x, dtype=None):
    return wrap(np.empty(np.shape(unwrap(x)), dtype=_like_dtype(x, dtype)))


def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the k-th diagonal."""
    return wrap(np.eye(int(N), None if M is None else int(M), k=int(k), dtype=_dtype(dtype)))


def identity(n, dtype=None):
    """The n x n identity matrix (Keras's `ops.numpy.identity`; `nnfast.ops.identity` is
    the tensor pass-through op)."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    return wrap(np.tri(int(N), None if M is None else int(M), k=int(k), dtype=_dtype(dtype)))


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop); int32 for ints, floatx otherwise."""
    if step == 0:
        raise ValueError("arange: `step` must not be zero. Received: step=0")
    values = [v for v in (start, stop, step) if v is not None]
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values)
        dtype = "int32" if is_int else backend.floatx()
    if stop is None:
        start, stop = 0, start
    return wrap(np.arange(start, stop, step, dtype=_dtype(dtype)))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    out = np.linspace(unwrap(start), unwrap(stop), int(num), endpoint=endpoint, retstep=retstep,
                      dtype=_dtype(dtype), axis=axis)
    if retstep:
        return wrap(out[0]), out[1]
    return wrap(out)


def array(x, dtype=None):
    """A new tensor holding the values of `x` (a copy; floats default to floatx)."""
    a = unwrap(x)
    if dtype is None and not isinstance(a, np.ndarray):
        a = np.asarray(a)
        if a.dtype == np.float64:
            a = a.astype(backend.floatx())
    return wrap(np.array(a, dtype=None if dtype is None else _dtype(dtype), copy=True))


def _copy_forward(a):
    return a.copy(), None


def _copy_backward(g, cache, needs):
    return (g,)


def copy(x):
    """A differentiable copy of `x`."""
    return call_op(_copy_forward, _copy_backward, x)


def shape(x):
    """The static shape of `x` as a tuple of ints."""
    return tuple(np.shape(unwrap(x)))


def ndim(x):
    return int(np.ndim(unwrap(x)))


def size(x):
    return int(np.size(unwrap(x)))
