"""Helpers of the optimizer base: argument checks and gradient clipping (NumPy)."""
import numpy as np

# Keras 2 / tf.keras arguments that are accepted and have no effect here.
_IGNORED_KWARGS = ("jit_compile", "is_legacy_optimizer", "mesh")


def check_number(owner, name, value, low=None, high=None, allow_none=False):
    """Validate a scalar hyperparameter; returns it as a float (or None)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not np.isfinite(value):
        raise ValueError(f"{owner}: `{name}` must be a finite float. Received: {name}={value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{owner}: `{name}` must be {bounds}. Received: {name}={value!r}")
    return float(value)


def pop_legacy_kwargs(owner, kwargs, learning_rate):
    """Keras 2 spellings: `lr` (alias of learning_rate) and `decay` (inverse time decay).

    Returns (learning_rate, decay); anything else unknown raises ValueError as Keras 3.
    """
    if "lr" in kwargs:
        learning_rate = kwargs.pop("lr")
    decay = kwargs.pop("decay", None)
    decay = check_number(owner, "decay", 0.0 if decay is None else decay, low=0.0)
    for key in _IGNORED_KWARGS:
        kwargs.pop(key, None)
    if kwargs:
        raise ValueError(f"{owner}: argument(s) not recognized: {kwargs}")
    return learning_rate, decay


def clip_by_norm(g, clipnorm):
    """g * clipnorm / max(||g||, clipnorm) (Keras: each gradient on its own)."""
    norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
    if norm <= clipnorm:
        return g
    return g * (clipnorm / norm)


def clip_by_global_norm(grads, clipnorm):
    """Scale every gradient by clipnorm / max(global norm, clipnorm); NaN/inf norms give
    NaN gradients, as Keras (so the failure is visible, not silently clipped)."""
    total = sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)
    norm = np.sqrt(total)
    if not np.isfinite(norm):
        return [np.full_like(g, np.nan) for g in grads]
    if norm <= clipnorm:
        return grads
    scale = clipnorm / norm
    return [g * scale for g in grads]


def clip_by_value(grads, clipvalue):
    return [np.clip(g, -clipvalue, clipvalue) for g in grads]
