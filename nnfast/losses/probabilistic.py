"""Binary cross-entropy (plain and focal), KL divergence and Poisson losses.

Probabilities are clipped to [epsilon, 1 - epsilon] as Keras does (the gradient is zero
where the clip is active); `from_logits=True` uses the exact, stable logistic form.
"""
import numpy as np

from nnfast import backend
from nnfast.losses import _ops
from nnfast.losses.loss import Loss
from nnfast.losses.wrapper import LossFunctionWrapper, SimpleLossMixin


def sigmoid(x):
    """Logistic function, stable for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _smooth_binary(t, label_smoothing):
    return t * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else t


def _clip_probs(p):
    eps = backend.epsilon()
    pc = np.clip(p, eps, 1.0 - eps)
    return pc, (p >= eps) & (p <= 1.0 - eps)


def _bce_values(t, pc):
    return -(t * np.log(pc) + (1.0 - t) * np.log1p(-pc))


def _bce_dprob(t, pc, inside):
    return np.where(inside, (1.0 - t) / (1.0 - pc) - t / pc, 0.0)


def _bce_grad(t, p, aux, from_logits, label_smoothing):
    if from_logits:
        ts = aux
        return sigmoid(p) - ts
    ts, pc, inside = aux
    return _bce_dprob(ts, pc, inside)


@_ops.term_with_grad(_bce_grad)
def _bce(t, p, from_logits, label_smoothing):
    t = _smooth_binary(t, label_smoothing)
    if from_logits:
        # max(x, 0) - x t + log(1 + exp(-|x|)): exact, no overflow.
        return np.maximum(p, 0.0) - p * t + np.log1p(np.exp(-np.abs(p))), t
    pc, inside = _clip_probs(p)
    return _bce_values(t, pc), (t, pc, inside)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over `axis`.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: In [0, 1]; labels are squeezed towards 0.5.
        axis: The axis along which the mean is taken.
    """
    return _ops.elementwise_loss("binary_crossentropy", _bce, y_true, y_pred, axis=axis,
                                 exact=True, from_logits=bool(from_logits),
                                 label_smoothing=float(label_smoothing))


def _focal_grad(t, p, aux, apply_class_balancing, alpha, gamma, from_logits,
                label_smoothing):
    ts, s, pc, inside, bce, one_m, focal, w = aux
    if gamma == 0:
        dfocal = 0.0
    elif gamma == 1:
        dfocal = -(2.0 * ts - 1.0)
    else:
        powm1 = np.power(one_m, gamma - 1.0, where=one_m > 0, out=np.zeros_like(one_m))
        dfocal = -gamma * powm1 * (2.0 * ts - 1.0)
    ds = w * (dfocal * bce + focal * _bce_dprob(ts, pc, inside))
    return ds * (s * (1.0 - s)) if from_logits else ds


@_ops.term_with_grad(_focal_grad)
def _focal(t, p, apply_class_balancing, alpha, gamma, from_logits, label_smoothing):
    ts = _smooth_binary(t, label_smoothing)
    s = sigmoid(p) if from_logits else p
    pc, inside = _clip_probs(s)
    bce = _bce_values(ts, pc)
    one_m = 1.0 - (ts * s + (1.0 - ts) * (1.0 - s))
    focal = np.power(one_m, gamma)
    w = ts * alpha + (1.0 - ts) * (1.0 - alpha) if apply_class_balancing else 1.0
    return w * focal * bce, (ts, s, pc, inside, bce, one_m, focal, w)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary focal cross-entropy (Lin et al. 2018), averaged over `axis`.

    Args:
        apply_class_balancing: Weigh class 1 by `alpha` and class 0 by `1 - alpha`.
        alpha: Balancing factor for class 1.
        gamma: Focusing parameter; 0 gives plain binary cross-entropy.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: In [0, 1]; labels are squeezed towards 0.5.
        axis: The axis along which the mean is taken.
    """
    return _ops.elementwise_loss(
        "binary_focal_crossentropy", _focal, y_true, y_pred, axis=axis, exact=True,
        apply_class_balancing=bool(apply_class_balancing), alpha=float(alpha),
        gamma=float(gamma), from_logits=bool(from_logits),
        label_smoothing=float(label_smoothing))


def _kld_grad(t, p, aux):
    tc, pc, inside = aux
    return np.where(inside, -tc / pc, 0.0)


@_ops.term_with_grad(_kld_grad)
def _kld(t, p):
    eps = backend.epsilon()
    tc = np.clip(t, eps, 1.0)
    pc = np.clip(p, eps, 1.0)
    return tc * np.log(tc / pc), (tc, pc, (p >= eps) & (p <= 1.0))


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred), axis=-1)`, both
    clipped to [epsilon, 1]."""
    return _ops.elementwise_loss("kl_divergence", _kld, y_true, y_pred, reduce="sum")


@_ops.term_with_grad(lambda t, p, denom: 1.0 - t / denom)
def _poisson(t, p):
    denom = p + backend.epsilon()
    return p - t * np.log(denom), denom


def poisson(y_true, y_pred):
    """Poisson loss `mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    return _ops.elementwise_loss("poisson", _poisson, y_true, y_pred)


# -- classes ---------------------------------------------------------------------------------

class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy between 0/1 labels and predicted probabilities (or logits).

    Args:
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: In [0, 1]; labels are squeezed towards 0.5.
        axis: The axis along which the mean is taken.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits,
                       "label_smoothing": self.label_smoothing, "axis": self.axis})
        return config


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy; see `binary_focal_crossentropy` for the arguments."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                 from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_focal_crossentropy",
                 dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, apply_class_balancing=apply_class_balancing,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits,
                       "label_smoothing": self.label_smoothing, "axis": self.axis,
                       "apply_class_balancing": self.apply_class_balancing,
                       "alpha": self.alpha, "gamma": self.gamma})
        return config


class KLDivergence(SimpleLossMixin, LossFunctionWrapper):
    """Kullback-Leibler divergence between label and predicted distributions."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(SimpleLossMixin, LossFunctionWrapper):
    """Poisson loss `y_pred - y_true * log(y_pred)`."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)
