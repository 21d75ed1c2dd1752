"""Elementwise ops with Keras's `keras.ops.numpy` names: arithmetic, unary math,
comparisons and logic, `where`, `clip`.

Each differentiable op is a forward/backward pair run by `call_op`; the comparison and
logic ops return bool tensors and are never differentiated.
"""
import math

import numpy as np

from nnfast.autograd.function import call_op, unbroadcast, unwrap, wrap
from nnfast.ops._helpers import check_broadcast, float_result, to_float


def _fit(g, like):
    """A gradient for input `like`: summed over broadcast axes, in `like`'s float dtype."""
    shape = np.shape(like)
    g = unbroadcast(np.asarray(g), shape)
    dtype = getattr(like, "dtype", None)
    if dtype is not None and dtype.kind == "f" and g.dtype != dtype:
        g = g.astype(dtype)
    return g


# --- binary ---------------------------------------------------------------------------
def _binary(name, fn, dx, dy, float_out=False):
    def forward(a, b):
        if np.shape(a) != np.shape(b):
            check_broadcast(name, a, b)
        out = fn(a, b)
        if float_out:
            out = float_result(out, a, b)
        return out, (a, b, out)

    def backward(g, cache, needs):
        a, b, out = cache
        return (
            _fit(dx(g, a, b, out), a) if needs[0] else None,
            _fit(dy(g, a, b, out), b) if needs[1] else None,
        )

    def op(x1, x2):
        return call_op(forward, backward, x1, x2)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise `{name}(x1, x2)` with broadcasting (NumPy semantics)."
    return op


