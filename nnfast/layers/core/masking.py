"""Masking: marks timesteps whose features all equal `mask_value` as padding."""
import numpy as np

from nnfast import ops
from nnfast.layers.layer import Layer


class Masking(Layer):
    """Skips timesteps: where every feature of a step equals `mask_value`, the step is
    masked (RNNs carry their state over it) and its output zeroed.

    Args:
        mask_value: the padding value (default 0.0).

    Input shape: `(batch, timesteps, features)`; output shape the same.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs):
        return np.any(np.asarray(inputs) != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self._keep(inputs)
        return ops.multiply(inputs, keep[..., None].astype(np.asarray(inputs).dtype))

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
