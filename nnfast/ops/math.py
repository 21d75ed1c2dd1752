"""`keras.ops.math`: logsumexp, erf, erfinv, rsqrt, top_k, in_top_k, segment_sum,
segment_max."""
import math as _math

import numpy as np

from nnfast.autograd.function import call_op, unwrap, wrap
from nnfast.ops._helpers import expand_reduced, normalize_axes, to_float


def _logsumexp_forward(a, axes, keepdims):
    a = to_float(a)
    m = np.max(a, axis=axes, keepdims=True) if a.size else np.zeros([1] * a.ndim, a.dtype)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axes, keepdims=True)) + m
    result = out if keepdims else np.squeeze(out, axis=axes)
    return result, (a, out)


def _logsumexp_backward(g, cache, needs, axes, keepdims):
    a, out = cache
    g = expand_reduced(g, axes, a.ndim, keepdims)
    return (g * np.exp(a - out),)


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis`, computed without overflow."""
    axes = normalize_axes("logsumexp", axis, np.ndim(unwrap(x)))
    keepdims = bool(keepdims)

    def backward(g, cache, needs):
        return _logsumexp_backward(g, cache, needs, axes, keepdims)

    return call_op(_logsumexp_forward, backward, x, axes=axes, keepdims=keepdims)


_erf_ufunc = np.frompyfunc(_math.erf, 1, 1)


def _erf_array(a):
    try:
        from scipy.special import erf
    except ImportError:            # scipy is a dependency, but keep a slow exact path
        return _erf_ufunc(a).astype(a.dtype)
    return erf(a).astype(a.dtype, copy=False)


def _erf_forward(a):
    a = to_float(a)
    return _erf_array(a), a


def _erf_backward(g, a, needs):
    return (g * (2.0 / np.sqrt(np.pi)) * np.exp(-a * a),)


def erf(x):
    """The Gauss error function."""
    return call_op(_erf_forward, _erf_backward, x)


def _erfinv_forward(a):
    from scipy.special import erfinv as scipy_erfinv

    a = to_float(a)
    y = scipy_erfinv(a).astype(a.dtype, copy=False)
    return y, y


def _erfinv_backward(g, y, needs):
    return (g * (np.sqrt(np.pi) / 2.0) * np.exp(y * y),)


def erfinv(x):
    """The inverse error function."""
    return call_op(_erfinv_forward, _erfinv_backward, x)


def _rsqrt_forward(a):
    a = to_float(a)
    y = 1.0 / np.sqrt(a)
    return y, y


def _rsqrt_backward(g, y, needs):
    return (-0.5 * g * y * y * y,)


def rsqrt(x):
    """`1 / sqrt(x)`."""
    return call_op(_rsqrt_forward, _rsqrt_backward, x)


def top_k(x, k, sorted=True):  # noqa: A002  (Keras's name)
    """The `k` largest values along the last axis and their indices (values are
    differentiable)."""
    from nnfast.ops.numpy_shape import take_along_axis

    a = np.asarray(unwrap(x))
    k = int(k)
    if a.ndim < 1 or not 0 <= k <= a.shape[-1]:
        raise ValueError(
            f"top_k: `k` must be in [0, x.shape[-1]]. Received: k={k}, x.shape={a.shape}"
        )
    # Stable sort of the negated values: ties keep their original order (as TF).
    idx = np.argsort(-a, axis=-1, kind="stable")[..., :k]
    return take_along_axis(x, idx, axis=-1), wrap(idx.astype("int32"))


def in_top_k(targets, predictions, k):
    """Whether each target index is among the `k` largest predictions of its row."""
    p = np.asarray(unwrap(predictions))
    t = np.asarray(unwrap(targets)).astype(np.int64)
    if p.ndim != 2 or t.shape != p.shape[:1]:
        raise ValueError(
            "in_top_k: expected predictions of shape (batch, classes) and targets of shape "
            f"(batch,). Received: predictions.shape={p.shape}, targets.shape={t.shape}"
        )
    target_score = p[np.arange(len(t)), t]
    # Ties count in favour of the target (TF's rule): rank = number strictly greater.
    rank = np.sum(p > target_score[:, None], axis=1)
    return wrap(rank < k)


def _segment_ids(op, data_shape, segment_ids, num_segments):
    ids = np.asarray(unwrap(segment_ids)).astype(np.int64)
    if ids.ndim != 1 or len(data_shape) < 1 or ids.shape[0] != data_shape[0]:
        raise ValueError(
            f"{op}: `segment_ids` must be 1-D with one id per row of `data`. Received: "
            f"segment_ids.shape={ids.shape}, data.shape={tuple(data_shape)}"
        )
    n = int(num_segments) if num_segments is not None else (int(ids.max()) + 1 if ids.size else 0)
    return ids, n


def _segment_sum_forward(a, ids, n):
    out = np.zeros((n,) + a.shape[1:], dtype=a.dtype)
    valid = (ids >= 0) & (ids < n)
    np.add.at(out, ids[valid], a[valid])
    return out, (ids, valid, a.shape)


def _segment_sum_backward(g, cache, needs):
    ids, valid, shape = cache
    dx = np.zeros(shape, dtype=g.dtype)
    dx[valid] = g[ids[valid]]
    return (dx,)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sum of the rows of `data` per segment id (ids outside [0, num_segments) dropped)."""
    ids, n = _segment_ids("segment_sum", np.shape(unwrap(data)), segment_ids, num_segments)
    return call_op(_segment_sum_forward, _segment_sum_backward, data, ids=ids, n=n)


def _segment_max_forward(a, ids, n):
    out = np.full((n,) + a.shape[1:], -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min,
                  dtype=a.dtype)
    valid = (ids >= 0) & (ids < n)
    np.maximum.at(out, ids[valid], a[valid])
    return out, (a, ids, valid, out)


def _segment_max_backward(g, cache, needs):
    a, ids, valid, out = cache
    dx = np.zeros(a.shape, dtype=g.dtype)
    hit = np.zeros(a.shape, dtype=bool)
    hit[valid] = a[valid] == out[ids[valid]]
    counts = np.zeros(out.shape, dtype=g.dtype)
    np.add.at(counts, ids[valid], hit[valid])
    dx[valid] = np.where(hit[valid], g[ids[valid]] / np.maximum(counts[ids[valid]], 1), 0)
    return (dx,)


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Maximum of the rows of `data` per segment id (empty segments give -inf)."""
    ids, n = _segment_ids("segment_max", np.shape(unwrap(data)), segment_ids, num_segments)
    return call_op(_segment_max_forward, _segment_max_backward, data, ids=ids, n=n)


__all__ = ["erf", "erfinv", "in_top_k", "logsumexp", "rsqrt", "segment_max", "segment_sum",
           "top_k"]
