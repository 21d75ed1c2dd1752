"""Keras's core indexing ops: slice, slice_update, scatter, scatter_update, unstack.

Scattered indices follow TensorFlow's `scatter_nd` convention: `indices` has shape
(num_updates, k) and addresses the first k axes; `updates` has shape
(num_updates,) + shape[k:]. `scatter` sums duplicate indices, `scatter_update` replaces.
"""
import numpy as np

from nnfast.autograd.function import call_op, unwrap
from nnfast.ops._helpers import normalize_axis

__all__ = ["scatter", "scatter_update", "slice", "slice_update", "unstack"]


def _start_and_index(op, shape, start_indices, sizes):
    start = [int(s) for s in np.asarray(unwrap(start_indices)).reshape(-1)]
    sizes = [int(s) for s in sizes]
    if len(start) != len(shape) or len(sizes) != len(shape):
        raise ValueError(
            f"{op}: expected one start index and size per axis of a tensor of shape {shape}. "
            f"Received: start_indices={start}, sizes={sizes}"
        )
    sizes = [n - s if d == -1 else d for d, s, n in zip(sizes, start, shape)]
    if any(s < 0 or d < 0 or s + d > n for s, d, n in zip(start, sizes, shape)):
        raise ValueError(
            f"{op}: the slice starting at {start} of size {sizes} does not fit in a tensor "
            f"of shape {shape}."
        )
    return tuple(np.s_[s:s + d] for s, d in zip(start, sizes))


def _slice_forward(a, index):
    return a[index].copy(), (a.shape, index)


def _slice_backward(g, cache, needs):
    shape, index = cache
    out = np.zeros(shape, dtype=g.dtype)
    out[index] = g
    return (out,)


def slice(inputs, start_indices, shape):  # noqa: A001  (Keras's name)
    """The block of `inputs` of size `shape` starting at `start_indices` (-1: to the end)."""
    index = _start_and_index("slice", np.shape(unwrap(inputs)), start_indices, shape)
    return call_op(_slice_forward, _slice_backward, inputs, index=index)


def _slice_update_forward(a, u, index):
    out = np.array(a, copy=True, dtype=np.result_type(a, u))
    out[index] = u
    return out, index


def _slice_update_backward(g, index, needs):
    ga = None
    if needs[0]:
        ga = g.copy()
        ga[index] = 0
    return ga, (g[index].copy() if needs[1] else None)


def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with the block at `start_indices` replaced by `updates`."""
    index = _start_and_index("slice_update", np.shape(unwrap(inputs)), start_indices,
                             np.shape(unwrap(updates)))
    return call_op(_slice_update_forward, _slice_update_backward, inputs, updates, index=index)


def _nd_index(op, indices, shape, updates_shape):
    idx = np.asarray(unwrap(indices)).astype(np.int64)
    if idx.ndim == 1:
        idx = idx[:, None]
    k = idx.shape[-1]
    expected = idx.shape[:-1] + tuple(shape[k:])
    if k > len(shape) or tuple(updates_shape) != expected:
        raise ValueError(
            f"{op}: with indices of shape {idx.shape} into a tensor of shape {tuple(shape)}, "
            f"`updates` must have shape {expected}. Received: updates.shape={tuple(updates_shape)}"
        )
    if idx.size and (np.any(idx < 0) or np.any(idx >= np.asarray(shape[:k]))):
        raise ValueError(f"{op}: indices out of range for shape {tuple(shape)}.")
    return tuple(np.moveaxis(idx, -1, 0))


def _scatter_forward(v, index, shape):
    out = np.zeros(shape, dtype=v.dtype)
    np.add.at(out, index, v)
    return out, index


def _scatter_backward(g, index, needs):
    return (g[index],)


def scatter(indices, values, shape):
    """Zeros of `shape` with `values` added at `indices` (duplicates summed)."""
    shape = tuple(int(d) for d in shape)
    index = _nd_index("scatter", indices, shape, np.shape(unwrap(values)))
    return call_op(_scatter_forward, _scatter_backward, values, index=index, shape=shape)


def _scatter_update_forward(a, u, index):
    out = np.array(a, copy=True, dtype=np.result_type(a, u))
    out[index] = u
    return out, index


def _scatter_update_backward(g, index, needs):
    ga = None
    if needs[0]:
        ga = g.copy()
        ga[index] = 0
    return ga, (g[index] if needs[1] else None)


def scatter_update(inputs, indices, updates):
    """A copy of `inputs` with the entries (or slices) at `indices` set to `updates`."""
    index = _nd_index("scatter_update", indices, np.shape(unwrap(inputs)),
                      np.shape(unwrap(updates)))
    return call_op(_scatter_update_forward, _scatter_update_backward, inputs, updates, index=index)


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list."""
    from nnfast.ops.numpy_shape import split, squeeze

    shape = np.shape(unwrap(x))
    ax = normalize_axis("unstack", axis, len(shape))
    if num is not None and num != shape[ax]:
        raise ValueError(
            f"unstack: `num` must equal x.shape[{axis}]. Received: num={num}, x.shape={shape}"
        )
    return [squeeze(p, axis=ax) for p in split(x, shape[ax], axis=ax)]
