"""Categorical and sparse categorical cross-entropy (one recorded op each).

With `from_logits=True` both run on the fused softmax + cross-entropy kernels from the
registry (`softmax_cross_entropy` / `softmax_cross_entropy_backward`) on a 2-D view:
leading axes (batch, time, ...) are flattened and the class axis moved last.
"""
import warnings

import numpy as np

from nnfast import backend
from nnfast import kernels
from nnfast.autograd.function import call_op, unwrap
from nnfast.losses import _ops
from nnfast.losses.loss import Loss
from nnfast.losses.wrapper import LossFunctionWrapper


def _kernel_pair():
    try:
        return (kernels.get("softmax_cross_entropy"),
                kernels.get("softmax_cross_entropy_backward"))
    except KeyError:        # registry without the fused kernels: same maths in NumPy
        return _softmax_xent_ref, _softmax_xent_ref_backward


def _softmax_xent_ref(logits, labels, sparse):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    probs = e / s
    log_probs = z - np.log(s)
    if sparse:
        loss = -log_probs[np.arange(len(labels)), labels]
    else:
        loss = -(labels * log_probs).sum(axis=1)
    return loss, probs


def _softmax_xent_ref_backward(probs, labels, sparse, dloss):
    if sparse:
        g = probs.copy()
        g[np.arange(len(labels)), labels] -= 1.0
        return g * dloss[:, None]
    # d/dz of -sum(t log softmax(z)) = softmax(z) * sum(t) - t
    return (probs * labels.sum(axis=1, keepdims=True) - labels) * dloss[:, None]


def _logits_loss(z2, labels2, sparse):
    """Run the fused kernel on C-contiguous float32/float64 logits (int64 class ids)."""
    fwd, _ = _kernel_pair()
    out_dtype = z2.dtype
    dtype = out_dtype if out_dtype in (np.float32, np.float64) else np.dtype("float32")
    z2 = np.ascontiguousarray(z2, dtype=dtype)
    labels2 = np.ascontiguousarray(labels2, dtype=np.int64 if sparse else dtype)
    loss, probs = fwd(z2, labels2, sparse)
    return np.asarray(loss, dtype=out_dtype), probs, labels2


def _logits_grad(probs, labels2, sparse, dloss):
    _, bwd = _kernel_pair()
    return bwd(probs, labels2, sparse, np.ascontiguousarray(dloss, dtype=probs.dtype))


def _eps_clip(q):
    eps = backend.epsilon()
    return np.clip(q, eps, 1.0 - eps), (q >= eps) & (q <= 1.0 - eps)


# -- categorical -----------------------------------------------------------------------------

def _cce_forward(y_true, y_pred, from_logits, label_smoothing, axis):
    y_pred = np.asarray(y_pred)
    name = "categorical_crossentropy"
    t, p = _ops.align(name, y_true, y_pred, exact=True)
    if p.ndim == 0:
        raise ValueError(f"{name}: y_pred must have at least rank 1. Received: shape=()")
    ax = _ops.check_axis(name, axis, p.ndim)
    n_classes = p.shape[ax]
    if n_classes == 1:
        warnings.warn(
            f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={p.shape}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=4)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / n_classes
    t, p = np.moveaxis(t, ax, -1), np.moveaxis(p, ax, -1)
    lead = p.shape[:-1]
    meta = (ax, lead, y_pred.shape, y_pred.dtype)
    if from_logits:
        loss, probs, t2 = _logits_loss(p.reshape(-1, n_classes), t.reshape(-1, n_classes),
                                       False)
        return loss.reshape(lead), (True, probs, t2, meta)
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    qc, inside = _eps_clip(q)
    loss = -np.sum(t * np.log(qc), axis=-1)
    return loss.astype(p.dtype, copy=False), (False, (t, q, qc, inside, s), None, meta)


