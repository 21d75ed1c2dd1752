"""Argument handling shared by the convolution ops (nn_conv.py): Keras's argument
validation, the geometry of a 1-D or 2-D convolution expressed for the NHWC 2-D kernels,
and the layout moves between the user's tensors and those kernels.

A 1-D convolution is a 2-D one with H = 1: (N, L, C) is viewed as (N, 1, L, C) and a
(k, C, K) kernel as (1, k, C, K) — reshapes, no copies. "channels_first" tensors are
transposed to channels-last around the kernels.
"""
from typing import NamedTuple

import numpy as np

from nnfast import backend
from nnfast.kernels.numpy_ref.conv import same_padding

KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class ConvGeometry(NamedTuple):
    rank: int               # spatial axes of the user's tensors: 1 or 2
    channels_first: bool
    strides: tuple          # (sh, sw) for the 2-D kernels
    dilation: tuple         # (dh, dw)
    pads: tuple             # ((top, bottom), (left, right))
    out_hw: tuple           # output spatial size for the 2-D kernels (H = 1 for 1-D)


def standardize_data_format(data_format):
    if data_format is None:
        return backend.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return value


def standardize_tuple(value, n, name, op=None, allow_zero=False):
    """`value` (an int or n ints) as a tuple of n positive ints (or non-negative ones
    with `allow_zero`), with Keras's error."""
    where = f"{op}: " if op else ""
    msg = f"{where}The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(msg) from None
        if len(values) != n or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
            raise ValueError(msg)
        values = tuple(int(v) for v in values)
    bad = {v for v in values if v < 0 or (v == 0 and not allow_zero)}
    if bad:
        raise ValueError(msg + f", including values {bad} that do not satisfy "
                         f"`value {'>= 0' if allow_zero else '> 0'}`")
    return values


def standardize_padding(value, allow_causal=False, op=None):
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        where = f"{op}: " if op else ""
        raise ValueError(f"{where}The `padding` argument must be one of {set(allowed)}. "
                         f"Received: padding={value}")
    return padding


def spatial_rank(op, shape):
    if len(shape) == 5:
        raise ValueError(f"{op}: 3-D convolution (inputs of rank 5) is not supported; "
                         f"inputs must have rank 3 (1-D) or 4 (2-D). Received: "
                         f"inputs.shape={tuple(shape)}")
    if len(shape) not in (3, 4):
        raise ValueError(f"{op} expects inputs of rank 3 (1-D) or 4 (2-D). Received: "
                         f"inputs.shape={tuple(shape)}")
    return len(shape) - 2


def _split(op, x_shape, kernel_shape, data_format, kernel_in_axis):
    """(rank, channels_first, spatial sizes, kernel spatial sizes), checking ranks and
    that the input's channels match the kernel's input axis."""
    rank = spatial_rank(op, x_shape)
    cf = standardize_data_format(data_format) == "channels_first"
    if len(kernel_shape) != rank + 2:
        raise ValueError(f"{op}: the kernel must have rank {rank + 2} for inputs of rank "
                         f"{rank + 2}. Received: inputs.shape={tuple(x_shape)}, "
                         f"kernel.shape={tuple(kernel_shape)}")
    channels = x_shape[1] if cf else x_shape[-1]
    if channels != kernel_shape[kernel_in_axis]:
        raise ValueError(
            f"{op}: The number of input channels must match the kernel's input channels. "
            f"Received: input channels={channels}, kernel input channels="
            f"{kernel_shape[kernel_in_axis]}, data_format="
            f"'{'channels_first' if cf else 'channels_last'}' (inputs.shape="
            f"{tuple(x_shape)}, kernel.shape={tuple(kernel_shape)})")
    spatial = tuple(x_shape[2:] if cf else x_shape[1:-1])
    return rank, cf, spatial, tuple(kernel_shape[:rank])


def _as_2d(rank, cf, strides, dilation, pads, out):
    if rank == 1:
        return ConvGeometry(1, cf, (1,) + strides, (1,) + dilation, ((0, 0),) + pads, (1,) + out)
    return ConvGeometry(2, cf, strides, dilation, pads, out)


