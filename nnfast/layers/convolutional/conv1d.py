"""Conv1D: 1-D convolution (temporal convolution), with Keras's "causal" padding."""
from nnfast.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution layer (e.g. temporal convolution).

    Args:
        filters, kernel_size, strides, dilation_rate, groups, activation, use_bias,
        initializers, regularizers, constraints: as in `BaseConv`.
        padding: "valid", "same" or "causal" (`output[t]` depends on `inputs[:t + 1]`
            only: (kernel_size - 1) * dilation_rate zeros are padded before).
        data_format: "channels_last" (`(batch, steps, channels)`) or "channels_first".

    Input shape: 3-D `(batch, steps, channels)` (channels_last).
    Output shape: 3-D `(batch, new_steps, filters)`.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=1, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            groups=groups, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


Convolution1D = Conv1D
