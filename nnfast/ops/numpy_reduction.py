"""Reductions and scans: sum, mean, max, min, prod, var, std, cumsum, cumprod, argmax,
argmin, all, any, count_nonzero.

Every reduction takes `axis` (None, int or tuple) and `keepdims`, as Keras's do.
"""
import builtins

import numpy as np

from nnfast.autograd.function import call_op, unwrap, wrap
from nnfast.ops._helpers import expand_reduced, normalize_axes, normalize_axis, to_float


def _reduction(name, forward_fn, grad_fn, float_first=False):
    """`forward_fn(a, axes, keepdims) -> out`; `grad_fn(g_full, a, out_full, axes) -> dx`
    where `g_full`/`out_full` carry the reduced axes as size 1."""
    def forward(a, axis, keepdims):
        a = np.asarray(a)
        if float_first:
            a = to_float(a)
        axes = normalize_axes(name, axis, a.ndim)
        out = forward_fn(a, axes, keepdims)
        return out, (a, axes, keepdims, out)

    def backward(g, cache, needs):
        a, axes, keepdims, out = cache
        g_full = expand_reduced(g, axes, a.ndim, keepdims)
        out_full = expand_reduced(out, axes, a.ndim, keepdims)
        return (grad_fn(g_full, a, out_full, axes).astype(a.dtype, copy=False),)

    def op(x, axis=None, keepdims=False):
        return call_op(forward, backward, x, axis=axis, keepdims=bool(keepdims))

    op.__name__ = op.__qualname__ = name
    return op


def _count(a, axes):
    return int(np.prod([a.shape[ax] for ax in axes])) if axes else 1


def _sum_grad(g, a, out, axes):
    return np.broadcast_to(g, a.shape).copy()


def _mean_grad(g, a, out, axes):
    return np.broadcast_to(g / builtins.max(_count(a, axes), 1), a.shape).copy()


def _extreme_grad(g, a, out, axes):
    # Ties share the gradient equally (TensorFlow's rule for reduce_max).
    mask = a == out
    return mask * (g / mask.sum(axis=axes, keepdims=True))


