"""Reshape: give each sample a new shape (one axis may be -1)."""
import numpy as np

from nnfast import ops
from nnfast.layers.layer import Layer


class Reshape(Layer):
    """Args:
        target_shape: tuple of ints, the shape of each sample (without the batch axis);
            one entry may be -1 and is inferred.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape) if isinstance(target_shape, (list, tuple)) else (target_shape,)
        if target_shape.count(-1) > 1 or any(
            not isinstance(d, (int, np.integer)) or (d < 1 and d != -1) for d in target_shape
        ):
            raise ValueError(
                "Reshape: target_shape must hold positive ints and at most one -1. "
                f"Received: target_shape={target_shape}"
            )
        self.target_shape = tuple(int(d) for d in target_shape)

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = int(np.prod(rest))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(self._mismatch(input_shape))
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape):
        return (
            f"Layer {self.name!r}: total size of the input {tuple(input_shape[1:])} must be "
            f"unchanged by Reshape to target_shape={self.target_shape}. "
            f"Received: input_shape={tuple(input_shape)}"
        )

    def call(self, inputs):
        shape = np.shape(inputs)
        return ops.reshape(inputs, (shape[0],) + self._resolve(shape))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
