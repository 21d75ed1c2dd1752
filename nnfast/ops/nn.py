"""`keras.ops.nn`: activation functions, softmax family, one-hot; the fused layer ops
(`dense`, softmax cross-entropy, dropout) and the cross-entropies are in nn_fused.py,
nn_dropout.py and nn_losses.py, re-exported here.

Activations the kernels know (`ACTIVATION_KINDS`) run through the kernel registry:
`activation_forward(kind, x, alpha)` / `activation_backward(kind, dy, x, y, alpha)`.
The backward keeps the input only when the kind's derivative needs it (`needs_input`),
else only the output.
"""
import numpy as np

from nnfast import backend
from nnfast import kernels
from nnfast.autograd.function import call_op, unwrap, wrap
from nnfast.ops._helpers import normalize_axes
from nnfast.ops.nn_dropout import alpha_dropout, dropout  # noqa: F401
from nnfast.ops.nn_fused import dense, needs_input, softmax_cross_entropy_with_logits  # noqa: F401
from nnfast.ops.nn_rnn import gru, lstm, simple_rnn  # noqa: F401
from nnfast.ops.nn_losses import (  # noqa: F401
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
)

ACTIVATION_KINDS = (
    "linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh",
    "softplus", "softsign", "exponential", "gelu", "gelu_approx", "swish", "softmax",
    "log_softmax",
)
__all__ = [
    "ACTIVATION_KINDS", "activation", "alpha_dropout", "binary_crossentropy",
    "categorical_crossentropy", "dense", "dropout", "elu", "exponential",
    "gelu", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "log_sigmoid",
    "log_softmax", "mish", "multi_hot", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu",
    "softmax", "softmax_cross_entropy_with_logits", "softplus", "softsign",
    "sparse_categorical_crossentropy", "swish", "tanh",
]


def _kernel_array(a):
    """`a` as a C-contiguous float32/float64 array (what every kernel accepts)."""
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(backend.floatx() if a.dtype.kind != "f" else np.float32)
    return a if a.flags.c_contiguous else a.copy(order="C")   # (keeps 0-d arrays 0-d)


def _like_input(y, in_dtype):
    """Float16 (etc.) inputs are computed in float32 and returned in their own dtype."""
    return y.astype(in_dtype) if in_dtype.kind == "f" and y.dtype != in_dtype else y


def _as_rows(a):
    """A 2-D view (rows, last axis) of `a`: the layout the kernels are written for."""
    if a.ndim == 2:
        return a
    if a.ndim == 0:
        return a.reshape(1, 1)
    return a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])   # also right for size 0


def _act_forward(a, kind, alpha):
    in_dtype = a.dtype
    a = _kernel_array(a)
    y = kernels.get("activation_forward")(kind, _as_rows(a), alpha=alpha).reshape(a.shape)
    return _like_input(y, in_dtype), (kind, alpha, a if needs_input(kind) else None, y, in_dtype)


def _act_backward(g, cache, needs):
    kind, alpha, a, y, in_dtype = cache
    g = np.asarray(g, dtype=y.dtype, order="C")
    dx = kernels.get("activation_backward")(
        kind, _as_rows(g), None if a is None else _as_rows(a), _as_rows(y), alpha=alpha)
    dx = dx.reshape(y.shape)
    return (dx if in_dtype.kind != "f" or dx.dtype == in_dtype else dx.astype(in_dtype),)


def activation(x, kind, alpha=0.0):
    """Apply the kernel activation `kind` elementwise (row-wise over the last axis for
    softmax/log_softmax) as one recorded op."""
    if kind not in ACTIVATION_KINDS:
        raise ValueError(
            f"activation: unknown kind {kind!r}. Expected one of {ACTIVATION_KINDS}."
        )
    return call_op(_act_forward, _act_backward, x, kind=kind, alpha=float(alpha))


def relu(x):
    """`max(x, 0)`."""
    return activation(x, "relu")


def leaky_relu(x, negative_slope=0.2):
    """`x` for x >= 0, `negative_slope * x` otherwise."""
    if negative_slope < 0:
        # The kernels' backward reads the branch from the sign of y: valid for slope >= 0.
        from nnfast.ops.numpy_elementwise import multiply, where

        return where(np.asarray(unwrap(x)) >= 0, x, multiply(x, negative_slope))
    return activation(x, "leaky_relu", negative_slope)


def elu(x, alpha=1.0):
    """`x` for x > 0, `alpha * (exp(x) - 1)` otherwise."""
    if alpha < 0:
        # As leaky_relu: the kernels tell the branch by the sign of y, true for alpha >= 0.
        from nnfast.ops.numpy_elementwise import expm1, multiply, where

        return where(np.asarray(unwrap(x)) > 0, x, multiply(alpha, expm1(x)))
    return activation(x, "elu", alpha)


def selu(x):
    """`scale * elu(x, alpha)` with SELU's constants (alpha=1.6732632, scale=1.0507010)."""
    return activation(x, "selu")


def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return activation(x, "sigmoid")


def hard_sigmoid(x):
    """`clip(x / 6 + 0.5, 0, 1)` (Keras 3's definition)."""
    return activation(x, "hard_sigmoid")


def tanh(x):
    return activation(x, "tanh")


def softplus(x):
    """`log(1 + exp(x))`, computed without overflow."""
    return activation(x, "softplus")


def softsign(x):
    """`x / (1 + |x|)`."""
    return activation(x, "softsign")


def silu(x):
    """`x * sigmoid(x)` (also called swish)."""
    return activation(x, "swish")


swish = silu


