"""Keras's `ops.nn` cross-entropies: `categorical_crossentropy` and
`sparse_categorical_crossentropy` (per sample; the loss module's one-op implementations)
and `binary_crossentropy` (elementwise, as `keras.ops.binary_crossentropy`)."""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import call_op, unwrap

__all__ = ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """`-sum(target * log(output))` over `axis` (`output` softmaxed first if logits)."""
    from nnfast.losses import crossentropy

    return crossentropy.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy with integer class targets."""
    from nnfast.losses import crossentropy

    return crossentropy.sparse_categorical_crossentropy(target, output, from_logits=from_logits,
                                                        axis=axis)


def _bce_forward(t, p, from_logits):
    if np.shape(t) != np.shape(p):
        raise ValueError(
            "binary_crossentropy: `target` and `output` must have the same shape. "
            f"Received: target.shape={np.shape(t)}, output.shape={np.shape(p)}"
        )
    t = np.asarray(t, dtype=p.dtype)
    if from_logits:
        # max(z, 0) - z t + log(1 + exp(-|z|)): stable for any z.
        out = np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
        return out, (t, p, None)
    eps = backend.epsilon()
    q = np.clip(p, eps, 1 - eps)
    out = -(t * np.log(q) + (1 - t) * np.log(1 - q))
    return out, (t, q, (p >= eps) & (p <= 1 - eps))


def _bce_backward(g, cache, needs):
    t, p, inside = cache
    if inside is None:
        d = 1 / (1 + np.exp(-p)) - t
    else:
        d = ((1 - t) / (1 - p) - t / p) * inside
    return None, g * d


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (no reduction, as Keras's op)."""
    p = np.asarray(unwrap(output))
    if p.dtype.kind != "f":
        output = p.astype(backend.floatx())
    return call_op(_bce_forward, _bce_backward, target, output, from_logits=bool(from_logits))
