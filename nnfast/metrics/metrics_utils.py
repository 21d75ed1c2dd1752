"""Thresholded confusion-matrix accumulation shared by AUC, Precision, Recall and the
TP/FP/TN/FN counters — Keras's `update_confusion_matrix_variables`, on NumPy.

For every threshold t a prediction counts as positive when `y_pred > t`. Evenly spaced
thresholds (AUC's) take Keras's bucketed O(N + T) route: a prediction p falls in bucket
`ceil(p * (T - 1)) - 1` and counts as positive for every threshold up to its bucket, so
the counts are a reversed cumulative sum of per-bucket sums.
"""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap
from nnfast.losses.loss import squeeze_or_expand_to_same_rank

NEG_INF = -1e10
KEYS = ("tp", "fp", "tn", "fn")


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """A list of thresholds, checked to lie in [0, 1]."""
    if thresholds is None:
        return [default_threshold]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    bad = [t for t in values if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def is_evenly_distributed_thresholds(thresholds):
    """True for [0, 1/(n-1), ..., 1] with n >= 3 (the bucketed route applies)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def filter_top_k(x, k):
    """Keep the k largest entries of the last axis (ties: lower index first); set the
    rest to NEG_INF."""
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    mask = np.zeros_like(x)
    np.put_along_axis(mask, idx, 1.0, axis=-1)
    return x * mask + NEG_INF * (1.0 - mask)


def update_confusion_matrix_variables(variables, y_true, y_pred, thresholds, top_k=None,
                                      class_id=None, sample_weight=None, multi_label=False,
                                      label_weights=None, thresholds_distributed_evenly=False):
    """Add this batch's weighted TP/FP/TN/FN counts per threshold to `variables`
    (a dict with keys among "tp", "fp", "tn", "fn" mapping to Variables)."""
    invalid = [k for k in variables if k not in KEYS]
    if invalid or not variables:
        raise ValueError(
            f"Invalid confusion matrix keys: {invalid}. Valid keys are {list(KEYS)}."
        )
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled outside of "
            "`update_confusion_matrix_variables` when `multi_label` is True."
        )
    dtype = next(iter(variables.values()))._value.dtype
    t = np.asarray(unwrap(y_true)).astype(dtype)
    p = np.asarray(unwrap(y_pred)).astype(dtype)
    with_eps = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    thr = np.asarray(thresholds, dtype=dtype)
    p, t = squeeze_or_expand_to_same_rank(p, t)
    if t.shape != p.shape:
        try:
            t = np.broadcast_to(t, p.shape)
        except ValueError:
            raise ValueError(
                "Confusion-matrix metric: `y_true` and `y_pred` shapes are incompatible. "
                f"Received: y_true.shape={np.shape(y_true)}, y_pred.shape={np.shape(y_pred)}"
            ) from None
    sw = None
    if sample_weight is not None:
        sw = np.asarray(unwrap(sample_weight), dtype=dtype)[..., None]
        _, sw = squeeze_or_expand_to_same_rank(t, sw, expand_rank_1=False)
    if top_k is not None:
        p = filter_top_k(p, top_k)
    if class_id is not None:
        if p.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {p.shape}"
            )
        t = t[..., class_id, None]
        p = p[..., class_id, None]
    weights = None
    if sw is not None:
        weights = _broadcast_weight(sw, p.shape, "sample_weight")
    if label_weights is not None:
        lw = np.broadcast_to(np.asarray(label_weights, dtype=dtype)[None], p.shape)
        weights = lw if weights is None else weights * lw
    if not multi_label:
        t, p = t.reshape(-1), p.reshape(-1)
        weights = None if weights is None else weights.reshape(-1)
    label = t != 0
    if thresholds_distributed_evenly:
        counts = _bucketed_counts(label, p, weights, len(thr), with_eps, multi_label)
    else:
        counts = _direct_counts(label, p, weights, thr, multi_label)
    for key, var in variables.items():
        var._value += counts[key].astype(dtype, copy=False)


def _broadcast_weight(sw, shape, what):
    try:
        return np.broadcast_to(sw, shape)
    except ValueError:
        raise ValueError(
            f"Confusion-matrix metric: `{what}` of shape {sw.shape} cannot be broadcast to "
            f"y_pred of shape {shape}."
        ) from None


def _direct_counts(label, p, weights, thr, multi_label):
    """Compare every prediction with every threshold: O(N * T), any thresholds."""
    extra = (slice(None),) + (None,) * p.ndim
    pos = p[None] > thr[extra]                       # (T, ...) with ... = p.shape
    w = np.ones(p.shape, dtype=p.dtype) if weights is None else weights
    axis = 1 if multi_label else tuple(range(1, pos.ndim))
    tw, fw = np.where(label, w, 0.0), np.where(label, 0.0, w)
    tp = np.sum(pos * tw, axis=axis)
    fp = np.sum(pos * fw, axis=axis)
    total_t = np.sum(tw, axis=0 if multi_label else None)
    total_f = np.sum(fw, axis=0 if multi_label else None)
    return {"tp": tp, "fp": fp, "fn": total_t - tp, "tn": total_f - fp}


def _bucketed_counts(label, p, weights, n_thr, with_eps, multi_label):
    """Keras's segment-sum route for evenly spaced thresholds: O(N + T)."""
    p = np.clip(p, 0.0, 1.0)
    w = np.ones(p.shape, dtype=np.float64) if weights is None else weights.astype(np.float64)
    true_w = np.where(label, w, 0.0)
    false_w = np.where(label, 0.0, w)
    bucket = np.ceil(p * p.dtype.type(n_thr - 1)) - 1
    if with_eps:
        bucket = np.maximum(bucket, 0)
    bucket = bucket.astype(np.int64)
    keep = bucket >= 0                               # negative segment ids are dropped
    if multi_label:
        n_labels = p.shape[1]
        ids = (bucket + n_thr * np.arange(n_labels)[None, :])[keep]

        def seg(x):
            return np.bincount(ids, weights=x[keep], minlength=n_thr * n_labels).reshape(
                n_labels, n_thr).T
    else:
        ids = bucket[keep]

        def seg(x):
            return np.bincount(ids, weights=x[keep], minlength=n_thr)

    tp = np.cumsum(seg(true_w)[::-1], axis=0)[::-1]
    fp = np.cumsum(seg(false_w)[::-1], axis=0)[::-1]
    total_t = true_w.sum(axis=0 if multi_label else None)
    total_f = false_w.sum(axis=0 if multi_label else None)
    return {"tp": tp, "fp": fp, "fn": total_t - tp, "tn": total_f - fp}
