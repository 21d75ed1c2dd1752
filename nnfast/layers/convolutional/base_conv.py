"""BaseConv, the N-D convolution layer (Conv1D, Conv2D), and the argument handling every
convolution layer shares (conv_args, conv_output_shape, fused_kind).

A convolution layer is one fused op on the hot path: `conv_bias_activation` (the
convolution, the bias and the activation, one tape entry), unless the activation is not
one the kernels run, in which case it is applied after.
"""
from numbers import Integral

from nnfast import activations, constraints, initializers, regularizers
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops import nn_conv
from nnfast.ops._conv_utils import (
    standardize_data_format, standardize_padding, standardize_tuple,
)


def conv_args(layer, rank, kernel_size, strides, padding, data_format, dilation_rate,
              allow_causal=False):
    """Validate and store the geometry arguments of a convolution layer (Keras's
    checks and messages)."""
    layer.rank = rank
    layer.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
    layer.strides = standardize_tuple(strides, rank, "strides")
    layer.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
    layer.padding = standardize_padding(padding, allow_causal=allow_causal and rank == 1)
    layer.data_format = standardize_data_format(data_format)
    if max(layer.strides) > 1 and max(layer.dilation_rate) > 1:
        raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > "
                         f"1`. Received: strides={layer.strides} and "
                         f"dilation_rate={layer.dilation_rate}")


def channel_axis(data_format):
    return -1 if data_format == "channels_last" else 1


def conv_output_shape(input_shape, filters, kernel_size, strides, padding, data_format,
                      dilation_rate):
    """Keras's compute_conv_output_shape: unknown (None) sizes stay None; a valid
    convolution that does not fit raises."""
    input_shape = tuple(input_shape)
    spatial = input_shape[1:-1] if data_format == "channels_last" else input_shape[2:]
    if len(spatial) != len(kernel_size):
        raise ValueError(f"Kernel shape must have the same length as input, but received "
                         f"kernel of shape {tuple(kernel_size) + (None, filters)} and input "
                         f"of shape {input_shape}.")
    out = []
    for n, k, s, d in zip(spatial, kernel_size, strides, dilation_rate):
        if n is None:
            out.append(None)
        elif padding == "valid":
            size = (n - d * (k - 1) - 1) // s + 1
            if size <= 0:
                raise ValueError(f"Computed output size would be zero or negative. Received "
                                 f"`inputs shape={input_shape}`, `kernel shape="
                                 f"{tuple(kernel_size)}`, `dilation_rate={dilation_rate}`, "
                                 f"`strides={strides}`, `padding={padding}`.")
            out.append(size)
        else:                                    # same, causal
            out.append((n - 1) // s + 1)
    if data_format == "channels_last":
        return (input_shape[0],) + tuple(out) + (filters,)
    return (input_shape[0], filters) + tuple(out)


def fused_kind(activation):
    """(kind, alpha) when the fused op can run `activation`, else None. Softmax kinds stay
    outside: Keras applies them to the last axis of whatever layout the output has."""
    fused = activations.fusable_kind(activation)
    return None if fused is None or fused[0] in ("softmax", "log_softmax") else fused


def check_positive(value, name):
    if value is not None and (isinstance(value, bool) or not isinstance(value, Integral)
                              or value <= 0):
        raise ValueError(f"Invalid value for argument `{name}`. Expected a strictly positive "
                         f"value. Received {name}={value}.")


class BaseConv(Layer):
    """Abstract N-D convolution layer (Conv1D, Conv2D): `activation(conv(inputs, kernel) +
    bias)`.

    Args:
        rank: 1 or 2, the number of spatial axes.
        filters: int, the number of output channels.
        kernel_size, strides, dilation_rate: int or `rank` ints. `strides > 1` is
            incompatible with `dilation_rate > 1`.
        padding: "valid", "same" (TensorFlow's rule) or, for Conv1D, "causal".
        data_format: "channels_last" (native) or "channels_first" (transposed around the
            op); default `image_data_format()`.
        groups: only 1 is supported.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as
            in Keras.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        conv_args(self, rank, kernel_size, strides, padding, data_format, dilation_rate,
                  allow_causal=True)
        check_positive(filters, "filters")
        self.filters = filters
        self.groups = groups or 1
        if self.groups != 1:
            raise ValueError(f"{type(self).__name__}: grouped convolution (groups > 1) is "
                             f"not supported by nnfast; use groups=1. Received: "
                             f"groups={groups}")
        if 0 in self.kernel_size:
            raise ValueError("The argument `kernel_size` cannot contain 0. Received "
                             f"kernel_size={self.kernel_size}.")
        self.activation = activations.get(activation)
        self._fused = fused_kind(self.activation)
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
        self.compute_output_shape(input_shape)      # validates the geometry first
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        kind, alpha = self._fused or ("linear", 0.0)
        outputs = nn_conv.conv_bias_activation(
            inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
            dilation_rate=self.dilation_rate, activation=kind, alpha=alpha,
            data_format=self.data_format)
        return outputs if self._fused else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return conv_output_shape(input_shape, self.filters, self.kernel_size, self.strides,
                                 self.padding, self.data_format, self.dilation_rate)

    def get_config(self):
        config = {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
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
