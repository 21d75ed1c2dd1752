"""`keras.ops.numpy`: NumPy-style differentiable ops, one module per family.

Importing this module also routes NumPy's own functions on Tensors/Variables
(`np.concatenate([t1, t2])`, `np.sum(t, axis=0)`, …) to these ops, so they are recorded
on the tape like `nnfast.ops` calls.
"""
import numpy as _np

from nnfast.autograd.numpy_dispatch import register_function as _register
from nnfast.ops.core import reshape, transpose  # noqa: F401
from nnfast.ops.numpy_creation import (  # noqa: F401
    arange, array, copy, empty, empty_like, eye, full, full_like, identity, linspace, ndim,
    ones, ones_like, shape, size, tri, zeros, zeros_like,
)
from nnfast.ops.numpy_elementwise import (  # noqa: F401
    abs, absolute, add, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, ceil, clip,
    cos, cosh, divide, equal, exp, expm1, floor, floor_divide, greater, greater_equal, isclose,
    isfinite, isinf, isnan, less, less_equal, log, log1p, log2, log10, logaddexp, logical_and,
    logical_not, logical_or, logical_xor, maximum, minimum, mod, multiply, negative, nonzero,
    not_equal, power, reciprocal, round, sign, sin, sinh, sqrt, square, subtract, tan, true_divide,
    trunc, where,
)
from nnfast.ops.numpy_linalg import dot, einsum, inner, matmul, outer, tensordot, vdot  # noqa: F401
from nnfast.ops.numpy_reduction import (  # noqa: F401
    all, amax, amin, any, argmax, argmin, count_nonzero, cumprod, cumsum, max, mean, min, prod,
    std, sum, var,
)
from nnfast.ops.numpy_shape import (  # noqa: F401
    argsort, broadcast_to, concatenate, expand_dims, flatten, flip, hstack, moveaxis, pad, ravel,
    repeat, roll, sort, split, squeeze, stack, swapaxes, take, take_along_axis, tile, tril, triu,
    vstack,
)


def _no_out(name, out):
    if out is not None:
        raise TypeError(
            f"numpy.{name}(..., out=...) cannot write into a Tensor; call it without `out`."
        )


