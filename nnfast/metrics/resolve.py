"""`resolve_metric`: what one entry of `compile(metrics=[...])` becomes.

Keras's rules: "accuracy"/"acc" pick binary, sparse categorical or categorical accuracy
from the loss and the shapes, "crossentropy"/"ce" likewise pick a cross-entropy; strings
keep the user's spelling as the metric's name (it is the key in the logs); a plain
function becomes a `MeanMetricWrapper` named after it; a `Metric` passes through.
"""
import numpy as np

from nnfast import losses as losses_mod
from nnfast.metrics import accuracy_metrics as acc
from nnfast.metrics.metric import Metric, MeanMetricWrapper

_BINARY_LOSSES = (losses_mod.binary_crossentropy, losses_mod.binary_focal_crossentropy)
_BINARY_LOSS_CLASSES = (losses_mod.BinaryCrossentropy, losses_mod.BinaryFocalCrossentropy)


def _loss_kind(loss):
    """"binary", "sparse" or None for a loss given as a string, function or Loss."""
    if loss is None:
        return None
    if isinstance(loss, str):
        try:
            loss = losses_mod.get(loss)
        except ValueError:
            return None
    if isinstance(loss, _BINARY_LOSS_CLASSES):
        return "binary"
    if isinstance(loss, losses_mod.SparseCategoricalCrossentropy):
        return "sparse"
    fn = getattr(loss, "fn", loss)
    if fn in _BINARY_LOSSES:
        return "binary"
    if fn is losses_mod.sparse_categorical_crossentropy:
        return "sparse"
    return None


def _shape_kind(y_true, y_pred):
    if y_pred is None:
        return None
    p_shape = np.shape(y_pred)
    if not p_shape:
        return None
    if p_shape[-1] == 1:
        return "binary"
    if y_true is not None:
        t_shape = np.shape(y_true)
        if len(t_shape) < len(p_shape) or (t_shape and t_shape[-1] == 1 and p_shape[-1] > 1):
            return "sparse"
    return None


def resolve_metric(identifier, loss=None, y_true=None, y_pred=None):
    """The `Metric` object for one `compile(metrics=...)` entry.

    Args:
        identifier: A string, function, `Metric` (instance or class), `Loss` or config dict.
        loss: The output's loss (string, function or `Loss`), consulted for "accuracy".
        y_true: A batch of targets (or anything with the same shape), for "accuracy".
        y_pred: A batch of predictions (or anything with the same shape).
    """
    if identifier is None:
        raise ValueError("Expected a metric, received `None`.")
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc",
                                                               "crossentropy", "ce"):
        kind = _loss_kind(loss) or _shape_kind(y_true, y_pred) or "categorical"
        if identifier.lower() in ("accuracy", "acc"):
            cls = {"binary": acc.BinaryAccuracy, "sparse": acc.SparseCategoricalAccuracy,
                   "categorical": acc.CategoricalAccuracy}[kind]
            return cls(name=identifier)
        fn = {"binary": losses_mod.binary_crossentropy,
              "sparse": losses_mod.sparse_categorical_crossentropy,
              "categorical": losses_mod.categorical_crossentropy}[kind]
        return MeanMetricWrapper(fn, name=identifier)
    from nnfast.metrics import get

    obj = get(identifier)
    if isinstance(obj, Metric):
        if isinstance(identifier, str):
            obj.name = identifier
        return obj
    if isinstance(identifier, str):
        name = identifier
    else:
        name = getattr(obj, "name", None) or getattr(obj, "__name__", None)
        if name is None:
            name = type(obj).__name__
    return MeanMetricWrapper(obj, name=name)
