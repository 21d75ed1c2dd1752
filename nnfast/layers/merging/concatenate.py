"""Concatenate: joins a list of tensors along one axis."""
import numpy as np

from nnfast import ops
from nnfast.layers.merging.base_merge import Merge


class Concatenate(Merge):
    """Concatenates a list of inputs along `axis`; all other sizes must match.

    Args:
        axis: the concatenation axis (default -1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge_function(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis + rank if self.axis < 0 else self.axis
        if any(len(s) != rank for s in shapes) or not 0 <= axis < rank:
            self._mismatch(shapes)
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is None or b is None:
                    out[i] = a if b is None else b
                elif a != b:
                    self._mismatch(shapes)
        return tuple(out)

    def _mismatch(self, shapes):
        raise ValueError(
            f"A `Concatenate` layer ({self.name!r}) requires inputs with matching shapes "
            f"except for the concatenation axis (axis={self.axis}). Received: "
            f"input_shape={shapes}")

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            shape = np.shape(x)
            if m is None:
                m = np.ones(shape, dtype=bool)
            m = np.asarray(m, dtype=bool)
            if m.ndim < len(shape):
                m = np.broadcast_to(m[..., None], shape)
            full.append(m)
        return np.all(np.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `concatenate([x1, x2], axis=-1)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