def _cce_backward(dout, cache, needs):
    logits, a, b, (ax, lead, p_shape, p_dtype) = cache
    if logits:
        g = _logits_grad(a, b, False, dout.reshape(-1)).reshape(lead + (a.shape[-1],))
    else:
        t, q, qc, inside, s = a
        gq = np.where(inside, -t / qc, 0.0) * dout[..., None]
        # q = p / sum(p): dL/dp = (dL/dq - sum(dL/dq * q)) / sum(p)
        g = (gq - np.sum(gq * q, axis=-1, keepdims=True)) / s
    g = np.moveaxis(g, -1, ax)
    return None, _ops.grad_to_pred(g, g.shape, p_shape, np.dtype(p_dtype))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or soft) labels and predicted distributions.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: In [0, 1]; labels become `t * (1 - s) + s / num_classes`.
        axis: The class axis.
    """
    y_pred, from_logits = _prefer_logits(y_pred, from_logits, axis)
    return call_op(_cce_forward, _cce_backward, y_true, y_pred, from_logits=bool(from_logits),
                   label_smoothing=float(label_smoothing), axis=axis)


def _prefer_logits(y_pred, from_logits, axis):
    """Probabilities from a softmax layer carry their logits (`_keras_logits`); the loss
    on the logits is the same number, computed stably by the fused kernel."""
    logits = getattr(y_pred, "_keras_logits", None)
    if not from_logits and logits is not None and axis in (-1, np.ndim(y_pred) - 1):
        return logits, True
    return y_pred, from_logits


# -- sparse categorical ----------------------------------------------------------------------

def _sparse_labels(name, y_true, p, ax, ignore_class):
    t = np.asarray(y_true)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{name}: y_true must hold integer class ids. Received dtype {t.dtype}")
    if t.ndim == p.ndim and t.shape[ax] == 1:
        t = np.squeeze(t, axis=ax)
    expected = p.shape[:ax] + p.shape[ax + 1:]
    if t.shape != expected:
        raise ValueError(
            f"{name}: `y_true` must hold one integer class id per prediction, i.e. have "
            f"shape {expected} (or {expected + (1,)}) for y_pred of shape {p.shape}. "
            f"Received: y_true.shape={np.shape(y_true)}, y_pred.shape={p.shape}"
        )
    if t.dtype.kind == "f" and not np.all(np.isfinite(t)):
        raise ValueError(f"{name}: y_true contains NaN or infinite labels.")
    labels = t.astype(np.int64, copy=False)
    n_classes = p.shape[ax]
    valid = None if ignore_class is None else labels != int(ignore_class)
    bad = (labels < 0) | (labels >= n_classes)
    if valid is not None:
        bad &= valid
    if bad.any():
        raise ValueError(
            f"{name}: labels must be integers in [0, {n_classes}) for y_pred with "
            f"{n_classes} classes. Received a label value of {labels[bad].flat[0]}."
        )
    if valid is not None:
        labels = np.where(valid, labels, 0)
    return labels, valid


def _scce_forward(y_true, y_pred, from_logits, ignore_class, axis):
    y_pred = np.asarray(y_pred)
    name = "sparse_categorical_crossentropy"
    p = _ops.pred_array(name, y_pred)
    if p.ndim == 0:
        raise ValueError(f"{name}: y_pred must have at least rank 1. Received: shape=()")
    ax = _ops.check_axis(name, axis, p.ndim)
    labels, valid = _sparse_labels(name, y_true, p, ax, ignore_class)
    p = np.moveaxis(p, ax, -1)
    lead, n_classes = p.shape[:-1], p.shape[-1]
    l2 = labels.reshape(-1)
    if from_logits:
        loss, probs, l2 = _logits_loss(p.reshape(-1, n_classes), l2, True)
        saved = probs
    else:
        p2 = p.reshape(-1, n_classes)
        s = p2.sum(axis=1)
        rows = np.arange(len(l2))
        qy = p2[rows, l2] / s
        qyc, inside = _eps_clip(qy)
        loss = -np.log(qyc)
        saved = (p2, s, qy, qyc, inside)
    loss = loss.reshape(lead)
    mask = None if valid is None else valid.reshape(lead)
    if mask is not None:
        loss = np.where(mask, loss, 0.0).astype(p.dtype, copy=False)
    cache = (from_logits, saved, l2, mask, ax, lead, y_pred.shape, p.dtype)
    return loss.astype(p.dtype, copy=False), cache


def _scce_backward(dout, cache, needs):
    from_logits, saved, l2, mask, ax, lead, p_shape, p_dtype = cache
    if mask is not None:
        dout = np.where(mask, dout, 0.0)
    d = dout.reshape(-1)
    if from_logits:
        g = _logits_grad(saved, l2, True, d)
    else:
        p2, s, qy, qyc, inside = saved
        gqy = np.where(inside, -1.0 / qyc, 0.0) * d
        # dL/dp_k = g_y ([k == y] - q_y) / sum(p)
        g = np.broadcast_to((-gqy * qy / s)[:, None], p2.shape).copy()
        g[np.arange(len(l2)), l2] += gqy / s
    g = np.moveaxis(g.reshape(lead + (g.shape[-1],)), -1, ax)
    return None, _ops.grad_to_pred(g, g.shape, p_shape, np.dtype(p_dtype))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy between integer class ids and predicted distributions.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        ignore_class: Optional class id whose entries contribute no loss (and are left out
            of the "sum_over_batch_size" mean, as in Keras).
        axis: The class axis.
    """
    y_pred, from_logits = _prefer_logits(y_pred, from_logits, axis)
    out = call_op(_scce_forward, _scce_backward, y_true, y_pred,
                  from_logits=bool(from_logits), ignore_class=ignore_class, axis=axis)
    if ignore_class is not None:
        # Keras marks ignored entries with a mask so the mean runs over valid ones only;
        # the labels were validated by the op, so their size matches the output.
        labels = np.asarray(unwrap(y_true))
        out._keras_mask = (labels != ignore_class).reshape(out.shape)
    return out


# -- classes ---------------------------------------------------------------------------------

class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between one-hot labels and predictions.

    Args:
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: In [0, 1]; labels become `t * (1 - s) + s / num_classes`.
        axis: The class axis.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy",
                 dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits,
                       "label_smoothing": self.label_smoothing, "axis": self.axis})
        return config


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between integer labels and predictions.

    Args:
        from_logits: Whether `y_pred` holds logits.
        ignore_class: Optional class id to leave out of the loss.
        axis: The class axis.
    """

    def __init__(self, from_logits=False, ignore_class=None,
                 reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)

    def get_config(self):
        config = super().get_config()
        config.pop("fn")
        return config