def gelu(x, approximate=True):
    """Gaussian error linear unit; `approximate=True` (Keras's `ops.gelu` default) uses
    the tanh form, False the exact erf form."""
    return activation(x, "gelu_approx" if approximate else "gelu")


def exponential(x):
    return activation(x, "exponential")


def log_sigmoid(x):
    """`log(sigmoid(x)) = -softplus(-x)`."""
    from nnfast.ops.numpy_elementwise import negative

    return negative(softplus(negative(x)))


# --- activations without a kernel kind --------------------------------------------------
def _relu6_forward(a):
    return np.clip(a, 0, 6), a


def _relu6_backward(g, a, needs):
    return (g * ((a > 0) & (a < 6)),)


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return call_op(_relu6_forward, _relu6_backward, x)


def _hard_silu_forward(a):
    return a * np.clip(a + 3, 0, 6) / 6, a


def _hard_silu_backward(g, a, needs):
    d = np.where(a < -3, 0, np.where(a > 3, 1, (2 * a + 3) / 6))
    return (g * d.astype(a.dtype, copy=False),)


def hard_silu(x):
    """`x * relu6(x + 3) / 6`."""
    return call_op(_hard_silu_forward, _hard_silu_backward, x)


hard_swish = hard_silu


def _mish_forward(a):
    sp = np.logaddexp(0, a)
    t = np.tanh(sp)
    return a * t, (a, t)


def _mish_backward(g, cache, needs):
    a, t = cache
    sig = 1 / (1 + np.exp(-a))
    return (g * (t + a * (1 - t * t) * sig),)


def mish(x):
    """`x * tanh(softplus(x))`."""
    return call_op(_mish_forward, _mish_backward, x)


# --- softmax family ----------------------------------------------------------------------
def _row_forward(a, kind, axes):
    """softmax/log_softmax over `axes`: move them last, flatten them, one kernel call."""
    in_dtype = a.dtype
    a = _kernel_array(a)
    if axes == (a.ndim - 1,):
        y = kernels.get("activation_forward")(kind, _as_rows(a), alpha=0.0).reshape(a.shape)
        return _like_input(y, in_dtype), (kind, axes, y, None, in_dtype)
    rest = [i for i in range(a.ndim) if i not in axes]
    perm = rest + list(axes)
    moved = np.ascontiguousarray(np.transpose(a, perm))
    rows = moved.reshape(-1, int(np.prod([a.shape[i] for i in axes])))
    y_rows = kernels.get("activation_forward")(kind, rows, alpha=0.0)
    y = np.transpose(y_rows.reshape(moved.shape), np.argsort(perm))
    return _like_input(y, in_dtype), (kind, axes, y_rows, (perm, moved.shape), in_dtype)


def _row_backward(g, cache, needs):
    kind, axes, y, layout, in_dtype = cache
    backward = kernels.get("activation_backward")
    if layout is None:
        g = np.asarray(g, dtype=y.dtype, order="C")
        dx = backward(kind, _as_rows(g), None, _as_rows(y), alpha=0.0).reshape(y.shape)
    else:
        perm, moved_shape = layout
        g_rows = np.ascontiguousarray(np.transpose(g, perm), dtype=y.dtype).reshape(y.shape)
        dx = np.transpose(backward(kind, g_rows, None, y, alpha=0.0).reshape(moved_shape),
                          np.argsort(perm))
    return (dx if in_dtype.kind != "f" or dx.dtype == in_dtype else dx.astype(in_dtype),)


def _row_op(kind, x, axis):
    ndim = np.ndim(unwrap(x))
    if ndim == 0:
        raise ValueError(f"{kind}: the input must have rank >= 1. Received: x.shape=()")
    axes = normalize_axes(kind, axis, ndim)
    return call_op(_row_forward, _row_backward, x, kind=kind, axes=axes)


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis` (an int or a tuple of axes)."""
    return _row_op("softmax", x, axis)


def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis`."""
    return _row_op("log_softmax", x, axis)


# --- encodings ----------------------------------------------------------------------------
def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encoding of integer `x` along a new `axis`; out-of-range indices (e.g. -1)
    give all-zero vectors, as in Keras."""
    idx = np.asarray(unwrap(x))
    if idx.dtype.kind not in "iu":
        if idx.dtype.kind == "f" and np.all(idx == np.floor(idx)):
            idx = idx.astype(np.int64)
        else:
            raise TypeError(f"one_hot: `x` must hold integers. Received dtype={idx.dtype}")
    num_classes = int(num_classes)
    out = (idx[..., None] == np.arange(num_classes)).astype(backend.standardize_dtype(dtype))
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return wrap(out)


def multi_hot(inputs, num_classes, axis=-1, dtype=None):
    """Multi-hot encoding: one vector per row of `inputs` with ones at its indices."""
    idx = np.asarray(unwrap(inputs)).astype(np.int64)
    if idx.ndim == 1:
        idx = idx[None]
        squeeze = True
    else:
        squeeze = False
    out = np.zeros(idx.shape[:-1] + (int(num_classes),), dtype=backend.standardize_dtype(dtype))
    valid = (idx >= 0) & (idx < num_classes)
    rows = np.indices(idx.shape)[:-1]
    out[tuple(r[valid] for r in rows) + (idx[valid],)] = 1
    if squeeze:
        out = out[0]
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return wrap(out)


# Convolutions live in nn_conv.py (Keras's ops.conv, conv_transpose, depthwise_conv, ...).
from nnfast.ops import nn_conv as _nn_conv  # noqa: E402
from nnfast.ops.nn_conv import *  # noqa: E402,F401,F403
__all__ += _nn_conv.__all__
