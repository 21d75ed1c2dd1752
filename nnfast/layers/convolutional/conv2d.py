"""Conv2D: 2-D convolution over images."""
from nnfast.layers.convolutional.base_conv import BaseConv


class Conv2D(BaseConv):
    """2D convolution layer.

    Args:
        filters, kernel_size, strides, dilation_rate, groups, activation, use_bias,
        initializers, regularizers, constraints: as in `BaseConv`.
        padding: "valid" or "same".
        data_format: "channels_last" (`(batch, height, width, channels)`) or
            "channels_first" (`(batch, channels, height, width)`).

    Input shape: 4-D `(batch, height, width, channels)` (channels_last).
    Output shape: 4-D `(batch, new_height, new_width, filters)`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            groups=groups, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


Convolution2D = Conv2D
