"""BaseConvTranspose, the transposed convolution layer (Conv1DTranspose, Conv2DTranspose):
`activation(conv_transpose(inputs, kernel) + bias)`, kernel (*kernel_size, filters, in)."""
from nnfast import activations, constraints, initializers, regularizers
from nnfast.layers.convolutional.base_conv import channel_axis, check_positive, conv_args
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops import core, nn_conv
from nnfast.ops._conv_utils import standardize_tuple, transpose_output_size


class BaseConvTranspose(Layer):
    """Abstract N-D transposed convolution layer.

    Args:
        rank: 1 or 2.
        filters: int, the number of output channels.
        kernel_size, strides, dilation_rate: int or `rank` ints.
        padding: "valid" or "same" (TensorFlow's output size: `inputs * strides` for
            "same").
        output_padding: None, or int / `rank` ints added to the output size (each
            smaller than the stride).
        data_format, activation, use_bias, initializers, regularizers, constraints: as
            in `BaseConv`.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        groups = kwargs.pop("groups", 1)     # Keras 2 configs carry groups=1
        if groups not in (1, None):
            raise ValueError(f"{type(self).__name__} does not take `groups`. Received: "
                             f"groups={groups}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        conv_args(self, rank, kernel_size, strides, padding, data_format, dilation_rate)
        check_positive(filters, "filters")
        if 0 in self.kernel_size:
            raise ValueError("The argument `kernel_size` cannot contain 0. Received "
                             f"kernel_size={self.kernel_size}.")
        self.filters = filters
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
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
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        outputs = nn_conv.conv_transpose(
            inputs, self.kernel, strides=self.strides, padding=self.padding,
            output_padding=self.output_padding, data_format=self.data_format,
            dilation_rate=self.dilation_rate)
        if self.use_bias:
            shape = ((1,) * (self.rank + 1) + (self.filters,)
                     if self.data_format == "channels_last"
                     else (1, self.filters) + (1,) * self.rank)
            outputs = outputs + core.reshape(self.bias, shape)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(
            None if n is None else transpose_output_size(
                n, k, s, d, self.padding,
                None if self.output_padding is None else self.output_padding[a])
            for a, (n, k, s, d) in enumerate(zip(spatial, self.kernel_size, self.strides,
                                                 self.dilation_rate)))
        if last:
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def get_config(self):
        config = {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
        return {**super().get_config(), **config}
