"""NumPy twins of the elementwise kernels: activations (forward/backward), bias add/grad,
the fused bias+activation, and fused softmax + cross-entropy.

Activation kinds (the `kind` strings the ops and the compiled kernels share):
linear, relu, leaky_relu (slope alpha), elu (alpha), selu, sigmoid, hard_sigmoid
(Keras 3: clip(x/6 + 1/2, 0, 1)), tanh, softplus, softsign, exponential, gelu (erf),
gelu_approx (tanh form), swish (x*sigmoid(x)), softmax and log_softmax (last axis).
"""
import math

import numpy as np
from scipy.special import erf, expit

from nnfast.kernels.registry import register

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
KINDS = ("linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh",
         "softplus", "softsign", "exponential", "gelu", "gelu_approx", "swish", "softmax",
         "log_softmax")
# Backward of these reads the pre-activation x; the others need only y.
_NEEDS_INPUT = frozenset(("gelu", "gelu_approx", "swish"))
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
# Evaluated in float64 and rounded (as the compiled kernels do): in float32 these lose
# digits to cancellation (e.g. 1 + tanh(u) for very negative u in gelu_approx).
_IN_FLOAT64 = frozenset(("elu", "selu", "sigmoid", "softplus", "gelu", "gelu_approx", "swish"))


def needs_input(kind):
    """Whether `activation_backward(kind, ...)` needs the pre-activation `x`."""
    check_kind(kind)
    return kind in _NEEDS_INPUT


def check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"Unknown activation kind {kind!r}. Known kinds: {', '.join(KINDS)}")


# --- checks shared with the compiled adapters (nnfast/kernels/compiled.py) --------------
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def check_float(x, name, arg="x"):
    """TypeError unless `x` is a float32/float64 ndarray (what every kernel computes in)."""
    if not isinstance(x, np.ndarray) or x.dtype not in _FLOATS:
        raise TypeError(f"{name} expects a float32 or float64 array for `{arg}`. Received: "
                        f"{arg} of type {type(x).__name__}, dtype {getattr(x, 'dtype', None)}")


def check_same_shape(x, other, name, arg):
    if other.shape != x.shape:
        raise ValueError(f"{name}: `{arg}` must have the shape {x.shape}. Received: "
                         f"{arg}.shape={other.shape}")


def check_out(x, out, name):
    """`out` (when given) must match `x` in shape and dtype; it may be non-contiguous."""
    if out is not None and (not isinstance(out, np.ndarray) or out.shape != x.shape
                            or out.dtype != x.dtype):
        raise ValueError(f"{name}: `out` must be an array of shape {x.shape} and dtype "
                         f"{x.dtype}. Received: shape={getattr(out, 'shape', None)}, "
                         f"dtype={getattr(out, 'dtype', None)}")


def check_rows(x, name):
    """softmax and log_softmax reduce over the last axis, which must exist."""
    if x.ndim < 1:
        raise ValueError(f"{name}: softmax reduces over the last axis; x must have rank "
                         f">= 1. Received: shape={x.shape}")


def _store(value, out):
    if out is None:
        return value
    out[...] = value
    return out


def activation_forward(kind, x, alpha=0.0, out=None):
    """y = act(x), elementwise (softmax kinds: over the last axis).

    Args:
        kind: one of `KINDS`.
        x: float32/float64 array.
        alpha: leaky_relu's slope, elu's alpha (ignored by the other kinds).
        out: optional array of x's shape and dtype to write into (may be x).
    """
    check_kind(kind)
    check_float(x, "activation_forward")
    check_out(x, out, "activation_forward")
    if kind in ("softmax", "log_softmax"):
        check_rows(x, "activation_forward")
    if x.size == 0:
        return _store(np.empty_like(x), out)
    dtype = x.dtype
    if kind in _IN_FLOAT64:
        x = x.astype(np.float64)
    if kind == "linear":
        y = x.copy()
    elif kind == "relu":
        y = np.maximum(x, 0)
    elif kind == "leaky_relu":
        y = np.where(x >= 0, x, x * x.dtype.type(alpha))
    elif kind == "elu":
        y = np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0)))
    elif kind == "selu":
        y = SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))
    elif kind == "sigmoid":
        y = expit(x)
    elif kind == "hard_sigmoid":
        y = np.clip(x / 6 + 0.5, 0, 1)
    elif kind == "tanh":
        y = np.tanh(x)
    elif kind == "softplus":
        y = np.logaddexp(0, x)
    elif kind == "softsign":
        y = x / (1 + np.abs(x))
    elif kind == "exponential":
        y = np.exp(x)
    elif kind == "gelu":
        y = 0.5 * x * (1 + erf(x / math.sqrt(2)))
    elif kind == "gelu_approx":
        y = 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
    elif kind == "swish":
        y = x * expit(x)
    elif kind == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        y = e / e.sum(axis=-1, keepdims=True)
    else:  # log_softmax
        z = x - x.max(axis=-1, keepdims=True)
        y = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return _store(y.astype(dtype, copy=False), out)


