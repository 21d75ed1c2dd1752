"""Softmax layer, honouring a mask (masked positions get probability 0)."""
import numpy as np

from nnfast import ops
from nnfast.layers.layer import Layer


class Softmax(Layer):
    """Args:
        axis: int or list of ints, the axis (axes) to normalise over (default -1).

    `call(inputs, mask=None)`: where `mask` is False a large negative number is added
    before the softmax, as Keras does.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            adder = (1.0 - np.asarray(mask, dtype=np.asarray(inputs).dtype)) * -1e9
            inputs = ops.add(inputs, adder)
        if isinstance(self.axis, (list, tuple)):
            if len(self.axis) > 1:
                return ops.exp(ops.subtract(inputs, ops.logsumexp(inputs, axis=tuple(self.axis),
                                                                  keepdims=True)))
            return ops.softmax(inputs, axis=self.axis[0])
        return ops.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
