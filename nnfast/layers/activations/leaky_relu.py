"""LeakyReLU layer: `x` for x >= 0, `negative_slope * x` below."""
from nnfast import ops
from nnfast.layers.layer import Layer


class LeakyReLU(Layer):
    """Args:
        negative_slope: float >= 0 (Keras 3 default 0.3). Keras 2's name `alpha` is
            accepted.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:               # Keras 2 spelling
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "LeakyReLU: the negative_slope value of a Leaky ReLU layer cannot be None or "
                f"negative. Received: negative_slope={negative_slope}")
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