def check_activation_backward(kind, dy, x, y, alpha, out):
    check_kind(kind)
    if kind in _NEEDS_INPUT and x is None:
        raise ValueError(f"activation_backward({kind!r}) needs the pre-activation input x.")
    if kind == "leaky_relu" and alpha < 0:   # the sign of y tells the branch only if alpha >= 0
        raise ValueError(f"leaky_relu backward needs alpha >= 0. Received alpha={alpha}")
    check_float(dy, "activation_backward", "dy")
    check_float(y, "activation_backward", "y")
    check_same_shape(dy, y, "activation_backward", "y")
    if x is not None:
        check_float(x, "activation_backward", "x")
        check_same_shape(dy, x, "activation_backward", "x")
    check_out(dy, out, "activation_backward")


def activation_backward(kind, dy, x, y, alpha=0.0, out=None):
    """dx = dy * act'(x), from the forward's output `y` (and `x` when
    `needs_input(kind)`; otherwise pass x=None).

    Args:
        kind, alpha: as in the forward.
        dy: gradient of the output; x: forward input or None; y: forward output.
        out: optional array of dy's shape and dtype to write into (may be dy).
    """
    check_activation_backward(kind, dy, x, y, alpha, out)
    if dy.size == 0:
        return _store(np.empty_like(dy), out)
    dtype = dy.dtype
    if kind in _IN_FLOAT64:
        dy, y = dy.astype(np.float64), y.astype(np.float64)
        x = None if x is None else x.astype(np.float64)
    if kind == "linear":
        dx = dy.copy()
    elif kind == "relu":
        dx = dy * (y > 0)
    elif kind == "leaky_relu":
        dx = np.where(y >= 0, dy, dy * dy.dtype.type(alpha))
    elif kind == "elu":
        dx = np.where(y > 0, dy, dy * (y + dy.dtype.type(alpha)))
    elif kind == "selu":
        dx = np.where(y > 0, dy * SELU_SCALE, dy * (y + SELU_SCALE * SELU_ALPHA))
    elif kind == "sigmoid":
        dx = dy * y * (1 - y)
    elif kind == "hard_sigmoid":
        dx = dy * ((y > 0) & (y < 1)) / 6
    elif kind == "tanh":
        dx = dy * (1 - y * y)
    elif kind == "softplus":
        dx = dy * -np.expm1(-y)          # sigmoid(x) = 1 - exp(-softplus(x))
    elif kind == "softsign":
        dx = dy * np.square(1 - np.abs(y))
    elif kind == "exponential":
        dx = dy * y
    elif kind == "gelu":
        dx = dy * (0.5 * (1 + erf(x / math.sqrt(2))) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))
    elif kind == "gelu_approx":
        t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
        dx = dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x))
    elif kind == "swish":
        s = expit(x)
        dx = dy * (s + x * s * (1 - s))
    elif kind == "softmax":
        dx = y * (dy - (dy * y).sum(axis=-1, keepdims=True))
    else:  # log_softmax
        dx = dy - np.exp(y) * dy.sum(axis=-1, keepdims=True)
    return _store(dx.astype(dtype, copy=False), out)


def check_bias(x, bias, name):
    check_float(x, name)
    if not isinstance(bias, np.ndarray) or bias.dtype.kind != "f":
        raise TypeError(f"{name} expects a float array for `bias`. Received: "
                        f"{type(bias).__name__}, dtype {getattr(bias, 'dtype', None)}")
    if x.ndim < 1 or bias.ndim != 1 or x.shape[-1] != bias.shape[0]:
        raise ValueError(
            f"{name}: bias must be 1-D with as many entries as the last axis of x. Received "
            f"x.shape={x.shape}, bias.shape={bias.shape}"
        )


def bias_add(x, bias, out=None):
    """x + bias over the last axis, in x's dtype (x of any rank >= 1)."""
    check_bias(x, bias, "bias_add")
    check_out(x, out, "bias_add")
    return _store(x + bias.astype(x.dtype, copy=False), out)


def check_bias_grad(dy):
    check_float(dy, "bias_grad", "dy")
    if dy.ndim < 1:
        raise ValueError(f"bias_grad expects an array of rank >= 1. Received shape {dy.shape}")


