"""Hinge losses: hinge, squared hinge and categorical hinge (one recorded op each)."""
import numpy as np

from nnfast.autograd.function import call_op
from nnfast.losses import _ops
from nnfast.losses.wrapper import LossFunctionWrapper, SimpleLossMixin


def _to_signed(t):
    """Keras converts 0/1 labels to -1/1; other labels are used as given."""
    if np.all((t == 0) | (t == 1)):
        return 2.0 * t - 1.0
    return t


def _hinge_grad(t, p, aux):
    ts, margin = aux
    return np.where(margin > 0, -ts, 0.0)


@_ops.term_with_grad(_hinge_grad)
def _hinge(t, p):
    ts = _to_signed(t)
    margin = 1.0 - ts * p
    return np.maximum(margin, 0.0), (ts, margin)


def _sq_hinge_grad(t, p, aux):
    ts, pos = aux
    return -2.0 * ts * pos


@_ops.term_with_grad(_sq_hinge_grad)
def _squared_hinge(t, p):
    ts = _to_signed(t)
    pos = np.maximum(1.0 - ts * p, 0.0)
    return pos * pos, (ts, pos)


def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`; 0/1 labels become -1/1."""
    return _ops.elementwise_loss("hinge", _hinge, y_true, y_pred)


def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`; 0/1 labels become -1/1."""
    return _ops.elementwise_loss("squared_hinge", _squared_hinge, y_true, y_pred)


def _cat_hinge_forward(y_true, y_pred):
    y_pred = np.asarray(y_pred)
    name = "categorical_hinge"
    t, p = _ops.align(name, y_true, y_pred)
    p_aligned = p.shape
    t, p = np.broadcast_arrays(t, p)
    if p.ndim == 0:
        t, p = t.reshape(1), p.reshape(1)
    pos = np.sum(t * p, axis=-1)
    neg_terms = (1.0 - t) * p
    arg = np.argmax(neg_terms, axis=-1)
    neg = np.take_along_axis(neg_terms, arg[..., None], axis=-1)[..., 0]
    margin = neg - pos + 1.0
    cache = (t, arg, margin > 0, y_pred.shape, y_pred.dtype, p_aligned)
    return np.maximum(margin, 0.0).astype(p.dtype, copy=False), cache


def _cat_hinge_backward(dout, cache, needs):
    t, arg, active, p_shape, p_dtype, p_aligned = cache
    g = -t * np.where(active, dout, 0.0)[..., None]
    picked = np.take_along_axis(1.0 - t, arg[..., None], axis=-1)
    dneg = np.zeros_like(g)
    np.put_along_axis(dneg, arg[..., None], picked * np.where(active, dout, 0.0)[..., None],
                      axis=-1)
    return None, _ops.grad_to_pred(g + dneg, p_aligned, p_shape, np.dtype(p_dtype))


def categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` per sample."""
    return call_op(_cat_hinge_forward, _cat_hinge_backward, y_true, y_pred)


class Hinge(SimpleLossMixin, LossFunctionWrapper):
    """Hinge loss between labels (-1/1 or 0/1) and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(SimpleLossMixin, LossFunctionWrapper):
    """Squared hinge loss between labels (-1/1 or 0/1) and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(SimpleLossMixin, LossFunctionWrapper):
    """Categorical hinge loss between one-hot labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge",
                 dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)
