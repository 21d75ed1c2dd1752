"""MaxPooling1D and MaxPooling2D: the maximum of each window."""
from nnfast.layers.pooling.base_pooling import BasePooling
from nnfast.ops.nn_pool import max_pool


class MaxPooling1D(BasePooling):
    """Max pooling over `(batch, steps, features)`; pool_size default 2."""

    rank = 1
    _op = staticmethod(max_pool)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(BasePooling):
    """Max pooling over `(batch, rows, cols, channels)`; pool_size default (2, 2)."""

    rank = 2
    _op = staticmethod(max_pool)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)