def bias_grad(dy):
    """dy summed over every axis but the last (accumulated in float64), in dy's dtype."""
    check_bias_grad(dy)
    rows = dy.reshape(int(np.prod(dy.shape[:-1])), dy.shape[-1])   # (also when empty)
    return rows.sum(axis=0, dtype=np.float64).astype(dy.dtype)


def bias_activation_forward(kind, z, bias, alpha=0.0):
    """y = act(z + bias); z may be overwritten. Returns (y, pre), pre = z + bias when the
    backward needs it, else None."""
    check_kind(kind)
    check_float(z, "bias_activation_forward", "z")
    if bias is not None:
        check_bias(z, bias, "bias_activation_forward")
        z += bias.astype(z.dtype, copy=False)
    if needs_input(kind):
        return activation_forward(kind, z, alpha), z
    if kind == "linear":
        return z, None
    return activation_forward(kind, z, alpha, out=z), None


def check_softmax_xent(logits, labels, sparse, name="softmax_cross_entropy"):
    """Shapes, dtypes and label range of the fused softmax + cross-entropy (forward and,
    with `probs` for `logits`, backward)."""
    check_float(logits, name, "logits" if name == "softmax_cross_entropy" else "probs")
    if logits.ndim != 2:
        raise ValueError(f"{name} expects 2-D logits (N, C). Received shape {logits.shape}")
    n, c = logits.shape
    if c == 0:
        raise ValueError(f"{name} needs at least one class. Received shape {logits.shape}")
    if not isinstance(labels, np.ndarray):
        raise TypeError(f"{name} expects `labels` as an array. Received: {type(labels).__name__}")
    if sparse:
        if labels.dtype.kind not in "iu":
            raise TypeError(f"{name}: sparse labels must be integer class indices. Received "
                            f"dtype {labels.dtype}")
        if labels.shape != (n,):
            raise ValueError(f"{name}: sparse labels must have shape ({n},). Received "
                             f"{labels.shape}")
        if labels.size and (labels.min() < 0 or labels.max() >= c):
            bad = labels[(labels < 0) | (labels >= c)][0]
            raise ValueError(f"{name}: labels must be class indices in [0, {c}) for {c} "
                             f"classes. Received label {bad}")
    else:
        if labels.dtype.kind not in "fiub":
            raise TypeError(f"{name}: dense labels must be numeric. Received dtype {labels.dtype}")
        if labels.shape != logits.shape:
            raise ValueError(f"{name}: labels must have the logits' shape {logits.shape}. "
                             f"Received {labels.shape}")


def check_softmax_xent_backward(probs, labels, sparse, dloss):
    name = "softmax_cross_entropy_backward"
    check_softmax_xent(probs, labels, sparse, name)
    check_float(dloss, name, "dloss")
    if dloss.shape != probs.shape[:1]:
        raise ValueError(f"{name}: dloss must have shape ({probs.shape[0]},). Received "
                         f"{dloss.shape}")


def softmax_cross_entropy(logits, labels, sparse):
    """(loss, probs): loss (N,) = -sum(labels * log_softmax(logits)), probs = softmax.

    Args:
        logits: (N, C) float array.
        labels: (N,) integer class indices when `sparse`, else (N, C) probabilities.
        sparse: which form `labels` has.
    """
    check_softmax_xent(logits, labels, sparse)
    log_probs = activation_forward("log_softmax", logits)
    if sparse:
        loss = -log_probs[np.arange(len(labels)), labels]
    else:
        loss = -(labels * log_probs).sum(axis=-1)
    return loss.astype(logits.dtype, copy=False), np.exp(log_probs)


def softmax_cross_entropy_backward(probs, labels, sparse, dloss):
    """dlogits = (probs * sum(labels) - labels) * dloss[:, None] (one-hot for sparse)."""
    check_softmax_xent_backward(probs, labels, sparse, dloss)
    dloss = dloss.astype(probs.dtype, copy=False)
    if sparse:
        d = probs.copy()
        d[np.arange(len(labels)), labels] -= 1
    else:
        d = probs * labels.sum(axis=-1, keepdims=True) - labels
    return (d * dloss[:, None]).astype(probs.dtype, copy=False)


for _name, _fn in (("activation_forward", activation_forward),
                   ("activation_backward", activation_backward),
                   ("bias_add", bias_add), ("bias_grad", bias_grad),
                   ("bias_activation_forward", bias_activation_forward),
                   ("softmax_cross_entropy", softmax_cross_entropy),
                   ("softmax_cross_entropy_backward", softmax_cross_entropy_backward)):
    register(_name, numpy=_fn)
