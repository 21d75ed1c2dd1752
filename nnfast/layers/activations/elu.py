"""ELU layer: `x` for x > 0, `alpha * (exp(x) - 1)` below."""
from nnfast import ops
from nnfast.layers.layer import Layer


class ELU(Layer):
    """Args:
        alpha: scale of the negative part (default 1.0).
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