def conv_geometry(op, x_shape, kernel_shape, strides=1, padding="valid", data_format=None,
                  dilation_rate=1, allow_causal=False):
    """Validate a convolution's arguments (kernel (*spatial, C, ...)); its geometry."""
    rank, cf, spatial, ksize = _split(op, x_shape, kernel_shape, data_format, -2)
    strides = standardize_tuple(strides, rank, "strides", op)
    dilation = standardize_tuple(dilation_rate, rank, "dilation_rate", op)
    padding = standardize_padding(padding, allow_causal and rank == 1, op)
    if min(ksize, default=1) < 1:
        raise ValueError(f"{op}: the kernel's spatial sizes must be >= 1. Received: "
                         f"kernel.shape={tuple(kernel_shape)}")
    pads, out = [], []
    for n, k, s, d in zip(spatial, ksize, strides, dilation):
        if padding == "valid":
            pad = (0, 0)
        elif padding == "same":
            pad = same_padding(n, k, s, d)
        else:
            pad = ((k - 1) * d, 0)      # causal: the output at t sees inputs up to t only
        pads.append(pad)
        out.append((n + pad[0] + pad[1] - (k - 1) * d - 1) // s + 1)
    if min(out) <= 0:
        raise ValueError(f"{op}: Computed output size would be zero or negative. Received "
                         f"`inputs shape={tuple(x_shape)}`, `kernel shape="
                         f"{tuple(kernel_shape)}`, `dilation_rate={dilation}`, "
                         f"`strides={strides}`, `padding={padding}`.")
    return _as_2d(rank, cf, strides, dilation, tuple(pads), tuple(out))


def transpose_output_size(n, k, s, d, padding, output_padding):
    """Keras's (TensorFlow's) output length of a transposed convolution on one axis."""
    dk = (k - 1) * d + 1
    if padding == "valid":
        extra = max(dk, s) - dk if output_padding is None else output_padding
        return (n - 1) * s + dk + extra
    if output_padding is None:
        return n * s
    return (n - 1) * s + dk % 2 + output_padding


def conv_transpose_geometry(op, x_shape, kernel_shape, strides=1, padding="valid",
                            output_padding=None, data_format=None, dilation_rate=1):
    """Validate a transposed convolution (kernel (*spatial, out, in)); the geometry of
    the forward convolution it is the input gradient of (out_hw = its input size)."""
    rank, cf, spatial, ksize = _split(op, x_shape, kernel_shape, data_format, -1)
    strides = standardize_tuple(strides, rank, "strides", op)
    dilation = standardize_tuple(dilation_rate, rank, "dilation_rate", op)
    padding = standardize_padding(padding, False, op)
    if output_padding is not None:
        output_padding = standardize_tuple(output_padding, rank, "output_padding", op,
                                           allow_zero=True)
    pads, out = [], []
    for a, (n, k, s, d) in enumerate(zip(spatial, ksize, strides, dilation)):
        size = transpose_output_size(n, k, s, d, padding,
                                     None if output_padding is None else output_padding[a])
        pad = same_padding(size, k, s, d) if padding == "same" else (0, 0)
        # TensorFlow runs this as the input gradient of a convolution from `size` back to
        # `n`: that convolution must give exactly n (e.g. output_padding < strides).
        if size < 1 or (size + pad[0] + pad[1] - (k - 1) * d - 1) // s + 1 != n:
            raise ValueError(f"{op}: no convolution maps the output length {size} back to "
                             f"the input length {n} on spatial axis {a}. Received: "
                             f"inputs.shape={tuple(x_shape)}, kernel.shape="
                             f"{tuple(kernel_shape)}, strides={strides}, padding={padding}, "
                             f"output_padding={output_padding}, dilation_rate={dilation}")
        pads.append(pad)
        out.append(size)
    return _as_2d(rank, cf, strides, dilation, tuple(pads), tuple(out))


def to_nhwc(a, geo):
    """The user's tensor as the NHWC array the kernels take (a view when possible)."""
    if geo.channels_first:
        a = np.moveaxis(a, 1, -1)
    return a[:, None] if geo.rank == 1 else a


def from_nhwc(y, geo):
    """An NHWC kernel result in the user's layout."""
    if geo.rank == 1:
        y = y[:, 0]
    if geo.channels_first:
        y = np.ascontiguousarray(np.moveaxis(y, -1, 1))
    return y


def kernel_4d(w, geo):
    return w[None] if geo.rank == 1 else w


def compute_dtype(w):
    """The kernels compute in the weights' float dtype (inputs follow, as a Keras layer
    casts its inputs to the compute dtype)."""
    if w.dtype in KERNEL_DTYPES:
        return w.dtype
    return np.dtype("float32" if w.dtype.kind == "f" else backend.floatx())


def contiguous(a, dtype):
    if a.dtype != dtype or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a, dtype=dtype)
    return a
