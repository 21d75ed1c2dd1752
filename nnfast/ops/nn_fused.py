"""Fused layer ops, one tape entry each: `dense` (GEMM + bias + activation) and
`softmax_cross_entropy_with_logits`.

Both run entirely on registry kernels, so the "cython" selection makes the whole layer
compiled: forward `gemm` then `bias_activation_forward`; backward `activation_backward`,
two GEMMs and `bias_grad`. The input's gradient (one GEMM) is computed only when the
tape asks for it, so the first layer of a network skips it.
"""
import numpy as np

from nnfast import backend, kernels
from nnfast.autograd.function import call_op, unwrap

_needs_input = None


def needs_input(kind):
    """Whether the derivative of activation `kind` needs its input (else the output)."""
    global _needs_input
    if _needs_input is None:
        from nnfast.kernels.numpy_ref.elementwise import needs_input as fn

        _needs_input = fn
    return _needs_input(kind)


def _contiguous(a, dtype):
    if a.dtype != dtype or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a, dtype=dtype)
    return a


_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _check_dense(x, w, b):
    sx, sw = np.shape(x), np.shape(w)
    if len(sw) != 2 or len(sx) < 1 or sx[-1] != sw[0]:
        raise ValueError(
            "dense: expected `x` of shape (..., in) and `kernel` of shape (in, units). "
            f"Received: x.shape={sx}, kernel.shape={sw}"
        )
    if b is not None and np.shape(b) != (sw[1],):
        raise ValueError(
            f"dense: expected `bias` of shape ({sw[1]},) to match kernel.shape={sw}. "
            f"Received: bias.shape={np.shape(b)}"
        )


def _dense_forward(x, w, b=None, *, kind, alpha):
    # Checked here, on the unwrapped arrays (the hot path pays for one unwrap only).
    if type(x) is not np.ndarray or x.ndim < 1 or w.ndim != 2 or x.shape[-1] != w.shape[0] \
            or (b is not None and b.shape != (w.shape[1],)):
        _check_dense(x, w, b)
        x = np.asarray(x)
    # The GEMM kernels take two float32 or two float64 operands: compute in the kernel's
    # dtype (x follows it, as a Keras layer casts its inputs to the compute dtype).
    dtype = w.dtype
    if dtype not in _KERNEL_DTYPES:
        dtype = np.dtype("float32" if dtype.kind == "f" else backend.floatx())
        w = w.astype(dtype)
    w = _contiguous(w, dtype)
    x2 = _contiguous(x.reshape(-1, x.shape[-1]), dtype)
    z = kernels.get("gemm")(x2, w)
    if b is not None:
        # `pre` (z + b) comes back only when the kind's backward needs it.
        y, pre = kernels.get("bias_activation_forward")(kind, z, _contiguous(b, dtype), alpha)
    elif kind == "linear":
        y, pre = z, None
    else:
        y = kernels.get("activation_forward")(kind, z, alpha=alpha)
        pre = z if needs_input(kind) else None
    cache = (x2, w, b is not None, x.shape, x.dtype, kind, alpha, pre, y)
    return y.reshape(x.shape[:-1] + (w.shape[1],)), cache


def _dense_backward(g, cache, needs):
    x2, w, has_bias, x_shape, x_dtype, kind, alpha, pre, y = cache
    gemm = kernels.get("gemm")
    dy = _contiguous(g.reshape(y.shape), y.dtype)
    if kind == "linear":
        dz = dy
    else:
        dz = kernels.get("activation_backward")(kind, dy, pre, y, alpha=alpha)
    dx = dw = db = None
    if needs[0]:
        dx = gemm(dz, w, trans_b=True).reshape(x_shape)
        if x_dtype.kind == "f" and dx.dtype != x_dtype:
            dx = dx.astype(x_dtype)
    if needs[1]:
        dw = gemm(x2, dz, trans_a=True)
    if has_bias and needs[2]:
        db = kernels.get("bias_grad")(dz)
    return (dx, dw, db) if has_bias else (dx, dw)


def dense(x, kernel, bias=None, activation="linear", alpha=0.0):
    """`activation(x @ kernel + bias)` as one op.

    Args:
        x: input of shape (..., in).
        kernel: (in, units).
        bias: (units,) or None.
        activation: a kernel activation kind ("linear", "relu", "softmax", ...).
        alpha: the kind's parameter (leaky_relu's slope, elu's alpha).
    """
    if bias is None:
        return call_op(_dense_forward, _dense_backward, x, kernel, kind=activation,
                       alpha=float(alpha))
    return call_op(_dense_forward, _dense_backward, x, kernel, bias, kind=activation,
                   alpha=float(alpha))


# --- softmax cross-entropy ------------------------------------------------------------
def _sce_forward(labels, logits, sparse):
    in_dtype = logits.dtype
    dtype = in_dtype if in_dtype in (np.float32, np.float64) else np.dtype("float32")
    n_classes = logits.shape[-1]
    lg = _contiguous(logits.reshape(-1, n_classes), dtype)
    if sparse:
        lb = np.ascontiguousarray(labels.reshape(-1), dtype=np.int64)
    else:
        lb = _contiguous(labels.reshape(-1, n_classes), dtype)
    loss, probs = kernels.get("softmax_cross_entropy")(lg, lb, sparse)
    return loss.reshape(logits.shape[:-1]), (probs, lb, sparse, logits.shape, in_dtype)


def _sce_backward(g, cache, needs):
    probs, lb, sparse, shape, in_dtype = cache
    dloss = _contiguous(np.reshape(g, -1), probs.dtype)
    d = kernels.get("softmax_cross_entropy_backward")(probs, lb, sparse, dloss).reshape(shape)
    if in_dtype.kind == "f" and d.dtype != in_dtype:
        d = d.astype(in_dtype)
    return (None, d)


def softmax_cross_entropy_with_logits(labels, logits, sparse=False):
    """Per-sample `-sum(labels * log_softmax(logits))` over the last axis, one op.

    Args:
        labels: class indices of shape logits.shape[:-1] (or with a trailing 1) when
            `sparse`, else probabilities shaped like `logits`.
        logits: unnormalised scores (..., classes).
        sparse: whether `labels` are indices.

    Returns: the loss, shape logits.shape[:-1]; its gradient flows to `logits` only.
    """
    lg = unwrap(logits)
    lb = np.asarray(unwrap(labels))
    sl = np.shape(lg)
    if len(sl) < 1:
        raise ValueError("softmax_cross_entropy_with_logits: `logits` must have rank >= 1. "
                         f"Received: logits.shape={sl}")
    if sparse:
        if lb.shape == sl[:-1] + (1,) and len(sl) > 1:
            lb = lb.reshape(sl[:-1])
        if lb.shape != sl[:-1]:
            raise ValueError(
                "softmax_cross_entropy_with_logits: sparse `labels` must have shape "
                f"logits.shape[:-1]. Received: labels.shape={np.shape(unwrap(labels))}, "
                f"logits.shape={sl}"
            )
        if lb.dtype.kind == "f":
            lb = lb.astype(np.int64)
        if lb.size and (lb.min() < 0 or lb.max() >= sl[-1]):
            raise ValueError(
                "softmax_cross_entropy_with_logits: labels must be in [0, "
                f"{sl[-1]}). Received: labels in [{lb.min()}, {lb.max()}]"
            )
    elif lb.shape != sl:
        raise ValueError(
            "softmax_cross_entropy_with_logits: `labels` and `logits` must have the same "
            f"shape. Received: labels.shape={lb.shape}, logits.shape={sl}"
        )
    return call_op(_sce_forward, _sce_backward, lb, logits, sparse=bool(sparse))
