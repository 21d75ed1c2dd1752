"""Small shared pieces of the ops: axis normalisation, dtype promotion, shape checks.

Everything here works on plain ndarrays (never on Tensors: a ufunc on a Tensor records).
"""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap


def shape_of(x):
    """The shape of a Tensor, Variable, array or Python scalar."""
    return np.shape(unwrap(x))


def to_float(a):
    """`a` unchanged when it is a float array, else cast to floatx (Keras does the same
    for ops such as exp/log/sqrt/mean on integer input)."""
    if isinstance(a, np.ndarray):
        return a if a.dtype.kind in "fc" else a.astype(backend.floatx())
    return np.asarray(a, dtype=backend.floatx())


def normalize_axis(op, axis, ndim):
    """An int axis in [0, ndim), or a ValueError naming `op`."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: `axis` must be an int. Received: axis={axis!r}")
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(
            f"{op}: axis {axis} is out of bounds for a tensor of rank {ndim}. "
            f"Received: axis={axis}"
        )
    return int(axis) % max(ndim, 1)


def normalize_axes(op, axis, ndim):
    """`axis` (None, int, list or tuple) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        axes = tuple(normalize_axis(op, a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{op}: repeated axis. Received: axis={axis}")
        return tuple(sorted(axes))
    return (normalize_axis(op, axis, ndim),)


def expand_reduced(g, axes, ndim, keepdims):
    """A reduction's output gradient with the reduced axes restored as size 1."""
    g = np.asarray(g)
    if not keepdims:
        for ax in axes:
            g = np.expand_dims(g, ax)
    return g


def check_broadcast(op, a, b):
    """The broadcast shape of `a` and `b`, or a ValueError naming `op` and both shapes."""
    sa, sb = np.shape(a), np.shape(b)
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        raise ValueError(
            f"{op}: the shapes of the inputs cannot be broadcast together. "
            f"Received: x1.shape={sa}, x2.shape={sb}"
        ) from None


def float_result(out, *inputs):
    """Keep a float64 result only when an input was float64; integer-only inputs give
    floatx (NumPy's int -> float64 promotion is not Keras's)."""
    if out.dtype == np.float64 and not any(
        np.asarray(i).dtype == np.float64 for i in inputs if not isinstance(i, (int, float))
    ):
        return out.astype(backend.floatx())
    return out