def _pow_dy(g, a, b, out):
    a = np.asarray(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a = np.where(a > 0, np.log(np.where(a > 0, a, 1)), 0)
    return g * out * log_a


def _pow_dx(g, a, b, out):
    b = np.asarray(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * b * np.power(a, b - 1)


add = _binary("add", np.add, lambda g, a, b, o: g, lambda g, a, b, o: g)
subtract = _binary("subtract", np.subtract, lambda g, a, b, o: g, lambda g, a, b, o: -g)
multiply = _binary("multiply", np.multiply, lambda g, a, b, o: g * b, lambda g, a, b, o: g * a)
divide = _binary("divide", np.true_divide, lambda g, a, b, o: g / b,
                 lambda g, a, b, o: -g * o / b, float_out=True)
true_divide = divide
power = _binary("power", np.power, _pow_dx, _pow_dy)
maximum = _binary("maximum", np.maximum, lambda g, a, b, o: g * (np.asarray(a) >= b),
                  lambda g, a, b, o: g * (np.asarray(a) < b))
minimum = _binary("minimum", np.minimum, lambda g, a, b, o: g * (np.asarray(a) <= b),
                  lambda g, a, b, o: g * (np.asarray(a) > b))
logaddexp = _binary("logaddexp", np.logaddexp, lambda g, a, b, o: g * np.exp(a - o),
                    lambda g, a, b, o: g * np.exp(b - o), float_out=True)
arctan2 = _binary("arctan2", np.arctan2, lambda g, a, b, o: g * b / (a * a + b * b),
                  lambda g, a, b, o: -g * a / (a * a + b * b), float_out=True)


# --- unary ----------------------------------------------------------------------------
def _unary(name, fn, d, to_float_first=True):
    """`d(g, x, y)` is the VJP of y = fn(x)."""
    def forward(a):
        if to_float_first:
            a = to_float(a)
        out = fn(a)
        return out, (a, out)

    def backward(g, cache, needs):
        a, out = cache
        return (_fit(d(g, a, out), a),)

    def op(x):
        return call_op(forward, backward, x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise `{name}(x)`."
    return op


def _zero(g, a, out):
    return np.zeros(np.shape(a), dtype=g.dtype)


_LN2, _LN10 = math.log(2.0), math.log(10.0)

negative = _unary("negative", np.negative, lambda g, a, y: -g, to_float_first=False)
absolute = _unary("absolute", np.absolute, lambda g, a, y: g * np.sign(a), to_float_first=False)
abs = absolute  # noqa: A001  (Keras's name)
square = _unary("square", np.square, lambda g, a, y: 2 * g * a, to_float_first=False)
sign = _unary("sign", np.sign, _zero, to_float_first=False)
floor = _unary("floor", np.floor, _zero)
ceil = _unary("ceil", np.ceil, _zero)
trunc = _unary("trunc", np.trunc, _zero)
exp = _unary("exp", np.exp, lambda g, a, y: g * y)
expm1 = _unary("expm1", np.expm1, lambda g, a, y: g * (y + 1))
log = _unary("log", np.log, lambda g, a, y: g / a)
log1p = _unary("log1p", np.log1p, lambda g, a, y: g / (1 + a))
log2 = _unary("log2", np.log2, lambda g, a, y: g / (a * _LN2))
log10 = _unary("log10", np.log10, lambda g, a, y: g / (a * _LN10))
sqrt = _unary("sqrt", np.sqrt, lambda g, a, y: g * 0.5 / y)
reciprocal = _unary("reciprocal", np.reciprocal, lambda g, a, y: -g * y * y)
sin = _unary("sin", np.sin, lambda g, a, y: g * np.cos(a))
cos = _unary("cos", np.cos, lambda g, a, y: -g * np.sin(a))
tan = _unary("tan", np.tan, lambda g, a, y: g * (1 + y * y))
sinh = _unary("sinh", np.sinh, lambda g, a, y: g * np.cosh(a))
cosh = _unary("cosh", np.cosh, lambda g, a, y: g * np.sinh(a))
arcsin = _unary("arcsin", np.arcsin, lambda g, a, y: g / np.sqrt(1 - a * a))
arccos = _unary("arccos", np.arccos, lambda g, a, y: -g / np.sqrt(1 - a * a))
arctan = _unary("arctan", np.arctan, lambda g, a, y: g / (1 + a * a))
arcsinh = _unary("arcsinh", np.arcsinh, lambda g, a, y: g / np.sqrt(a * a + 1))
arccosh = _unary("arccosh", np.arccosh, lambda g, a, y: g / np.sqrt(a * a - 1))
arctanh = _unary("arctanh", np.arctanh, lambda g, a, y: g / (1 - a * a))


def _round_forward(a, decimals):
    return np.round(a, decimals), np.shape(a)


def _round_backward(g, shape, needs):
    return (np.zeros(shape, dtype=g.dtype),)


def round(x, decimals=0):  # noqa: A001  (Keras's name)
    """Round half to even to `decimals` places (gradient zero, as in TF)."""
    return call_op(_round_forward, _round_backward, x, decimals=decimals)


# --- clip / where -----------------------------------------------------------------------
def _clip_forward(a, lo, hi):
    return np.clip(a, lo, hi), (a, lo, hi)


def _clip_backward(g, cache, needs):
    a, lo, hi = cache
    below, above = a < lo, a > hi
    return (
        _fit(g * ~(below | above), a) if needs[0] else None,
        _fit(g * below, lo) if needs[1] else None,
        _fit(g * above, hi) if needs[2] else None,
    )


def clip(x, x_min, x_max):
    """`x` limited to [x_min, x_max]; the gradient passes where x lies inside."""
    return call_op(_clip_forward, _clip_backward, x, x_min, x_max)


def _where_forward(cond, a, b):
    if np.shape(a) != np.shape(b):
        check_broadcast("where", a, b)
    cond = np.asarray(cond).astype(bool, copy=False)
    try:
        np.broadcast_shapes(cond.shape, np.shape(a), np.shape(b))
    except ValueError:
        raise ValueError(
            "where: `condition`, `x1` and `x2` must broadcast together. Received: "
            f"condition.shape={cond.shape}, x1.shape={np.shape(a)}, x2.shape={np.shape(b)}"
        ) from None
    return np.where(cond, a, b), (cond, a, b)


def _where_backward(g, cache, needs):
    cond, a, b = cache
    return (
        None,
        _fit(np.where(cond, g, 0), a) if needs[1] else None,
        _fit(np.where(cond, 0, g), b) if needs[2] else None,
    )


def where(condition, x1=None, x2=None):
    """Elements of `x1` where `condition` is true, else of `x2`; with only `condition`,
    the indices of its non-zero elements (as `nonzero`)."""
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError(
            "where: `x1` and `x2` must both be given or both be None. "
            f"Received: x1={'None' if x1 is None else 'a tensor'}, "
            f"x2={'None' if x2 is None else 'a tensor'}"
        )
    return call_op(_where_forward, _where_backward, condition, x1, x2)


def nonzero(x):
    """Indices of the non-zero elements, one int tensor per axis."""
    return tuple(wrap(i) for i in np.nonzero(unwrap(x)))


# --- non-differentiable ---------------------------------------------------------------
def _predicate(name, fn, arity=2):
    if arity == 2:
        def op(x1, x2):
            a, b = unwrap(x1), unwrap(x2)
            if np.shape(a) != np.shape(b):
                check_broadcast(name, a, b)
            return wrap(fn(a, b))
    else:
        def op(x):
            return wrap(fn(unwrap(x)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise `{name}` (not differentiable)."
    return op


equal = _predicate("equal", np.equal)
not_equal = _predicate("not_equal", np.not_equal)
greater = _predicate("greater", np.greater)
greater_equal = _predicate("greater_equal", np.greater_equal)
less = _predicate("less", np.less)
less_equal = _predicate("less_equal", np.less_equal)
logical_and = _predicate("logical_and", np.logical_and)
logical_or = _predicate("logical_or", np.logical_or)
logical_xor = _predicate("logical_xor", np.logical_xor)
logical_not = _predicate("logical_not", np.logical_not, arity=1)
isnan = _predicate("isnan", np.isnan, arity=1)
isinf = _predicate("isinf", np.isinf, arity=1)
isfinite = _predicate("isfinite", np.isfinite, arity=1)
floor_divide = _predicate("floor_divide", np.floor_divide)
mod = _predicate("mod", np.mod)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return wrap(np.isclose(unwrap(x1), unwrap(x2), rtol=rtol, atol=atol, equal_nan=equal_nan))
