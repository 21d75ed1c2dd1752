"""Regression metrics: MSE, MAE, MAPE, MSLE, RMSE, cosine similarity and log-cosh."""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap
from nnfast.losses.loss import squeeze_or_expand_to_same_rank
from nnfast.losses.regression import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from nnfast.metrics.metric import Mean, MeanMetricWrapper, divide_no_nan, result_tensor


def _float_pair(y_true, y_pred, dtype=None):
    p = np.asarray(unwrap(y_pred))
    if dtype is None:
        dtype = p.dtype if p.dtype.kind == "f" else backend.floatx()
    t = np.asarray(unwrap(y_true), dtype=dtype)
    return squeeze_or_expand_to_same_rank(t, p.astype(dtype, copy=False))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine similarity along `axis` (1 means the same direction)."""
    t, p = _float_pair(y_true, y_pred)
    floor = backend.epsilon() ** 2
    tn = t / np.sqrt(np.maximum(np.sum(t * t, axis=axis, keepdims=True), floor))
    pn = p / np.sqrt(np.maximum(np.sum(p * p, axis=axis, keepdims=True), floor))
    return np.sum(tn * pn, axis=axis)


class _NameDtypeConfig:
    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_NameDtypeConfig, MeanMetricWrapper):
    """Mean squared error between `y_true` and `y_pred`."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_NameDtypeConfig, MeanMetricWrapper):
    """Mean absolute error between `y_true` and `y_pred`."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_NameDtypeConfig, MeanMetricWrapper):
    """Mean absolute percentage error between `y_true` and `y_pred`."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fn=mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_NameDtypeConfig, MeanMetricWrapper):
    """Mean squared logarithmic error between `y_true` and `y_pred`."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fn=mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(_NameDtypeConfig, MeanMetricWrapper):
    """Mean log-cosh of the prediction error."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(fn=log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity between labels and predictions.

    Args:
        axis: The axis along which the similarity is computed.
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(fn=cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class RootMeanSquaredError(_NameDtypeConfig, Mean):
    """Square root of the mean squared error over everything seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = _float_pair(y_true, y_pred, self.dtype)
        err = p - t
        super().update_state(err * err, sample_weight=sample_weight)

    def result(self):
        mean = divide_no_nan(self.total._value, self.count._value)
        return result_tensor(np.sqrt(mean), self.dtype)
