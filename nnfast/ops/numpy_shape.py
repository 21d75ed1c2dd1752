"""Ops that move, copy or select values without arithmetic: concatenate, stack, split,
expand_dims, squeeze, tile, repeat, broadcast_to, take, take_along_axis, moveaxis,
swapaxes, flip, roll, pad, tril/triu, sort.

`reshape` and `transpose` live in `core`.
"""
import numpy as np

from nnfast.autograd.function import call_op, unbroadcast, unwrap, wrap
from nnfast.ops._helpers import normalize_axis
from nnfast.ops.core import reshape


# --- joining and splitting ------------------------------------------------------------
def _concat_forward(*arrays, axis):
    sizes = [a.shape[axis] for a in arrays]
    return np.concatenate(arrays, axis=axis), (sizes, axis, [a.dtype for a in arrays])


def _concat_backward(g, cache, needs):
    sizes, axis, dtypes = cache
    parts = np.split(g, np.cumsum(sizes)[:-1], axis=axis)
    return tuple(p.astype(d, copy=False) if n else None for p, n, d in zip(parts, needs, dtypes))


def concatenate(xs, axis=0):
    """Join tensors along an existing axis; all other dimensions must match."""
    xs = list(xs)
    if not xs:
        raise ValueError("concatenate: expects a non-empty list of tensors. Received: xs=[]")
    shapes = [np.shape(unwrap(x)) for x in xs]
    ndim = len(shapes[0])
    if ndim == 0:
        raise ValueError("concatenate: zero-rank tensors cannot be concatenated. "
                         f"Received shapes: {shapes}")
    ax = normalize_axis("concatenate", axis, ndim)
    for s in shapes[1:]:
        if len(s) != ndim or s[:ax] + s[ax + 1:] != shapes[0][:ax] + shapes[0][ax + 1:]:
            raise ValueError(
                f"concatenate: all dimensions except axis {axis} must match. "
                f"Received shapes: {shapes}"
            )
    return call_op(_concat_forward, _concat_backward, *xs, axis=ax)


def _stack_forward(*arrays, axis):
    return np.stack(arrays, axis=axis), axis


def _stack_backward(g, axis, needs):
    return tuple(np.take(g, i, axis=axis) if n else None for i, n in enumerate(needs))


def stack(x, axis=0):
    """Join tensors of one shape along a new axis."""
    xs = list(x)
    if not xs:
        raise ValueError("stack: expects a non-empty list of tensors. Received: x=[]")
    shapes = [np.shape(unwrap(t)) for t in xs]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"stack: all tensors must have the same shape. Received shapes: {shapes}")
    ax = normalize_axis("stack", axis, len(shapes[0]) + 1)
    return call_op(_stack_forward, _stack_backward, *xs, axis=ax)


def hstack(xs):
    return concatenate(xs, axis=1 if np.ndim(unwrap(xs[0])) > 1 else 0)


def vstack(xs):
    return concatenate([x if np.ndim(unwrap(x)) > 1 else reshape(x, (1, -1)) for x in xs], axis=0)


def _split_forward(a, indices_or_sections, axis):
    parts = np.split(a, indices_or_sections, axis=axis)
    return tuple(parts), (a.shape, axis, [p.shape[axis] for p in parts])


def _split_backward(gs, cache, needs):
    shape, axis, _ = cache
    if not isinstance(gs, tuple):
        gs = (gs,)
    return (np.concatenate(gs, axis=axis),)


def split(x, indices_or_sections, axis=0):
    """Split into equal sections (an int) or at the given indices; a list of tensors."""
    a = unwrap(x)
    ax = normalize_axis("split", axis, np.ndim(a))
    if isinstance(indices_or_sections, (int, np.integer)) and np.shape(a)[ax] % indices_or_sections:
        raise ValueError(
            f"split: axis {axis} of size {np.shape(a)[ax]} cannot be split into "
            f"{indices_or_sections} equal sections. Received: x.shape={np.shape(a)}"
        )
    return list(call_op(_split_forward, _split_backward, x,
                        indices_or_sections=indices_or_sections, axis=ax))


# --- adding and removing axes ---------------------------------------------------------
def expand_dims(x, axis):
    """Insert size-1 axes at `axis` (an int or a tuple)."""
    shape = list(np.shape(unwrap(x)))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out_ndim = len(shape) + len(axes)
    for ax in sorted(normalize_axis("expand_dims", a, out_ndim) for a in axes):
        shape.insert(ax, 1)
    return reshape(x, tuple(shape))


