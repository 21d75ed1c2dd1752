"""Regression losses: MSE, MAE, MAPE, MSLE, Huber, log-cosh and cosine similarity.

Each function is one recorded op returning per-sample values (reduced over the last axis
as Keras does); the classes wrap them with a reduction.
"""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import call_op
from nnfast.losses import _ops
from nnfast.losses.wrapper import LossFunctionWrapper, SimpleLossMixin

_LOG2 = float(np.log(2.0))


# -- elementwise terms and their derivatives w.r.t. y_pred --------------------------------

@_ops.term_with_grad(lambda t, p, d: 2.0 * d)
def _squared(t, p):
    d = p - t
    return d * d, d


@_ops.term_with_grad(lambda t, p, d: np.sign(d))
def _absolute(t, p):
    d = p - t
    return np.abs(d), d


def _pct_grad(t, p, aux):
    d, denom = aux
    return np.sign(d) * (100.0 / denom)


@_ops.term_with_grad(_pct_grad)
def _percentage(t, p):
    eps = backend.epsilon()
    d = p - t
    denom = np.maximum(np.abs(t), eps)
    return (100.0 / denom) * np.abs(d), (d, denom)


def _sq_log_grad(t, p, aux):
    diff, p_clip = aux
    return 2.0 * diff / (p_clip + 1.0) * (p > backend.epsilon())


@_ops.term_with_grad(_sq_log_grad)
def _squared_log(t, p):
    eps = backend.epsilon()
    p_clip = np.maximum(p, eps)
    diff = np.log1p(p_clip) - np.log1p(np.maximum(t, eps))
    return diff * diff, (diff, p_clip)


@_ops.term_with_grad(lambda t, p, d, delta: np.clip(d, -delta, delta))
def _huber(t, p, delta):
    d = p - t
    a = np.abs(d)
    return np.where(a <= delta, 0.5 * d * d, delta * a - 0.5 * delta * delta), d


@_ops.term_with_grad(lambda t, p, d: np.tanh(d))
def _log_cosh(t, p):
    # log(cosh(x)) = x + softplus(-2x) - log 2, stable for large |x|.
    d = p - t
    return d + np.logaddexp(0.0, -2.0 * d) - _LOG2, d


# -- public functions -----------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """Mean of squared errors over the last axis: `mean(square(y_true - y_pred), -1)`."""
    return _ops.elementwise_loss("mean_squared_error", _squared, y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error over the last axis: `mean(abs(y_true - y_pred), -1)`."""
    return _ops.elementwise_loss("mean_absolute_error", _absolute, y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), -1)`."""
    return _ops.elementwise_loss("mean_absolute_percentage_error", _percentage, y_true,
                                 y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), -1)`."""
    return _ops.elementwise_loss("mean_squared_logarithmic_error", _squared_log, y_true,
                                 y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss: quadratic for |error| <= delta, linear beyond; mean over the last axis.

    Args:
        delta: The point where the loss turns from quadratic to linear.
    """
    return _ops.elementwise_loss("huber", _huber, y_true, y_pred, delta=float(delta))


def log_cosh(y_true, y_pred):
    """Mean over the last axis of `log(cosh(y_pred - y_true))`."""
    return _ops.elementwise_loss("log_cosh", _log_cosh, y_true, y_pred)


def _cosine_forward(y_true, y_pred, axis):
    y_pred = np.asarray(y_pred)
    name = "cosine_similarity"
    t, p = _ops.align(name, y_true, y_pred)
    p_aligned = p.shape
    t, p = np.broadcast_arrays(t, p)
    if p.ndim == 0:
        t, p = t.reshape(1), p.reshape(1)
    ax = _ops.check_axis(name, axis, p.ndim)
    floor = backend.epsilon() ** 2       # Keras's l2-normalize clamps the squared norm
    sq_p = np.sum(p * p, axis=ax, keepdims=True)
    r_p = 1.0 / np.sqrt(np.maximum(sq_p, floor))
    r_t = 1.0 / np.sqrt(np.maximum(np.sum(t * t, axis=ax, keepdims=True), floor))
    tn, pn = t * r_t, p * r_p
    cos = np.sum(tn * pn, axis=ax, keepdims=True)
    cache = (tn, pn, r_p, cos, sq_p > floor, ax, y_pred.shape, y_pred.dtype, p_aligned)
    return (-np.squeeze(cos, axis=ax)).astype(p.dtype, copy=False), cache


def _cosine_backward(dout, cache, needs):
    tn, pn, r_p, cos, unclamped, ax, p_shape, p_dtype, p_aligned = cache
    g = np.expand_dims(dout, ax)
    # d(-tn.pn)/dp = -r_p (tn - pn cos) where the norm is not clamped, else -r_p tn.
    grad = -r_p * (tn - np.where(unclamped, pn * cos, 0.0)) * g
    return None, _ops.grad_to_pred(grad, p_aligned, p_shape, np.dtype(p_dtype))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along `axis` (a loss: -1 means identical directions).

    Args:
        axis: The axis along which the similarity is computed.
    """
    return call_op(_cosine_forward, _cosine_backward, y_true, y_pred, axis=axis)


# -- classes ---------------------------------------------------------------------------------

class MeanSquaredError(SimpleLossMixin, LossFunctionWrapper):
    """Mean of squares of errors between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error",
                 dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(SimpleLossMixin, LossFunctionWrapper):
    """Mean of absolute differences between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error",
                 dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(SimpleLossMixin, LossFunctionWrapper):
    """Mean absolute percentage error between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanSquaredLogarithmicError(SimpleLossMixin, LossFunctionWrapper):
    """Mean squared logarithmic error between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class LogCosh(SimpleLossMixin, LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class Huber(LossFunctionWrapper):
    """Huber loss.

    Args:
        delta: The point where the loss changes from quadratic to linear.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self):
        config = super().get_config()
        config.pop("fn")
        return config


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity between labels and predictions.

    Args:
        axis: The axis along which the similarity is computed.
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)

    def get_config(self):
        config = super().get_config()
        config.pop("fn")
        return config
