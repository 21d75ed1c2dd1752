"""Pooling ops: Keras's `ops.max_pool` and `ops.average_pool` (1-D and 2-D), each one tape
entry over the registry's NHWC kernels (`max_pool2d`, `avg_pool2d` and their backwards).

A 1-D pool is a 2-D one with H = 1 (a reshape, no copy); "channels_first" tensors are
transposed to channels-last around the kernels. Padding follows TensorFlow: "same" pads
max(ceil(size / stride) - 1) * stride + pool - size, 0) split with the extra at the end;
average pooling divides by the real (non-padded) values only.
"""
import numpy as np

from nnfast import kernels
from nnfast.autograd.function import call_op, unwrap
from nnfast.kernels.numpy_ref.conv import same_padding
from nnfast.ops._conv_utils import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)

__all__ = ["max_pool", "average_pool"]
_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _geometry(op, shape, pool_size, strides, padding, data_format):
    if len(shape) not in (3, 4):
        raise ValueError(f"{op} expects inputs of rank 3 (1-D) or 4 (2-D). Received: "
                         f"inputs.shape={tuple(shape)}")
    rank = len(shape) - 2
    pool = standardize_tuple(pool_size, rank, "pool_size", op)
    strides = pool if strides is None else standardize_tuple(strides, rank, "strides", op)
    padding = standardize_padding(padding, op=op)
    channels_first = standardize_data_format(data_format) == "channels_first"
    spatial = shape[2:] if channels_first else shape[1:-1]
    if rank == 1:
        pool, strides, spatial = (1,) + pool, (1,) + strides, (1,) + tuple(spatial)
    if padding == "same":
        pads = tuple(same_padding(size, k, s, 1) for size, k, s in zip(spatial, pool, strides))
    else:
        pads = ((0, 0), (0, 0))
        for size, k in zip(spatial, pool):
            if size < k:
                raise ValueError(
                    f"{op}: the pool size {pool_size} is larger than the input's spatial size "
                    f"{tuple(spatial[-rank:])} with padding='valid'. Received: "
                    f"inputs.shape={tuple(shape)}")
    return rank, channels_first, pool, strides, pads


def _to_nhwc(x, rank, channels_first):
    if channels_first:
        x = np.moveaxis(x, 1, -1)
    if rank == 1:
        x = x[:, None]
    if x.dtype not in _KERNEL_DTYPES:
        x = x.astype(np.float32)
    return np.ascontiguousarray(x)


def _from_nhwc(y, rank, channels_first):
    if rank == 1:
        y = y[:, 0]
    if channels_first:
        y = np.moveaxis(y, -1, 1)
    return y


def _max_forward(x, *, geometry):
    rank, channels_first, pool, strides, pads = geometry
    x4 = _to_nhwc(x, rank, channels_first)
    y, argmax = kernels.get("max_pool2d")(x4, pool, strides, pads)
    return _from_nhwc(y, rank, channels_first), (argmax, x4.shape, x.dtype, geometry)


def _max_backward(dy, cache, needs):
    argmax, shape4, dtype, geometry = cache
    rank, channels_first = geometry[:2]
    dy4 = _to_nhwc(dy, rank, channels_first)
    dx = kernels.get("max_pool2d_backward")(dy4, argmax, shape4)
    return (_from_nhwc(dx, rank, channels_first).astype(dtype, copy=False),)


def _avg_forward(x, *, geometry):
    rank, channels_first, pool, strides, pads = geometry
    x4 = _to_nhwc(x, rank, channels_first)
    y = kernels.get("avg_pool2d")(x4, pool, strides, pads)
    return _from_nhwc(y, rank, channels_first), (x4.shape, x.dtype, geometry)


def _avg_backward(dy, cache, needs):
    shape4, dtype, geometry = cache
    rank, channels_first, pool, strides, pads = geometry
    dx = kernels.get("avg_pool2d_backward")(_to_nhwc(dy, rank, channels_first), shape4, pool,
                                            strides, pads)
    return (_from_nhwc(dx, rank, channels_first).astype(dtype, copy=False),)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over 1-D `(N, L, C)` or 2-D `(N, H, W, C)` inputs.

    Args:
        inputs: the tensor (channels last unless `data_format="channels_first"`).
        pool_size: int or tuple, the window.
        strides: int or tuple; defaults to `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (default: the backend's).
    """
    geometry = _geometry("max_pool", np.shape(unwrap(inputs)), pool_size, strides, padding,
                         data_format)
    return call_op(_max_forward, _max_backward, inputs, geometry=geometry)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling (same arguments as `max_pool`); "same" padding averages the real
    values of each window only."""
    geometry = _geometry("average_pool", np.shape(unwrap(inputs)), pool_size, strides, padding,
                         data_format)
    return call_op(_avg_forward, _avg_backward, inputs, geometry=geometry)
