"""Random regularisation ops: inverted `dropout` and SELU's `alpha_dropout`.

Masks come from `nnfast.utils.rng.get_rng()` (the global seeded generator), or from a fresh
generator when an int `seed` is given: like Keras's stateless int seeds, the same seed
gives the same mask on every call.
"""
import numpy as np

from nnfast.autograd.function import call_op, unwrap
from nnfast.utils.rng import get_rng

# SELU's constants: alpha' = -scale * alpha is the value SELU saturates to.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_ALPHA_P = -_SELU_ALPHA * _SELU_SCALE


def _check_rate(op, rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate < 1:
        raise ValueError(
            f"{op}: `rate` must be a float in [0, 1). Received: rate={rate!r}"
        )
    return float(rate)


def _noise_shape(op, noise_shape, shape):
    if noise_shape is None:
        return shape
    ns = tuple(shape[i] if d is None else int(d) for i, d in enumerate(noise_shape)) \
        if len(noise_shape) == len(shape) else None
    try:
        if ns is None or np.broadcast_shapes(ns, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{op}: `noise_shape` must broadcast to the input's shape. "
            f"Received: noise_shape={tuple(noise_shape)}, x.shape={shape}"
        ) from None
    return ns


def _keep_mask(shape, rate, seed):
    # float32 uniforms: half the bytes of float64 and plenty of resolution for a rate.
    return get_rng(seed).random(shape, dtype=np.float32) >= rate


def _scale_forward(a, scale, shift):
    out = a * scale
    if shift is not None:
        out += shift
    return out, scale


def _scale_backward(g, scale, needs):
    return (g * scale,)


def dropout(x, rate, noise_shape=None, seed=None):
    """Zero each element with probability `rate`, scale the kept ones by 1/(1 - rate).

    Args:
        x: input tensor.
        rate: float in [0, 1).
        noise_shape: shape of the mask, broadcast to `x` (None entries take x's size).
        seed: int for a reproducible mask, else the global generator.
    """
    rate = _check_rate("dropout", rate)
    a = unwrap(x)
    shape = np.shape(a)
    if rate == 0:
        return x
    keep = _keep_mask(_noise_shape("dropout", noise_shape, shape), rate, seed)
    dtype = a.dtype if a.dtype.kind == "f" else np.dtype("float32")
    scale = keep.astype(dtype) * dtype.type(1.0 / (1.0 - rate))
    return call_op(_scale_forward, _scale_backward, x, scale=scale, shift=None)


def alpha_dropout(x, rate, noise_shape=None, seed=None):
    """Dropout that keeps SELU's self-normalising mean and variance: dropped units take
    SELU's saturation value alpha', then an affine map restores mean 0 / variance 1.

    Args: as `dropout`.
    """
    rate = _check_rate("alpha_dropout", rate)
    a = unwrap(x)
    shape = np.shape(a)
    if rate == 0:
        return x
    keep = _keep_mask(_noise_shape("alpha_dropout", noise_shape, shape), rate, seed)
    coef = ((1 - rate) * (1 + rate * _ALPHA_P ** 2)) ** -0.5
    offset = -coef * _ALPHA_P * rate
    dtype = a.dtype if a.dtype.kind == "f" else np.dtype("float32")
    # y = coef * (x * keep + alpha' * (1 - keep)) + offset = x * scale + shift
    scale = keep.astype(dtype) * dtype.type(coef)
    shift = (~keep).astype(dtype) * dtype.type(coef * _ALPHA_P) + dtype.type(offset)
    return call_op(_scale_forward, _scale_backward, x, scale=scale, shift=shift)
