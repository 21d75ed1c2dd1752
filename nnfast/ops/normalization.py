"""Normalisation ops: fused training-mode batch norm, inference batch norm, moments.

`batch_normalization_train` is one op with an analytic backward (the textbook three-term
formula), so a BatchNormalization layer is one tape entry instead of a dozen.
"""
import numpy as np

from nnfast.autograd.function import call_op, unbroadcast, unwrap
from nnfast.ops._helpers import normalize_axes, normalize_axis

__all__ = ["batch_normalization", "batch_normalization_train", "moments"]


def _feature_shape(ndim, axis):
    shape = [1] * ndim
    shape[axis] = -1
    return shape


# --- training mode ----------------------------------------------------------------------
def _bn_train_forward(x, *params, axis, epsilon, has_gamma, has_beta):
    in_dtype = x.dtype
    if in_dtype not in (np.float32, np.float64):
        x = x.astype(np.float32)       # float16/int inputs: statistics in float32
    gamma = params[0] if has_gamma else None
    beta = params[-1] if has_beta else None
    red = tuple(i for i in range(x.ndim) if i != axis)
    bshape = _feature_shape(x.ndim, axis)
    mean = x.mean(axis=red)
    xc = x - mean.reshape(bshape)
    var = np.mean(xc * xc, axis=red)
    inv = 1.0 / np.sqrt(var + epsilon)
    xhat = xc * inv.reshape(bshape)
    y = xhat * gamma.reshape(bshape) if gamma is not None else xhat.copy()
    if beta is not None:
        y += beta.reshape(bshape)
    if y.dtype != in_dtype and in_dtype.kind == "f":
        y = y.astype(in_dtype)
    count = x.size // max(x.shape[axis], 1)
    cache = (xhat, xc, inv, gamma, has_beta, red, bshape, count, in_dtype)
    return (y, mean.astype(y.dtype, copy=False), var.astype(y.dtype, copy=False)), cache


def _bn_train_backward(dout, cache, needs):
    dy, dmean, dvar = dout
    xhat, xc, inv, gamma, has_beta, red, bshape, m, in_dtype = cache
    dy = dy.astype(xhat.dtype, copy=False)
    grads = []
    if needs[0]:
        dxhat = dy * gamma.reshape(bshape) if gamma is not None else dy
        dx = (inv.reshape(bshape) / m) * (
            m * dxhat
            - dxhat.sum(axis=red).reshape(bshape)
            - xhat * (dxhat * xhat).sum(axis=red).reshape(bshape)
        )
        # The batch statistics are outputs too; they rarely carry a gradient.
        if np.any(dmean):
            dx += dmean.reshape(bshape) / m
        if np.any(dvar):
            dx += dvar.reshape(bshape) * 2.0 * xc / m
        grads.append(dx.astype(in_dtype, copy=False) if in_dtype.kind == "f" else dx)
    else:
        grads.append(None)
    k = 1
    if gamma is not None:
        grads.append((dy * xhat).sum(axis=red).astype(gamma.dtype, copy=False) if needs[k] else None)
        k += 1
    if has_beta:
        grads.append(dy.sum(axis=red) if needs[k] else None)
    return tuple(grads)


def batch_normalization_train(x, gamma, beta, axis=-1, epsilon=1e-3):
    """Normalise with the batch's statistics: `gamma * (x - mean) / sqrt(var + eps) + beta`.

    Args:
        x: input tensor; statistics are taken over every axis but `axis`.
        gamma, beta: per-feature scale and offset of shape (x.shape[axis],), or None
            (scale=False / center=False).
        axis: the feature axis.
        epsilon: added to the variance.

    Returns: (y, batch_mean, batch_var), the statistics of shape (x.shape[axis],)
        (population variance, as Keras).
    """
    shape = np.shape(unwrap(x))
    if len(shape) < 1:
        raise ValueError("batch_normalization_train: `x` must have rank >= 1. Received: x.shape=()")
    ax = normalize_axis("batch_normalization_train", axis, len(shape))
    params = []
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p is not None:
            if np.shape(unwrap(p)) != (shape[ax],):
                raise ValueError(
                    f"batch_normalization_train: `{name}` must have shape ({shape[ax]},) for "
                    f"x.shape={shape} and axis={axis}. Received: {name}.shape={np.shape(unwrap(p))}"
                )
            params.append(p)
    return call_op(_bn_train_forward, _bn_train_backward, x, *params, axis=ax,
                   epsilon=float(epsilon), has_gamma=gamma is not None, has_beta=beta is not None)


