"""Deterministic initializers: Zeros, Ones, Constant, Identity."""
import numpy as np

from nnfast.backend import standardize_dtype
from nnfast.initializers.initializer import Initializer, standardize_shape


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None, **kwargs):
        return np.zeros(standardize_shape("Zeros", shape), dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None, **kwargs):
        return np.ones(standardize_shape("Ones", shape), dtype=standardize_dtype(dtype))


class Constant(Initializer):
    """Every element `value` (a scalar, or an array broadcastable to the shape).

    Args:
        value: the constant. Defaults to 0.0.
    """

    def __init__(self, value=0.0):
        from nnfast.autograd.function import unwrap

        if not isinstance(value, (int, float, bool, np.number)):
            value = np.asarray(unwrap(value))
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        shape = standardize_shape("Constant", shape)
        out = np.empty(shape, dtype=standardize_dtype(dtype))
        try:
            out[...] = self.value
        except ValueError:
            raise ValueError(
                f"Constant: value of shape {np.shape(self.value)} cannot fill a tensor of "
                f"shape {shape}."
            ) from None
        return out

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.number):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only; rectangular allowed).

    Args:
        gain: multiplicative factor. Defaults to 1.0.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        shape = standardize_shape("Identity", shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return (self.gain * np.eye(*shape)).astype(standardize_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}
