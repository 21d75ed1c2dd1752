"""`Metric` base class and the reduction metrics `Sum`, `Mean` and `MeanMetricWrapper`.

Metrics are bookkeeping, not training: they run on plain NumPy (no tape), keep their
state in non-trainable `Variable`s (updated in place), and `result()` returns a 0-d (or
1-d, for several thresholds) Tensor so both `float(m.result())` and `.numpy()` work.
"""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap, wrap
from nnfast.autograd.variable import Variable
from nnfast.losses.loss import (
    apply_mask,
    get_mask,
    squeeze_or_expand_to_same_rank,
    standardize_dtype,
)
from nnfast.saving.serialization import serialize_keras_object
from nnfast.utils.naming import auto_name


class Metric:
    """Encapsulates metric logic and state.

    Subclasses create their state in `__init__` with `add_variable`, accumulate it in
    `update_state(...)` and compute the value in `result()`.

    Args:
        name: Optional name of the metric instance (its key in the training logs).
        dtype: Dtype of the state and result; defaults to `backend.floatx()`.
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or auto_name(type(self))
        self._dtype = standardize_dtype(dtype)
        self._variables = []
        self._metrics = []

    def __setattr__(self, key, value):
        # Track nested metrics so `variables` and `reset_state` reach their state.
        if isinstance(value, Metric) and key != "_metrics" and "_metrics" in self.__dict__:
            if value not in self._metrics:
                self._metrics.append(value)
        object.__setattr__(self, key, value)

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        out = list(self.__dict__.get("_variables", ()))
        for m in self.__dict__.get("_metrics", ()):
            out.extend(m.variables)
        return out

    @property
    def weights(self):
        return self.variables

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """Create a non-trainable state variable owned by this metric."""
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call `super().__init__()` in `__init__` before "
                "creating variables."
            )
        dtype = backend.standardize_dtype(dtype or self._dtype)
        shape = tuple(int(d) for d in shape)
        var = Variable(_initial_value(initializer, shape, dtype), dtype=dtype,
                       trainable=False, name=name or "variable", aggregation=aggregation,
                       synchronization="on_read")
        var.path = f"{self.name}/{var.name}"
        self._variables.append(var)
        return var

    def add_weight(self, name=None, shape=(), initializer=None, dtype=None,
                   aggregation="sum", **kwargs):
        """Keras 2 spelling of `add_variable` (any argument order by keyword)."""
        return self.add_variable(shape, initializer=initializer or "zeros", dtype=dtype,
                                 aggregation=aggregation, name=name)

    def update_state(self, *args, **kwargs):
        """Accumulate statistics for the metric."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self):
        """The current value of the metric."""
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self):
        """Zero every state variable (called at the start of each epoch)."""
        for v in self.variables:
            v._value[...] = 0

    def reset_states(self):
        """Keras 2 alias of `reset_state`."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """Update the state with one batch and return the running result (Keras 2 habit)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _initial_value(initializer, shape, dtype):
    if initializer in (None, "zeros", "Zeros"):
        return np.zeros(shape, dtype=dtype)
    if initializer in ("ones", "Ones"):
        return np.ones(shape, dtype=dtype)
    if isinstance(initializer, (int, float)):
        return np.full(shape, initializer, dtype=dtype)
    from nnfast import initializers

    return np.asarray(unwrap(initializers.get(initializer)(shape, dtype=dtype)), dtype=dtype)


def result_tensor(value, dtype):
    return wrap(np.asarray(value, dtype=dtype))


def divide_no_nan(a, b):
    a, b = np.asarray(a), np.asarray(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != 0, a / np.where(b != 0, b, 1), 0).astype(a.dtype, copy=False)


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Per-sample values (and weights) as Keras reduces them before summing."""
    mask = get_mask(values)
    values = np.asarray(unwrap(values), dtype=dtype)
    if sample_weight is not None:
        sample_weight = np.asarray(unwrap(sample_weight), dtype=dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.ndim, values.ndim
        if v_ndim > w_ndim:
            values = reduce_fn(values, axis=tuple(range(w_ndim, v_ndim)))
        try:
            sample_weight = np.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ValueError(
                "Metric: `sample_weight` cannot be broadcast to the per-sample values. "
                f"Received: sample_weight.shape={sample_weight.shape}, "
                f"values.shape={values.shape}"
            ) from None
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the given values."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, np.sum, self.dtype)
        self.total._value += values.sum()

    def result(self):
        return result_tensor(self.total._value, self.dtype)


class Mean(Metric):
    """The (weighted) mean of the given values: `total / count`."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, np.mean,
                                                            self.dtype)
        self.total._value += values.sum()
        if sample_weight is not None:
            n = sample_weight.sum()
        else:
            n = values.shape[0] if values.ndim >= 1 else 1
        self.count._value += n

    def result(self):
        return result_tensor(divide_no_nan(self.total._value, self.count._value), self.dtype)


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Args:
        fn: The metric function.
        name: Optional name of the metric instance.
        dtype: Dtype of the state and result.
        **kwargs: Keyword arguments passed on to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(
                f"MeanMetricWrapper expects a callable `fn`. Received: fn={fn!r}"
            )
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = apply_mask(sample_weight, mask, self.dtype, reduction="sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {**super().get_config(), "fn": serialize_keras_object(self._fn)}
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            from nnfast.metrics import deserialize_function

            config["fn"] = deserialize_function(config["fn"])
        return cls(**config)
