"""BaseDepthwiseConv (DepthwiseConv1D, DepthwiseConv2D): each input channel convolved with
its own `depth_multiplier` filters, then bias and activation — one fused op."""
from nnfast import activations, constraints, initializers, regularizers
from nnfast.layers.convolutional.base_conv import (
    channel_axis, check_positive, conv_args, conv_output_shape, fused_kind,
)
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops import nn_conv


class BaseDepthwiseConv(Layer):
    """Abstract N-D depthwise convolution layer.

    Args:
        rank: 1 or 2.
        depth_multiplier: output channels per input channel (output channel c*M + m is
            input channel c through filter m).
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias:
            as in `BaseConv`.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the
            kernel `(*kernel_size, channels, depth_multiplier)`.
        bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: as in
            Keras.
    """

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        # Keras 2 configs of DepthwiseConv2D (a Conv2D subclass there) carry these.
        for key, default in (("groups", 1), ("filters", None)):
            if kwargs.pop(key, default) not in (default, 1):
                raise ValueError(f"{type(self).__name__} does not take `{key}`.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        conv_args(self, rank, kernel_size, strides, padding, data_format, dilation_rate)
        check_positive(depth_multiplier, "depth_multiplier")
        if 0 in self.kernel_size:
            raise ValueError("The argument `kernel_size` cannot contain 0. Received "
                             f"kernel_size={self.kernel_size}.")
        self.depth_multiplier = depth_multiplier
        self.activation = activations.get(activation)
        self._fused = fused_kind(self.activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)

    def build(self, input_shape):
        axis = channel_axis(self.data_format)
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channel dimension of "
                             f"the input must be known. Received: input_shape="
                             f"{tuple(input_shape)}")
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={axis: channels})
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.depth_multiplier * channels,),
                initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        kind, alpha = self._fused or ("linear", 0.0)
        outputs = nn_conv.depthwise_conv_bias_activation(
            inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
            dilation_rate=self.dilation_rate, activation=kind, alpha=alpha,
            data_format=self.data_format)
        return outputs if self._fused else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        channels = input_shape[channel_axis(self.data_format)]
        return conv_output_shape(input_shape,
                                 None if channels is None else channels * self.depth_multiplier,
                                 self.kernel_size, self.strides, self.padding,
                                 self.data_format, self.dilation_rate)

    def get_config(self):
        config = {
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
        return {**super().get_config(), **config}
