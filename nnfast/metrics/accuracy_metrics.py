"""Accuracy metrics: exact, binary, categorical, sparse categorical and top-k."""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap
from nnfast.losses.loss import squeeze_or_expand_to_same_rank
from nnfast.metrics.metric import MeanMetricWrapper


def _arr(x):
    arr = unwrap(x)
    return arr if isinstance(arr, np.ndarray) else np.asarray(arr)


def _pred(y_pred):
    p = _arr(y_pred)
    return p if p.dtype.kind == "f" else p.astype(backend.floatx())


def _as_float(matches):
    return matches.astype(backend.floatx())


def accuracy(y_true, y_pred):
    """1.0 where `y_pred` equals `y_true` exactly, else 0.0."""
    p = _pred(y_pred)
    t = _arr(y_true).astype(p.dtype, copy=False)
    t, p = squeeze_or_expand_to_same_rank(t, p)
    return _as_float(t == p)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `y_pred > threshold` matches the 0/1 label, else 0.0."""
    t = _arr(y_true)
    p = _pred(y_pred)
    t, p = squeeze_or_expand_to_same_rank(t, p)
    return _as_float(t == (p > threshold).astype(t.dtype))


def categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of `y_pred` is the argmax of the one-hot `y_true`."""
    t = np.argmax(_arr(y_true), axis=-1)
    p = _pred(y_pred)
    if t.ndim == p.ndim and t.ndim and t.shape[-1] == 1:
        t = t[..., 0]
    return _as_float(t == np.argmax(p, axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of `y_pred` equals the integer label, else 0.0."""
    p = _pred(y_pred)
    t = _arr(y_true)
    org_shape = t.shape
    reshape = False
    if t.ndim == p.ndim and t.shape[-1] == 1:
        t = t[..., 0]
        reshape = True
    matches = t.astype(p.dtype, copy=False) == np.argmax(p, axis=-1)
    if reshape:
        matches = matches.reshape(org_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return _as_float(matches)


def _in_top_k(targets, scores, k):
    """TF's in_top_k: the target's score is among the k largest (ties count as in)."""
    target_scores = np.take_along_axis(scores, targets[:, None], axis=1)
    return np.sum(scores > target_scores, axis=1) < k


def _check_ids(name, ids, n_classes):
    if ids.size and (ids.min() < 0 or ids.max() >= n_classes):
        bad = ids[(ids < 0) | (ids >= n_classes)][0]
        raise ValueError(
            f"{name}: labels must be in [0, {n_classes}). Received a label value of {bad}."
        )


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target is among the `k` highest-scored classes."""
    p = _pred(y_pred)
    t = np.argmax(_arr(y_true), axis=-1)
    matches = _in_top_k(t.reshape(-1), p.reshape(-1, p.shape[-1]), k)
    return _as_float(matches.reshape(t.shape))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer target is among the `k` highest-scored classes.

    Args:
        k: Number of top classes to look at.
        from_sorted_ids: `y_pred` holds class ids sorted by score instead of scores.
    """
    p = _pred(y_pred) if not from_sorted_ids else _arr(y_pred)
    t = _arr(y_true)
    org_shape = t.shape
    flat_t = t.reshape(-1)
    p2 = p.reshape(-1, p.shape[-1])
    if from_sorted_ids:
        matches = np.any(flat_t[:, None] == p2[:, :k], axis=1)
    else:
        ids = flat_t.astype(np.int64)
        _check_ids("sparse_top_k_categorical_accuracy", ids, p2.shape[-1])
        matches = _in_top_k(ids, p2, k)
    return _as_float(matches.reshape(org_shape))


class _NameDtypeConfig:
    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class Accuracy(_NameDtypeConfig, MeanMetricWrapper):
    """How often predictions equal labels."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often predictions match binary labels.

    Args:
        threshold: Predictions above it count as 1.
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(_NameDtypeConfig, MeanMetricWrapper):
    """How often the predicted class matches the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(_NameDtypeConfig, MeanMetricWrapper):
    """How often the predicted class matches the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the top `k` predictions.

    Args:
        k: Number of top classes to look at.
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the top `k` predictions.

    Args:
        k: Number of top classes to look at.
        from_sorted_ids: `y_pred` holds class ids sorted by score instead of scores.
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
