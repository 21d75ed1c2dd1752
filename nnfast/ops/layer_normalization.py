"""Layer normalisation as one op with an analytic backward (one tape entry per layer)."""
import numpy as np

from nnfast.autograd.function import call_op, unwrap
from nnfast.ops._helpers import normalize_axes

__all__ = ["layer_normalization"]


def _ln_forward(x, *params, axes, epsilon, has_gamma, has_beta):
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    inv_std = 1.0 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + epsilon)
    xhat = centred * inv_std
    out = xhat
    gamma = params[0] if has_gamma else None
    beta = params[-1] if has_beta else None
    if gamma is not None:
        out = out * gamma
    if beta is not None:
        out = out + beta
    return out.astype(x.dtype, copy=False), (xhat, inv_std, gamma, axes, has_beta)


def _ln_backward(dy, cache, needs):
    xhat, inv_std, gamma, axes, has_beta = cache
    grads = []
    other = tuple(i for i in range(xhat.ndim) if i not in axes)
    dxhat = dy * gamma if gamma is not None else dy
    if needs[0]:
        n = np.prod([xhat.shape[a] for a in axes])
        dx = inv_std / n * (n * dxhat - dxhat.sum(axis=axes, keepdims=True)
                            - xhat * (dxhat * xhat).sum(axis=axes, keepdims=True))
        grads.append(dx.astype(dy.dtype, copy=False))
    else:
        grads.append(None)
    k = 1
    if gamma is not None:
        grads.append((dy * xhat).sum(axis=other).reshape(gamma.shape) if needs[k] else None)
        k += 1
    if has_beta:
        grads.append(dy.sum(axis=other).reshape(gamma.shape if gamma is not None else
                                                 [xhat.shape[a] if a in axes else 1
                                                  for a in range(xhat.ndim)]) if needs[k] else None)
    return tuple(grads)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta`, moments over `axis` per sample.

    Args:
        x: the input tensor.
        gamma, beta: scale and offset, broadcastable to x (size 1 off the axes), or None.
        axis: int or list of ints to normalise over.
        epsilon: added to the variance.
    """
    ndim = np.ndim(unwrap(x))
    axes = tuple(normalize_axes("layer_normalization", axis, ndim))
    want = tuple(np.shape(unwrap(x))[a] if a in axes else 1 for a in range(ndim))
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p is not None and tuple(np.shape(unwrap(p))) != want:
            raise ValueError(
                f"layer_normalization: `{name}` must have shape {want} for x.shape="
                f"{np.shape(unwrap(x))} and axis={axis}. Received: {name}.shape="
                f"{np.shape(unwrap(p))}")
    params = [p for p in (gamma, beta) if p is not None]
    return call_op(_ln_forward, _ln_backward, x, *params, axes=axes, epsilon=float(epsilon),
                   has_gamma=gamma is not None, has_beta=beta is not None)