def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or those in `axis`)."""
    shape = np.shape(unwrap(x))
    if axis is None:
        new = tuple(d for d in shape if d != 1)
    else:
        axes = axis if isinstance(axis, (tuple, list)) else (axis,)
        axes = {normalize_axis("squeeze", a, len(shape)) for a in axes}
        for a in axes:
            if shape[a] != 1:
                raise ValueError(
                    f"squeeze: cannot squeeze axis {a}, its size is {shape[a]} (expected 1). "
                    f"Received: x.shape={shape}"
                )
        new = tuple(d for i, d in enumerate(shape) if i not in axes)
    return reshape(x, new)


def ravel(x):
    return reshape(x, (-1,))


flatten = ravel


# --- copying --------------------------------------------------------------------------
def _broadcast_forward(a, shape):
    return np.broadcast_to(a, shape).copy(), np.shape(a)


def _broadcast_backward(g, in_shape, needs):
    return (unbroadcast(g, in_shape),)


def broadcast_to(x, shape):
    """`x` broadcast (and copied) to `shape`."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    in_shape = np.shape(unwrap(x))
    try:
        np.broadcast_shapes(in_shape, shape)
        if len(in_shape) > len(shape) or np.broadcast_shapes(in_shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"broadcast_to: cannot broadcast a tensor of shape {in_shape} to shape {shape}."
        ) from None
    return call_op(_broadcast_forward, _broadcast_backward, x, shape=shape)


def _tile_forward(a, repeats):
    return np.tile(a, repeats), (a.shape, tuple(repeats))


def _tile_backward(g, cache, needs):
    shape, reps = cache
    d = max(len(shape), len(reps))
    full_shape = (1,) * (d - len(shape)) + tuple(shape)
    reps = (1,) * (d - len(reps)) + reps
    inter = []
    for r, s in zip(reps, full_shape):
        inter += [r, s]
    g = g.reshape(inter).sum(axis=tuple(range(0, 2 * d, 2)))
    return (g.reshape(shape),)


def tile(x, repeats):
    """`x` repeated `repeats` times along each axis (NumPy's `tile`)."""
    repeats = (repeats,) if isinstance(repeats, (int, np.integer)) else tuple(int(r) for r in repeats)
    if any(r < 0 for r in repeats):
        raise ValueError(f"tile: `repeats` must be non-negative. Received: repeats={repeats}")
    return call_op(_tile_forward, _tile_backward, x, repeats=repeats)


def _repeat_forward(a, repeats, axis):
    src = a.ravel() if axis is None else a
    ax = 0 if axis is None else axis
    return np.repeat(src, repeats, axis=ax), (a.shape, repeats, ax, src.shape[ax])


def _repeat_backward(g, cache, needs):
    shape, repeats, ax, n = cache
    reps = np.broadcast_to(np.asarray(repeats), (n,))
    # Each input element receives the sum of its block of copies: differences of a
    # cumulative sum at the block boundaries (zero-length blocks give zero).
    ends = np.cumsum(reps)
    cs = np.cumsum(np.moveaxis(g, ax, 0), axis=0)
    cs = np.concatenate([np.zeros((1,) + cs.shape[1:], dtype=g.dtype), cs], axis=0)
    out = cs[ends] - cs[ends - reps]
    return (np.moveaxis(out, 0, ax).reshape(shape),)


def repeat(x, repeats, axis=None):
    """Each element repeated `repeats` times along `axis` (None: flattened first)."""
    a = unwrap(x)
    if axis is not None:
        axis = normalize_axis("repeat", axis, np.ndim(a))
    reps = unwrap(repeats)
    if np.any(np.asarray(reps) < 0):
        raise ValueError(f"repeat: `repeats` must be non-negative. Received: repeats={reps}")
    return call_op(_repeat_forward, _repeat_backward, x, repeats=reps, axis=axis)


# --- selecting ------------------------------------------------------------------------
def _take_forward(a, indices, axis):
    return np.take(a, indices, axis=axis), (a.shape, a.dtype, indices, axis)


def _take_backward(g, cache, needs):
    shape, dtype, indices, axis = cache
    if axis is None:
        flat = np.zeros(int(np.prod(shape)), dtype=g.dtype)
        np.add.at(flat, indices, g)
        return (flat.reshape(shape),)
    k = np.ndim(indices)
    gm = np.moveaxis(g, list(range(axis, axis + k)), list(range(k)))
    z = np.zeros((shape[axis],) + shape[:axis] + shape[axis + 1:], dtype=g.dtype)
    np.add.at(z, indices, gm)
    return (np.moveaxis(z, 0, axis),)