def _prod_grad(g, a, out, axes):
    # Product of all *other* elements, zero-safe: exclusive cumprods from both ends.
    keep = [ax for ax in range(a.ndim) if ax not in axes]
    perm = keep + list(axes)
    moved = np.transpose(a, perm)
    flat = moved.reshape(moved.shape[:len(keep)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = np.transpose((left * right).reshape(moved.shape), np.argsort(perm))
    return g * others


def _var_grad(g, a, out, axes):
    n = builtins.max(_count(a, axes), 1)
    return g * 2.0 * (a - a.mean(axis=axes, keepdims=True)) / n


def _std_grad(g, a, out, axes):
    n = builtins.max(_count(a, axes), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (a - a.mean(axis=axes, keepdims=True)) / (n * out)
    return g * np.where(out > 0, d, 0)


def _check_nonempty(name, a, axes):
    if a.size == 0 and builtins.any(a.shape[ax] == 0 for ax in axes):
        raise ValueError(
            f"{name}: cannot reduce over an empty axis. Received: x.shape={a.shape}, "
            f"axis={axes}"
        )


def _max_forward(a, axes, keepdims):
    _check_nonempty("max", a, axes)
    return np.max(a, axis=axes, keepdims=keepdims)


def _min_forward(a, axes, keepdims):
    _check_nonempty("min", a, axes)
    return np.min(a, axis=axes, keepdims=keepdims)


sum = _reduction(  # noqa: A001  (Keras's name)
    "sum", lambda a, axes, k: np.sum(a, axis=axes, keepdims=k), _sum_grad)
mean = _reduction("mean", lambda a, axes, k: np.mean(a, axis=axes, keepdims=k), _mean_grad,
                  float_first=True)
max = _reduction("max", _max_forward, _extreme_grad)  # noqa: A001
min = _reduction("min", _min_forward, _extreme_grad)  # noqa: A001
amax, amin = max, min
prod = _reduction("prod", lambda a, axes, k: np.prod(a, axis=axes, keepdims=k), _prod_grad)
var = _reduction("var", lambda a, axes, k: np.var(a, axis=axes, keepdims=k), _var_grad,
                 float_first=True)
std = _reduction("std", lambda a, axes, k: np.std(a, axis=axes, keepdims=k), _std_grad,
                 float_first=True)
sum.__doc__ = "Sum over `axis` (None: all axes)."
mean.__doc__ = "Arithmetic mean over `axis` (integer input gives floatx)."
max.__doc__ = "Maximum over `axis`; tied maxima share the gradient."
min.__doc__ = "Minimum over `axis`; tied minima share the gradient."
prod.__doc__ = "Product over `axis` (gradient exact with zeros present)."
var.__doc__ = "Population variance over `axis`."
std.__doc__ = "Population standard deviation over `axis`."


# --- scans ----------------------------------------------------------------------------
def _cumsum_forward(a, axis):
    if axis is None:
        return np.cumsum(a.ravel()), (a.shape, None)
    return np.cumsum(a, axis=axis), (a.shape, axis)


def _cumsum_backward(g, cache, needs):
    shape, axis = cache
    if axis is None:
        return (np.flip(np.cumsum(np.flip(g)), 0).reshape(shape),)
    return (np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis),)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (None: over the flattened tensor)."""
    a = unwrap(x)
    if axis is not None:
        axis = normalize_axis("cumsum", axis, np.ndim(a))
    out = call_op(_cumsum_forward, _cumsum_backward, x, axis=axis)
    return out if dtype is None else out.astype(dtype)


def _cumprod_forward(a, axis):
    flat = a.ravel() if axis is None else a
    ax = 0 if axis is None else axis
    out = np.cumprod(flat, axis=ax)
    return out, (a.shape, flat, ax, out, axis is None)


def _cumprod_backward(g, cache, needs):
    shape, flat, ax, out, flattened = cache
    # d out_j / d x_i = prod_{k<=j, k!=i} x_k; computed without dividing by x_i.
    n = flat.shape[ax]
    xm = np.moveaxis(flat, ax, -1)
    gm = np.moveaxis(g, ax, -1)
    dx = np.zeros_like(xm)
    for i in range(n):
        others = xm.copy()
        others[..., i] = 1
        partial = np.cumprod(others, axis=-1)[..., i:]
        dx[..., i] = np.sum(gm[..., i:] * partial, axis=-1)
    dx = np.moveaxis(dx, -1, ax)
    return (dx.reshape(shape) if flattened else dx,)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis` (None: over the flattened tensor)."""
    a = unwrap(x)
    if axis is not None:
        axis = normalize_axis("cumprod", axis, np.ndim(a))
    out = call_op(_cumprod_forward, _cumprod_backward, x, axis=axis)
    return out if dtype is None else out.astype(dtype)


# --- non-differentiable ---------------------------------------------------------------
def _arg(name, fn):
    def op(x, axis=None, keepdims=False):
        a = np.asarray(unwrap(x))
        if axis is not None:
            axis = normalize_axis(name, axis, a.ndim)
        if a.size == 0:
            raise ValueError(f"{name}: the input is empty. Received: x.shape={a.shape}")
        out = fn(a, axis=axis, keepdims=keepdims)
        return wrap(out.astype("int32"))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Indices of the {name[3:]}imum values along `axis` (int32; not differentiable)."
    return op


argmax = _arg("argmax", np.argmax)
argmin = _arg("argmin", np.argmin)


def all(x, axis=None, keepdims=False):  # noqa: A001
    """Whether all elements along `axis` are true."""
    a = np.asarray(unwrap(x))
    return wrap(np.all(a, axis=normalize_axes("all", axis, a.ndim), keepdims=keepdims))


def any(x, axis=None, keepdims=False):  # noqa: A001
    """Whether any element along `axis` is true."""
    a = np.asarray(unwrap(x))
    return wrap(np.any(a, axis=normalize_axes("any", axis, a.ndim), keepdims=keepdims))


def count_nonzero(x, axis=None):
    a = np.asarray(unwrap(x))
    return wrap(np.asarray(np.count_nonzero(a, axis=normalize_axes("count_nonzero", axis, a.ndim)),
                           dtype="int32"))