# --- inference mode ---------------------------------------------------------------------
def _bn_forward(x, mean, var, *params, epsilon, has_offset, has_scale, bshape):
    shapes = [np.shape(mean), np.shape(var)] + [np.shape(p) for p in params]
    if bshape is not None:
        mean, var = mean.reshape(bshape), var.reshape(bshape)
        params = [p.reshape(bshape) for p in params]
    offset = params[0] if has_offset else None
    scale = params[-1] if has_scale else None
    inv = 1.0 / np.sqrt(var + epsilon)
    s = inv * scale if scale is not None else inv
    xc = x - mean
    y = xc * s
    if offset is not None:
        y = y + offset
    if x.dtype.kind == "f" and y.dtype != x.dtype:
        y = y.astype(x.dtype)
    used = [np.shape(mean), np.shape(var)] + [np.shape(p) for p in params]
    return y, (x.shape, xc, inv, s, scale, has_offset, shapes, used)


def _bn_backward(g, cache, needs):
    x_shape, xc, inv, s, scale, has_offset, shapes, used = cache

    def fit(grad_fn, k):
        # Summed to the (reshaped) shape the forward used, then back to the caller's.
        return unbroadcast(grad_fn(), used[k - 1]).reshape(shapes[k - 1]) if needs[k] else None

    scaled = scale if scale is not None else 1.0
    grads = [
        unbroadcast(g * s, x_shape) if needs[0] else None,
        fit(lambda: -g * s, 1),
        fit(lambda: g * xc * scaled * -0.5 * inv ** 3, 2),
    ]
    k = 3
    if has_offset:
        grads.append(fit(lambda: g, k))
        k += 1
    if scale is not None:
        grads.append(fit(lambda: g * xc * inv, k))
    return tuple(grads)


def batch_normalization(x, mean, variance, *args, **kwargs):
    """Normalise `x` with given statistics: `(x - mean) / sqrt(variance + eps) * scale + offset`.

    Two signatures are accepted:

    - TensorFlow's `(x, mean, variance, offset, scale, variance_epsilon)`, where the
      parameters broadcast against `x` as given;
    - Keras 3's `(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3)`, where
      they are 1-D of size `x.shape[axis]`.
    """
    if (args and isinstance(args[0], (int, np.integer)) and not isinstance(args[0], bool)) \
            or "axis" in kwargs:
        names = ("axis", "offset", "scale", "epsilon")
    else:
        names = ("offset", "scale", "variance_epsilon")
    if len(args) > len(names):
        raise TypeError(f"batch_normalization: too many arguments ({3 + len(args)} given).")
    bound = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in names or key in bound:
            raise TypeError(f"batch_normalization: unexpected argument {key!r}.")
        bound[key] = value
    offset, scale = bound.get("offset"), bound.get("scale")
    epsilon = bound.get("epsilon", bound.get("variance_epsilon", 1e-3))
    x_shape = np.shape(unwrap(x))
    bshape = None
    if "axis" in bound:
        ax = normalize_axis("batch_normalization", bound["axis"], len(x_shape))
        bshape = _feature_shape(len(x_shape), ax)
        expect = (x_shape[ax],)
        for name, p in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
            if p is not None and np.shape(unwrap(p)) != expect:
                raise ValueError(
                    f"batch_normalization: `{name}` must have shape {expect} for "
                    f"x.shape={x_shape} and axis={bound['axis']}. "
                    f"Received: {name}.shape={np.shape(unwrap(p))}"
                )
    else:
        for name, p in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
            if p is not None:
                try:
                    np.broadcast_shapes(x_shape, np.shape(unwrap(p)))
                except ValueError:
                    raise ValueError(
                        f"batch_normalization: `{name}` of shape {np.shape(unwrap(p))} does not "
                        f"broadcast against x.shape={x_shape}."
                    ) from None
    params = [p for p in (offset, scale) if p is not None]
    return call_op(_bn_forward, _bn_backward, x, mean, variance, *params, epsilon=float(epsilon),
                   has_offset=offset is not None, has_scale=scale is not None,
                   bshape=None if bshape is None else tuple(bshape))


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of `x` over `axes`; both differentiable."""
    from nnfast.ops.numpy_reduction import mean, var

    axes = normalize_axes("moments", axes, np.ndim(unwrap(x)))
    return mean(x, axis=axes, keepdims=keepdims), var(x, axis=axes, keepdims=keepdims)
