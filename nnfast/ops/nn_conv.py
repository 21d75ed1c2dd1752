"""Convolution ops: Keras's `conv`, `conv_transpose`, `depthwise_conv`, `separable_conv`,
and `conv_bias_activation`, the fused op a convolution layer runs as ONE tape entry.

All of them run on the registry's NHWC 2-D kernels (`conv2d*`, `depthwise_conv2d*`;
_conv_utils.py maps 1-D and channels_first onto them). The fused op adds the bias and
the activation with `bias_activation_forward` and, backward, runs `activation_backward`,
`bias_grad` and only the convolution gradients the tape asks for: the input gradient of
a first layer is never computed.
"""
import numpy as np

from nnfast import kernels
from nnfast.autograd.function import call_op, unwrap
from nnfast.kernels.numpy_ref.elementwise import KINDS
from nnfast.ops._conv_utils import (
    compute_dtype, contiguous, conv_geometry, conv_transpose_geometry, from_nhwc, kernel_4d,
    to_nhwc,
)
from nnfast.ops.nn_fused import needs_input

__all__ = ["conv", "conv_bias_activation", "conv_transpose", "depthwise_conv",
           "depthwise_conv_bias_activation", "separable_conv"]


def _like(a, dtype):
    """A gradient back in its input's float dtype (ints keep the compute dtype)."""
    return a.astype(dtype) if dtype.kind == "f" and a.dtype != dtype else a


# --- convolution (+ bias + activation), plain or depthwise ----------------------------------
def _conv_forward(x, w, b=None, *, family, geo, kind, alpha):
    dtype = compute_dtype(w)
    x4 = contiguous(to_nhwc(x, geo), dtype)
    w4 = contiguous(kernel_4d(w, geo), dtype)
    z = kernels.get(family)(x4, w4, geo.strides, geo.pads, geo.dilation)
    z2 = z.reshape(-1, z.shape[-1])
    if b is not None:
        # `pre` (z + b) comes back only when the kind's backward needs it.
        y2, pre = kernels.get("bias_activation_forward")(kind, z2, contiguous(b, dtype), alpha)
    elif kind == "linear":
        y2, pre = z2, None
    else:
        y2 = kernels.get("activation_forward")(kind, z2, alpha=alpha)
        pre = z2 if needs_input(kind) else None
    cache = (family, geo, x4, w4, b is not None, kind, alpha, pre, y2, z.shape, x.dtype,
             w.shape)
    return from_nhwc(y2.reshape(z.shape), geo), cache


def _conv_backward(g, cache, needs):
    family, geo, x4, w4, has_bias, kind, alpha, pre, y2, z_shape, x_dtype, w_shape = cache
    dy2 = contiguous(to_nhwc(np.asarray(g), geo), y2.dtype).reshape(y2.shape)
    if kind == "linear":
        dz2 = dy2
    else:
        dz2 = kernels.get("activation_backward")(kind, dy2, pre, y2, alpha=alpha)
    dz = dz2.reshape(z_shape)
    dx = dw = db = None
    if needs[0]:
        dx = kernels.get(family + "_backward_input")(dz, w4, x4.shape, geo.strides, geo.pads,
                                                     geo.dilation)
        dx = _like(from_nhwc(dx, geo), x_dtype)
    if needs[1]:
        dw = kernels.get(family + "_backward_kernel")(x4, dz, w4.shape, geo.strides, geo.pads,
                                                      geo.dilation).reshape(w_shape)
    if has_bias and needs[2]:
        db = kernels.get("bias_grad")(dz2)
    return (dx, dw, db) if has_bias else (dx, dw)


def _run(family, op, inputs, kernel, bias, strides, padding, data_format, dilation_rate,
         activation, alpha, allow_causal=False):
    x, w = unwrap(inputs), unwrap(kernel)
    geo = conv_geometry(op, np.shape(x), np.shape(w), strides, padding, data_format,
                        dilation_rate, allow_causal=allow_causal)
    if activation not in KINDS:
        raise ValueError(f"{op}: unknown activation kind {activation!r}. Expected one of "
                         f"{KINDS}.")
    attrs = {"family": family, "geo": geo, "kind": activation, "alpha": float(alpha)}
    if bias is None:
        return call_op(_conv_forward, _conv_backward, inputs, kernel, **attrs)
    filters = np.shape(w)[-1] * (np.shape(w)[-2] if family == "depthwise_conv2d" else 1)
    if np.shape(unwrap(bias)) != (filters,):
        raise ValueError(f"{op}: `bias` must have shape ({filters},) to match "
                         f"kernel.shape={np.shape(w)}. Received: bias.shape="
                         f"{np.shape(unwrap(bias))}")
    return call_op(_conv_forward, _conv_backward, inputs, kernel, bias, **attrs)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """General N-D convolution (N = 1 or 2), Keras's `ops.conv`.

    Args:
        inputs: (batch, *spatial, C) (or (batch, C, *spatial) for channels_first).
        kernel: (*kernel_spatial, C, filters).
        strides, dilation_rate: int or one int per spatial axis.
        padding: "valid" or "same" (TensorFlow's rule: the extra pixel goes after).
        data_format: "channels_last" or "channels_first" (default: image_data_format()).
    """
    return _run("conv2d", "conv", inputs, kernel, None, strides, padding, data_format,
                dilation_rate, "linear", 0.0)


