"""Global pooling: the max or mean over every spatial position, per channel."""
import numpy as np

from nnfast import ops
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops._conv_utils import standardize_data_format


class _GlobalPooling(Layer):
    rank = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self):
        start = 2 if self.data_format == "channels_first" else 1
        return tuple(range(start, start + self.rank))

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling):
    """`(batch, steps, features)` -> `(batch, features)` (or keepdims)."""

    rank = 1

    def call(self, inputs):
        return ops.max(inputs, axis=self._axes(), keepdims=self.keepdims)


class GlobalMaxPooling2D(GlobalMaxPooling1D):
    """`(batch, rows, cols, channels)` -> `(batch, channels)` (or keepdims)."""

    rank = 2


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps; with a mask (Keras), over the unmasked steps only."""

    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        axes = self._axes()
        if mask is None:
            return ops.mean(inputs, axis=axes, keepdims=self.keepdims)
        weights = np.asarray(mask, dtype=np.asarray(inputs).dtype)
        weights = weights[:, None, :] if self.data_format == "channels_first" else weights[..., None]
        total = ops.sum(ops.multiply(inputs, weights), axis=axes, keepdims=self.keepdims)
        count = np.maximum(weights.sum(axis=axes, keepdims=self.keepdims), 1e-12)
        return ops.divide(total, count)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """`(batch, rows, cols, channels)` -> `(batch, channels)` (or keepdims)."""

    rank = 2

    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes(), keepdims=self.keepdims)