# --- NumPy signatures -> nnfast ops -----------------------------------------------------
def _np_reduction(name, op):
    def adapter(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        _no_out(name, out)
        if kwargs.get("where") is not None or kwargs.get("initial") is not None:
            raise TypeError(f"numpy.{name} on a Tensor supports no `where`/`initial`.")
        result = op(a, axis=axis, keepdims=keepdims)
        return result if dtype is None else result.astype(dtype)

    return adapter


def _np_extreme(name, op):
    def adapter(a, axis=None, out=None, keepdims=False, **kwargs):
        _no_out(name, out)
        if kwargs.get("where") is not None or kwargs.get("initial") is not None:
            raise TypeError(f"numpy.{name} on a Tensor supports no `where`/`initial`.")
        return op(a, axis=axis, keepdims=keepdims)

    return adapter


def _np_var(name, op):
    def adapter(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
        _no_out(name, out)
        if ddof:
            raise TypeError(f"numpy.{name} on a Tensor supports ddof=0 only. Received: ddof={ddof}")
        return op(a, axis=axis, keepdims=keepdims)

    return adapter


def _np_concatenate(arrays, axis=0, out=None, dtype=None, casting=None):
    _no_out("concatenate", out)
    if axis is None:
        return concatenate([ravel(a) for a in arrays], axis=0)
    result = concatenate(arrays, axis=axis)
    return result if dtype is None else result.astype(dtype)


def _np_stack(arrays, axis=0, out=None, dtype=None, casting=None):
    _no_out("stack", out)
    result = stack(arrays, axis=axis)
    return result if dtype is None else result.astype(dtype)


def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if order != "C":
        raise TypeError(f"numpy.reshape on a Tensor supports order='C' only. Received: {order!r}")
    return reshape(a, newshape if shape is None else shape)


def _np_transpose(a, axes=None):
    return transpose(a, None if axes is None else tuple(axes))


def _np_clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):
    _no_out("clip", out)
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    return clip(a, -_np.inf if lo is None else lo, _np.inf if hi is None else hi)


def _np_dot(a, b, out=None):
    _no_out("dot", out)
    return dot(a, b)


def _np_cumsum(a, axis=None, dtype=None, out=None):
    _no_out("cumsum", out)
    return cumsum(a, axis=axis, dtype=dtype)


def _np_cumprod(a, axis=None, dtype=None, out=None):
    _no_out("cumprod", out)
    return cumprod(a, axis=axis, dtype=dtype)


def _np_take(a, indices, axis=None, out=None, mode="raise"):
    _no_out("take", out)
    return take(a, indices, axis=axis)


def _np_repeat(a, repeats, axis=None):
    return repeat(a, repeats, axis=axis)


def _np_where(condition, *xy):
    return where(condition, *xy)


def _np_broadcast_to(array, shape, subok=False):
    return broadcast_to(array, shape)


def _np_pad(array, pad_width, mode="constant", **kwargs):
    return pad(array, pad_width, mode=mode, constant_values=kwargs.get("constant_values", 0))


def _np_split(ary, indices_or_sections, axis=0):
    return split(ary, indices_or_sections, axis=axis)


def _np_tensordot(a, b, axes=2):
    return tensordot(a, b, axes=axes)


def _np_einsum(*operands, out=None, optimize=False, **kwargs):
    _no_out("einsum", out)
    return einsum(*operands)


def _np_sort(a, axis=-1, kind=None, order=None, **kwargs):
    if axis is None:
        return sort(ravel(a), axis=0)
    return sort(a, axis=axis)


def _np_flip(m, axis=None):
    return flip(m, axis=axis)


def _np_roll(a, shift, axis=None):
    return roll(a, shift, axis=axis)


def _np_copy(a, order="K", subok=False):
    return copy(a)


for _func, _op in [
    (_np.sum, _np_reduction("sum", sum)),
    (_np.mean, _np_reduction("mean", mean)),
    (_np.prod, _np_reduction("prod", prod)),
    (_np.max, _np_extreme("max", max)),
    (_np.min, _np_extreme("min", min)),
    (_np.amax, _np_extreme("amax", max)),
    (_np.amin, _np_extreme("amin", min)),
    (_np.var, _np_var("var", var)),
    (_np.std, _np_var("std", std)),
    (_np.concatenate, _np_concatenate),
    (_np.stack, _np_stack),
    (_np.reshape, _np_reshape),
    (_np.transpose, _np_transpose),
    (_np.clip, _np_clip),
    (_np.where, _np_where),
    (_np.dot, _np_dot),
    (_np.squeeze, squeeze),
    (_np.expand_dims, expand_dims),
    (_np.cumsum, _np_cumsum),
    (_np.cumprod, _np_cumprod),
    (_np.take, _np_take),
    (_np.take_along_axis, take_along_axis),
    (_np.repeat, _np_repeat),
    (_np.tile, tile),
    (_np.broadcast_to, _np_broadcast_to),
    (_np.moveaxis, moveaxis),
    (_np.swapaxes, swapaxes),
    (_np.pad, _np_pad),
    (_np.split, _np_split),
    (_np.tensordot, _np_tensordot),
    (_np.einsum, _np_einsum),
    (_np.outer, outer),
    (_np.sort, _np_sort),
    (_np.flip, _np_flip),
    (_np.roll, _np_roll),
    (_np.tril, tril),
    (_np.triu, triu),
    (_np.ravel, lambda a, order="C": ravel(a)),
    (_np.copy, _np_copy),
    (_np.hstack, lambda tup, **kw: hstack(tup)),
    (_np.vstack, lambda tup, **kw: vstack(tup)),
]:
    _register(_func, _op)
