"""`BasePooling`: the windowed pools' shared arguments, shape inference and config."""
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops._conv_utils import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)


class BasePooling(Layer):
    """Args:
        pool_size: int or tuple of `rank` ints, the window.
        strides: int, tuple or None (= pool_size).
        padding: "valid" or "same" (TensorFlow's rule).
        data_format: "channels_last" (default) or "channels_first".
    """

    rank = None
    _op = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", name)
        self.strides = self.pool_size if strides is None else \
            standardize_tuple(strides, self.rank, "strides", name)
        self.padding = standardize_padding(padding, op=name)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return type(self)._op(inputs, self.pool_size, self.strides, self.padding,
                              self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axes = range(2, 2 + self.rank) if self.data_format == "channels_first" \
            else range(1, 1 + self.rank)
        for axis, k, s in zip(axes, self.pool_size, self.strides):
            size = shape[axis]
            if size is None:
                continue
            if self.padding == "same":
                shape[axis] = -(-size // s)
            else:
                if size < k:
                    raise ValueError(
                        f"{type(self).__name__} {self.name!r}: the pool size {self.pool_size} "
                        f"is larger than the input {tuple(input_shape)} with padding='valid'.")
                shape[axis] = (size - k) // s + 1
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


