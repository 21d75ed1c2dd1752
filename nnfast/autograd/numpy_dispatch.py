"""NumPy ufuncs and functions on Tensors/Variables, recorded on the tape.

`x + y`, `np.exp(x)`, `x @ w`, `x.sum(axis=0)` on Tensors arrive here through
`__array_ufunc__`. Each differentiable ufunc has a backward rule below; a ufunc with a
float result and no rule raises while a tape tracks its input (rather than silently
cutting the gradient). Comparisons and other bool/int results are never differentiated.
"""
import numpy as np

from nnfast.autograd.function import record, unbroadcast, unwrap, wrap
from nnfast.autograd.tape import active_tapes

_RULES = {}        # (ufunc, method) -> backward(g, arrays, result, kwargs, needs)
_FUNCTIONS = {}    # numpy function -> nnfast op with the same signature


def rule(ufunc, method="__call__"):
    def deco(fn):
        _RULES[(ufunc, method)] = fn
        return fn

    return deco


def register_function(np_func, op):
    """Route `np_func(tensor, …)` to the differentiable nnfast op `op`."""
    _FUNCTIONS[np_func] = op


def _tracked_by_any(tapes, inputs):
    from nnfast.autograd.variable import Variable

    for tape in tapes:
        for x in inputs:
            if id(x) in tape._tracked or (
                tape._watch_accessed and isinstance(x, Variable) and x.trainable
            ):
                return True
    return False


def dispatch_ufunc(ufunc, method, inputs, kwargs):
    arrays = [unwrap(x) for x in inputs]
    tapes = active_tapes()
    out = kwargs.get("out")
    if out is not None:
        # Writing into an existing buffer cannot be recorded; refuse it on tracked data.
        if tapes and _tracked_by_any(tapes, tuple(inputs) + tuple(out)):
            raise TypeError(
                f"In-place numpy.{ufunc.__name__}(..., out=...) on a tensor a GradientTape is "
                "tracking would corrupt the gradient. Use the out-of-place form."
            )
        kwargs = dict(kwargs, out=tuple(unwrap(o) for o in out))
        getattr(ufunc, method)(*arrays, **kwargs)
        return out[0] if len(out) == 1 else out
    result = getattr(ufunc, method)(*arrays, **kwargs)
    if type(result) is tuple:       # divmod, frexp, modf: never differentiated
        return tuple(wrap(r) for r in result)
    wrapped = wrap(result)
    if tapes and wrapped.dtype.kind in "fc" and _tracked_by_any(tapes, inputs):
        backward_rule = _RULES.get((ufunc, method))
        if backward_rule is None:
            raise TypeError(
                f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
                + " has no gradient in nnfast; use the nnfast.ops equivalent or "
                "compute it outside the GradientTape."
            )

        def backward(g, cache, needs, _rule=backward_rule):
            arrs, res, kw = cache
            return _rule(g, arrs, res, kw, needs)

        record(tapes, inputs, (wrapped,), backward, (arrays, result, kwargs))
    return wrapped


def dispatch_function(func, types, args, kwargs):
    op = _FUNCTIONS.get(func)
    if op is not None:
        return op(*args, **kwargs)
    # Default NumPy behaviour; its implementation calls ufuncs/methods that record. A
    # Variable becomes a recorded read first, else NumPy would read its raw buffer.
    args = tuple(_read_variables(a) for a in args)
    return func._implementation(*args, **kwargs)


def _read_variables(a):
    from nnfast.autograd.variable import Variable

    if isinstance(a, Variable):
        return a.value
    if isinstance(a, (list, tuple)) and any(isinstance(x, Variable) for x in a):
        return type(a)(_read_variables(x) for x in a)
    return a


def _shape(a):
    return np.shape(a)


# --- backward rules -------------------------------------------------------------------
@rule(np.add)
def _add(g, a, r, kw, needs):
    return tuple(unbroadcast(g, _shape(x)) if n else None for x, n in zip(a, needs))


@rule(np.subtract)
def _sub(g, a, r, kw, needs):
    return (
        unbroadcast(g, _shape(a[0])) if needs[0] else None,
        unbroadcast(-g, _shape(a[1])) if needs[1] else None,
    )


@rule(np.multiply)
def _mul(g, a, r, kw, needs):
    x, y = a
    return (
        unbroadcast(g * y, _shape(x)) if needs[0] else None,
        unbroadcast(g * x, _shape(y)) if needs[1] else None,
    )


@rule(np.true_divide)
def _div(g, a, r, kw, needs):
    x, y = a
    return (
        unbroadcast(g / y, _shape(x)) if needs[0] else None,
        unbroadcast(-g * x / (np.asarray(y) * y), _shape(y)) if needs[1] else None,
    )


