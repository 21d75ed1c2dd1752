"""`LossFunctionWrapper`: a per-sample loss function as a `Loss` with a reduction."""
import numpy as np

from nnfast.autograd.function import unwrap, wrap
from nnfast.losses.loss import Loss, squeeze_or_expand_to_same_rank
from nnfast.saving.serialization import serialize_keras_object


class LossFunctionWrapper(Loss):
    """Wrap `fn(y_true, y_pred, **kwargs) -> per-sample losses` as a `Loss`.

    Args:
        fn: The loss function.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: Dtype of the computation; defaults to `backend.floatx()`.
        **kwargs: Keyword arguments passed on to `fn`.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None,
                 **kwargs):
        if not callable(fn):
            raise TypeError(
                f"LossFunctionWrapper expects a callable `fn`. Received: fn={fn!r}"
            )
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if _is_builtin(self.fn):
            # Built-in losses align ranks inside their single op (nothing extra recorded).
            return self.fn(y_true, y_pred, **self._fn_kwargs)
        y_true = _labels_tensor(y_true, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config["fn"] = serialize_keras_object(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.get("fn")
        if isinstance(fn, (str, dict)):
            from nnfast.losses import deserialize

            config["fn"] = deserialize(fn)
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class SimpleLossMixin:
    """For wrapper subclasses whose config is just name and reduction (as Keras's)."""

    def get_config(self):
        return Loss.get_config(self)


def _is_builtin(fn):
    return (getattr(fn, "__module__", None) or "").startswith("nnfast.losses")


def _labels_tensor(y_true, dtype):
    """Targets for a user loss function: a Tensor of the loss dtype (Keras converts
    y_true to the loss dtype before calling `fn`)."""
    from nnfast.autograd.tensor import Tensor
    from nnfast.autograd.variable import Variable

    if isinstance(y_true, (Tensor, Variable)) and np.dtype(y_true.dtype) == np.dtype(dtype):
        return y_true
    return wrap(np.asarray(unwrap(y_true), dtype=dtype))