def conv_bias_activation(inputs, kernel, bias=None, *, strides=1, padding="valid",
                         dilation_rate=1, activation="linear", alpha=0.0, data_format=None):
    """`activation(conv(inputs, kernel) + bias)` as ONE op (a Conv layer's hot path).

    Args:
        inputs, kernel, strides, dilation_rate, data_format: as in `conv`.
        bias: (filters,) or None.
        padding: "valid", "same" or "causal" (1-D only: pad (k - 1) * d before).
        activation: a kernel activation kind ("linear", "relu", ...; softmax kinds
            act on the last axis of the channels-last output).
        alpha: the kind's parameter (leaky_relu's slope, elu's alpha).
    """
    return _run("conv2d", "conv_bias_activation", inputs, kernel, bias, strides, padding,
                data_format, dilation_rate, activation, alpha, allow_causal=True)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution (1-D or 2-D), Keras's `ops.depthwise_conv`.

    Args:
        kernel: (*kernel_spatial, C, depth_multiplier); output channel c*M + m is input
            channel c through filter m.
        Others as in `conv`.
    """
    return _run("depthwise_conv2d", "depthwise_conv", inputs, kernel, None, strides,
                padding, data_format, dilation_rate, "linear", 0.0)


def depthwise_conv_bias_activation(inputs, kernel, bias=None, *, strides=1, padding="valid",
                                   dilation_rate=1, activation="linear", alpha=0.0,
                                   data_format=None):
    """`activation(depthwise_conv(inputs, kernel) + bias)` as one op (DepthwiseConv2D)."""
    return _run("depthwise_conv2d", "depthwise_conv_bias_activation", inputs, kernel, bias,
                strides, padding, data_format, dilation_rate, activation, alpha)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution, Keras's
    `ops.separable_conv`.

    Args:
        depthwise_kernel: (*kernel_spatial, C, depth_multiplier).
        pointwise_kernel: (*ones, C * depth_multiplier, filters).
        Others as in `conv`; strides, padding and dilation apply to the depthwise step.
    """
    dk, pk = np.shape(unwrap(depthwise_kernel)), np.shape(unwrap(pointwise_kernel))
    if len(pk) != len(dk) or any(s != 1 for s in pk[:-2]) or pk[-2] != dk[-2] * dk[-1]:
        raise ValueError("separable_conv: `pointwise_kernel` must have shape "
                         f"{(1,) * (len(dk) - 2) + (dk[-2] * dk[-1], 'filters')}. Received: "
                         f"depthwise_kernel.shape={dk}, pointwise_kernel.shape={pk}")
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1)


# --- transposed convolution -----------------------------------------------------------------
def _transpose_forward(x, w, *, geo):
    dtype = compute_dtype(w)
    x4 = contiguous(to_nhwc(x, geo), dtype)
    w4 = contiguous(kernel_4d(w, geo), dtype)
    out_shape = (x4.shape[0],) + geo.out_hw + (w4.shape[2],)
    y = kernels.get("conv2d_backward_input")(x4, w4, out_shape, geo.strides, geo.pads,
                                             geo.dilation)
    return from_nhwc(y, geo), (geo, x4, w4, x.dtype, w.shape)


def _transpose_backward(g, cache, needs):
    geo, x4, w4, x_dtype, w_shape = cache
    g4 = contiguous(to_nhwc(np.asarray(g), geo), x4.dtype)
    dx = dw = None
    if needs[0]:      # the adjoint of an input gradient is the convolution itself
        dx = kernels.get("conv2d")(g4, w4, geo.strides, geo.pads, geo.dilation)
        dx = _like(from_nhwc(dx, geo), x_dtype)
    if needs[1]:      # the forward conv's input is our output; its output is our input
        dw = kernels.get("conv2d_backward_kernel")(g4, x4, w4.shape, geo.strides, geo.pads,
                                                   geo.dilation).reshape(w_shape)
    return dx, dw


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution (1-D or 2-D), Keras's `ops.conv_transpose`: the gradient of
    `conv` with respect to its input, with TensorFlow's output size and padding.

    Args:
        inputs: (batch, *spatial, C_in) (or channels_first).
        kernel: (*kernel_spatial, filters, C_in) — Keras's transposed layout.
        output_padding: None, or an int / one int per axis added to the output size.
        Others as in `conv`.
    """
    geo = conv_transpose_geometry("conv_transpose", np.shape(unwrap(inputs)),
                                  np.shape(unwrap(kernel)), strides, padding, output_padding,
                                  data_format, dilation_rate)
    return call_op(_transpose_forward, _transpose_backward, inputs, kernel, geo=geo)
