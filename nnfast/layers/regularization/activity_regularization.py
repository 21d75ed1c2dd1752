"""ActivityRegularization: adds an L1/L2 penalty on its input to the model's loss."""
from nnfast import regularizers
from nnfast.layers.layer import Layer


class ActivityRegularization(Layer):
    """The identity, plus `l1 * sum(|x|) + l2 * sum(x**2)` (per sample) added to the
    losses.

    Args:
        l1, l2: non-negative floats.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = float(l1)
        self.l2 = float(l2)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        base = super().get_config()
        base.pop("activity_regularizer", None)
        return {**base, "l1": self.l1, "l2": self.l2}
