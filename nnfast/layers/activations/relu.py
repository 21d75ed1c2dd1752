"""ReLU layer: `max(x, 0)` with Keras's optional cap, threshold and negative slope."""
from nnfast import ops
from nnfast.layers.layer import Layer


class ReLU(Layer):
    """`f(x) = max_value` for x >= max_value, `x` for threshold <= x < max_value,
    `negative_slope * (x - threshold)` otherwise.

    Args:
        max_value: float >= 0 or None (no cap).
        negative_slope: float >= 0.
        threshold: float.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("max_value", max_value), ("negative_slope", negative_slope)):
            if value is not None and value < 0:
                raise ValueError(
                    f"ReLU: `{arg}` of a ReLU layer cannot be a negative value. "
                    f"Received: {arg}={value}")
        if threshold is None:
            raise ValueError("ReLU: `threshold` cannot be None. Received: threshold=None")
        self.max_value = max_value
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)
        self.supports_masking = True

    def call(self, inputs):
        if self.negative_slope == 0 and self.threshold == 0:
            out = ops.relu(inputs)       # the fused kernel path
        else:
            shifted = ops.subtract(inputs, self.threshold)
            out = ops.where(ops.greater_equal(inputs, self.threshold), inputs,
                            ops.multiply(shifted, self.negative_slope))
        if self.max_value is not None:
            out = ops.minimum(out, float(self.max_value))
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