@rule(np.negative)
def _neg(g, a, r, kw, needs):
    return (-g,)


@rule(np.positive)
def _pos(g, a, r, kw, needs):
    return (g,)


@rule(np.power)
def _pow(g, a, r, kw, needs):
    x, y = a
    gx = gy = None
    if needs[0]:
        gx = unbroadcast(g * y * np.power(x, np.asarray(y) - 1), _shape(x))
    if needs[1]:
        with np.errstate(divide="ignore", invalid="ignore"):
            logx = np.where(np.asarray(x) > 0, np.log(np.where(np.asarray(x) > 0, x, 1)), 0)
        gy = unbroadcast(g * r * logx, _shape(y))
    return gx, gy


@rule(np.exp)
def _exp(g, a, r, kw, needs):
    return (g * r,)


@rule(np.expm1)
def _expm1(g, a, r, kw, needs):
    return (g * (r + 1),)


@rule(np.log)
def _log(g, a, r, kw, needs):
    return (g / a[0],)


@rule(np.log1p)
def _log1p(g, a, r, kw, needs):
    return (g / (1 + a[0]),)


@rule(np.sqrt)
def _sqrt(g, a, r, kw, needs):
    return (g * 0.5 / r,)


@rule(np.square)
def _square(g, a, r, kw, needs):
    return (2 * g * a[0],)


@rule(np.reciprocal)
def _recip(g, a, r, kw, needs):
    return (-g * r * r,)


@rule(np.tanh)
def _tanh(g, a, r, kw, needs):
    return (g * (1 - r * r),)


@rule(np.sin)
def _sin(g, a, r, kw, needs):
    return (g * np.cos(a[0]),)


@rule(np.cos)
def _cos(g, a, r, kw, needs):
    return (-g * np.sin(a[0]),)


@rule(np.absolute)
def _abs(g, a, r, kw, needs):
    return (g * np.sign(a[0]),)


def _zero_grad(g, a, r, kw, needs):
    return tuple(np.zeros(_shape(x), dtype=g.dtype) if n else None for x, n in zip(a, needs))


for _f in (np.sign, np.floor, np.ceil, np.rint, np.trunc):
    _RULES[(_f, "__call__")] = _zero_grad


@rule(np.maximum)
def _maximum(g, a, r, kw, needs):
    x, y = a
    pick_x = np.asarray(x) >= y
    return (
        unbroadcast(g * pick_x, _shape(x)) if needs[0] else None,
        unbroadcast(g * ~pick_x, _shape(y)) if needs[1] else None,
    )


@rule(np.minimum)
def _minimum(g, a, r, kw, needs):
    x, y = a
    pick_x = np.asarray(x) <= y
    return (
        unbroadcast(g * pick_x, _shape(x)) if needs[0] else None,
        unbroadcast(g * ~pick_x, _shape(y)) if needs[1] else None,
    )


@rule(np.matmul)
def _matmul(g, a, r, kw, needs):
    x, y = (np.asarray(v) for v in a)
    x2 = x[None, :] if x.ndim == 1 else x
    y2 = y[:, None] if y.ndim == 1 else y
    g2 = g
    if x.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    if y.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    gx = gy = None
    if needs[0]:
        gx = g2 @ np.swapaxes(y2, -1, -2)
        gx = unbroadcast(gx, x2.shape).reshape(x.shape)
    if needs[1]:
        gy = np.swapaxes(x2, -1, -2) @ g2
        gy = unbroadcast(gy, y2.shape).reshape(y.shape)
    return gx, gy


def _reduce_axes(kw, ndim):
    axis = kw.get("axis", 0)
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(ax % ndim for ax in axis)


def _expand_back(g, kw, shape):
    if not kw.get("keepdims", False):
        for ax in sorted(_reduce_axes(kw, len(shape))):
            g = np.expand_dims(g, ax)
    return g


@rule(np.add, "reduce")
def _sum(g, a, r, kw, needs):
    x = a[0]
    return (np.broadcast_to(_expand_back(np.asarray(g), kw, x.shape), x.shape).copy(),)


def _extreme_reduce(g, a, r, kw, needs):
    x = a[0]
    r_full = _expand_back(np.asarray(r), kw, x.shape)
    mask = x == r_full
    count = mask.sum(axis=_reduce_axes(kw, x.ndim), keepdims=True)
    return (mask * (_expand_back(np.asarray(g), kw, x.shape) / count),)


_RULES[(np.maximum, "reduce")] = _extreme_reduce
_RULES[(np.minimum, "reduce")] = _extreme_reduce