def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis` (None: of the flattened tensor)."""
    a = unwrap(x)
    idx = np.asarray(unwrap(indices))
    if idx.dtype.kind not in "iu":
        if idx.dtype.kind == "f" and np.all(idx == np.round(idx)):
            idx = idx.astype(np.int64)
        else:
            raise TypeError(f"take: `indices` must be integers. Received dtype={idx.dtype}")
    if axis is not None:
        axis = normalize_axis("take", axis, np.ndim(a))
    n = np.size(a) if axis is None else np.shape(a)[axis]
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise ValueError(
            f"take: indices out of range for an axis of size {n}. "
            f"Received: indices in [{idx.min()}, {idx.max()}], x.shape={np.shape(a)}, axis={axis}"
        )
    return call_op(_take_forward, _take_backward, x, indices=idx, axis=axis)


def _along_index(indices, axis, shape):
    """The full advanced index that `take_along_axis(…, axis)` reads."""
    grids = list(np.ogrid[tuple(slice(0, n) for n in indices.shape)])
    grids[axis] = indices
    return tuple(np.broadcast_arrays(*grids))


def _tala_forward(a, indices, axis):
    return np.take_along_axis(a, indices, axis=axis), (a.shape, indices, axis)


def _tala_backward(g, cache, needs):
    shape, indices, axis = cache
    z = np.zeros(shape, dtype=g.dtype)
    np.add.at(z, _along_index(indices, axis, shape), g)
    return (z,)


def take_along_axis(x, indices, axis=None):
    """Values of `x` at `indices` (shaped like `x` except along `axis`)."""
    if axis is None:
        return take(x, indices)
    a = unwrap(x)
    idx = np.asarray(unwrap(indices)).astype(np.int64, copy=False)
    axis = normalize_axis("take_along_axis", axis, np.ndim(a))
    if idx.ndim != np.ndim(a):
        raise ValueError(
            "take_along_axis: `indices` must have the same rank as `x`. "
            f"Received: x.shape={np.shape(a)}, indices.shape={idx.shape}"
        )
    return call_op(_tala_forward, _tala_backward, x, indices=idx, axis=axis)


# --- rearranging ------------------------------------------------------------------------
def _moveaxis_forward(a, source, destination):
    return np.moveaxis(a, source, destination), (source, destination)


def _moveaxis_backward(g, cache, needs):
    source, destination = cache
    return (np.moveaxis(g, destination, source),)


def moveaxis(x, source, destination):
    return call_op(_moveaxis_forward, _moveaxis_backward, x, source=source, destination=destination)


def swapaxes(x, axis1, axis2):
    ndim = np.ndim(unwrap(x))
    perm = list(range(ndim))
    a1, a2 = normalize_axis("swapaxes", axis1, ndim), normalize_axis("swapaxes", axis2, ndim)
    perm[a1], perm[a2] = perm[a2], perm[a1]
    from nnfast.ops.core import transpose

    return transpose(x, tuple(perm))


def _flip_forward(a, axis):
    return np.flip(a, axis), axis


def _flip_backward(g, axis, needs):
    return (np.flip(g, axis),)


def flip(x, axis=None):
    return call_op(_flip_forward, _flip_backward, x, axis=axis)


def _roll_forward(a, shift, axis):
    return np.roll(a, shift, axis=axis), (shift, axis)


def _roll_backward(g, cache, needs):
    shift, axis = cache
    neg = tuple(-s for s in shift) if isinstance(shift, tuple) else -shift
    return (np.roll(g, neg, axis=axis),)


def roll(x, shift, axis=None):
    shift = tuple(shift) if isinstance(shift, (list, tuple)) else int(shift)
    return call_op(_roll_forward, _roll_backward, x, shift=shift,
                   axis=tuple(axis) if isinstance(axis, list) else axis)


def _pad_forward(a, pad_width, mode, constant_values):
    out = np.pad(a, pad_width, mode=mode, constant_values=constant_values)
    return out, pad_width


def _pad_backward(g, pad_width, needs):
    index = tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(pad_width))
    return (g[index],)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Constant padding (the differentiable mode)."""
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported. Received: mode={mode!r}")
    ndim = np.ndim(unwrap(x))
    width = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    if np.any(width < 0):
        raise ValueError(f"pad: `pad_width` must be non-negative. Received: pad_width={pad_width}")
    width = tuple((int(lo), int(hi)) for lo, hi in width)
    return call_op(_pad_forward, _pad_backward, x, pad_width=width, mode=mode,
                   constant_values=0 if constant_values is None else constant_values)


def _tri_forward(a, k, upper):
    mask = np.triu(np.ones(a.shape[-2:], dtype=bool), k) if upper else np.tril(
        np.ones(a.shape[-2:], dtype=bool), k)
    return np.where(mask, a, 0).astype(a.dtype, copy=False), mask


def _tri_backward(g, mask, needs):
    return (np.where(mask, g, 0),)


def tril(x, k=0):
    """Lower triangle of the last two axes (the rest zeroed)."""
    return call_op(_tri_forward, _tri_backward, x, k=int(k), upper=False)


def triu(x, k=0):
    """Upper triangle of the last two axes (the rest zeroed)."""
    return call_op(_tri_forward, _tri_backward, x, k=int(k), upper=True)


def argsort(x, axis=-1):
    return wrap(np.argsort(unwrap(x), axis=axis, kind="stable").astype("int32"))


def sort(x, axis=-1):
    """Sorted along `axis`; gradients flow back to the original positions."""
    a = unwrap(x)
    axis = normalize_axis("sort", axis, np.ndim(a))
    order = np.argsort(a, axis=axis, kind="stable")
    return take_along_axis(x, order, axis=axis)
