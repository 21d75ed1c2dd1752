"""Shared machinery of the built-in loss functions.

Every built-in loss is one recorded op: a NumPy forward producing the per-sample values and
a hand-written backward w.r.t. `y_pred` (`y_true` gets no gradient). The helpers here turn
raw inputs into aligned arrays (Keras's dtype and rank rules, with errors that name the
loss) and build the op for the common "elementwise term, then mean/sum over an axis" shape.
"""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import call_op, unbroadcast
from nnfast.losses.loss import squeeze_or_expand_to_same_rank


def pred_array(name, y_pred):
    """`y_pred` as a float ndarray (integer predictions become floatx)."""
    p = np.asarray(y_pred)
    if p.dtype.kind not in "f":
        if p.dtype.kind not in "biu":
            raise TypeError(
                f"{name}: y_pred must be numeric. Received: y_pred with dtype {p.dtype}"
            )
        p = p.astype(backend.floatx())
    return p


def true_array(name, y_true, dtype):
    """`y_true` as an ndarray of `dtype` (Keras casts the labels to y_pred's dtype)."""
    t = np.asarray(y_true)
    if t.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}: y_true must be numeric. Received: y_true with dtype {t.dtype}"
        )
    return t.astype(dtype, copy=False)


def align(name, y_true, y_pred, exact=False):
    """(t, p): float arrays with Keras's trailing-1 rank alignment applied.

    `exact` requires equal shapes afterwards (cross-entropies); otherwise they must
    broadcast. Mismatches raise a ValueError naming the loss and both shapes.
    """
    p = pred_array(name, y_pred)
    t = true_array(name, y_true, p.dtype)
    if t.ndim != p.ndim:
        t, p = squeeze_or_expand_to_same_rank(t, p)
    if t.shape == p.shape:          # the common case: nothing to check
        return t, p
    if exact:
        raise ValueError(
            f"{name}: `y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={np.shape(y_true)}, y_pred.shape={np.shape(y_pred)}"
        )
    try:
        np.broadcast_shapes(t.shape, p.shape)
    except ValueError:
        raise ValueError(
            f"{name}: the shapes of `y_true` and `y_pred` are incompatible. "
            f"Received: y_true.shape={np.shape(y_true)}, y_pred.shape={np.shape(y_pred)}"
        ) from None
    return t, p


def check_axis(name, axis, ndim):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(
            f"{name}: `axis` must be an int. Received: axis={axis!r}"
        )
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{name}: `axis`={axis} is out of range for inputs of rank {ndim}."
        )
    return int(axis) % ndim


def grad_to_pred(g, p_aligned_shape, p_shape, p_dtype):
    """A gradient computed on the aligned/broadcast arrays, back in y_pred's shape."""
    if g.shape != p_aligned_shape:
        g = unbroadcast(g, p_aligned_shape)
    g = g.reshape(p_shape)
    if p_dtype.kind == "f" and g.dtype != p_dtype:
        g = g.astype(p_dtype)
    return g


# -- "elementwise term, then mean/sum over an axis" ---------------------------------------

def _ew_forward(y_true, y_pred, name, term, reduce, axis, exact, params):
    y_pred = np.asarray(y_pred)
    t, p = align(name, y_true, y_pred, exact)
    e, aux = term(t, p, **params)
    scalar = e.ndim == 0
    if scalar:                    # a 0-d pair is viewed as shape (1,)
        e = e.reshape(1)
    ax = check_axis(name, axis, e.ndim)
    out = np.add.reduce(e, axis=ax)
    if reduce == "mean":
        out = out / e.shape[ax]
    cache = (term, params, reduce, t, p, aux, ax, e.shape, scalar, y_pred.shape, y_pred.dtype)
    return out.astype(p.dtype, copy=False), cache


def _ew_backward(dout, cache, needs):
    term, params, reduce, t, p, aux, ax, e_shape, scalar, p_shape, p_dtype = cache
    g = dout.reshape(e_shape[:ax] + (1,) + e_shape[ax + 1:])
    if reduce == "mean":
        g = g * (1.0 / e_shape[ax])
    g = g * term.grad(t, p, aux, **params)
    if g.shape != e_shape:
        g = np.broadcast_to(g, e_shape)
    if scalar:
        g = g.reshape(())
    return None, grad_to_pred(g, p.shape, p_shape, np.dtype(p_dtype))


def elementwise_loss(name, term, y_true, y_pred, reduce="mean", axis=-1, exact=False,
                     **params):
    """Run `term` (a function `(t, p, **params) -> (values, aux)` with a `.grad(t, p, aux,
    **params) -> d values / d p` attribute) as one op, reduced over `axis`."""
    return call_op(_ew_forward, _ew_backward, y_true, y_pred, name=name, term=term,
                   reduce=reduce, axis=axis, exact=exact, params=params)


def term_with_grad(grad):
    """Decorator: attach the derivative `grad` to an elementwise term function."""

    def deco(fn):
        fn.grad = grad
        return fn

    return deco
