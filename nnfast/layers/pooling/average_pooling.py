"""AveragePooling1D and AveragePooling2D: the mean of each window (real values only)."""
from nnfast.layers.pooling.base_pooling import BasePooling
from nnfast.ops.nn_pool import average_pool


class AveragePooling1D(BasePooling):
    """Average pooling over `(batch, steps, features)`; pool_size default 2."""

    rank = 1
    _op = staticmethod(average_pool)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """Average pooling over `(batch, rows, cols, channels)`; pool_size default (2, 2)."""

    rank = 2
    _op = staticmethod(average_pool)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)
