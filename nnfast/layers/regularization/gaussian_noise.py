"""GaussianNoise and GaussianDropout: multiplicative/additive noise while training."""
from nnfast import ops
from nnfast.layers.layer import Layer
from nnfast.layers.regularization.dropout import _check_rate
from nnfast.utils.rng import get_rng


class GaussianNoise(Layer):
    """Adds zero-centred Gaussian noise of standard deviation `stddev` in training only.

    Args:
        stddev: float >= 0.
        seed: int for reproducible noise.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev:
            raise ValueError(f"Invalid value received for argument `stddev`. Expected a float "
                             f"value >= 0. Received: stddev={stddev}")
        self.stddev = float(stddev)
        self.seed = seed
        self.supports_masking = True

    def _rng(self):
        import numpy as np

        return np.random.default_rng(self.seed) if self.seed is not None else get_rng()

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            noise = self._rng().normal(0.0, self.stddev, size=inputs.shape).astype(inputs.dtype)
            return ops.add(inputs, noise)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(GaussianNoise):
    """Multiplies by 1-centred Gaussian noise of stddev `sqrt(rate / (1 - rate))` in
    training only.

    Args:
        rate: float in [0, 1), the equivalent drop probability.
        seed: int for reproducible noise.
    """

    def __init__(self, rate, seed=None, **kwargs):
        Layer.__init__(self, **kwargs)
        self.rate = _check_rate("GaussianDropout", rate)
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and 0 < self.rate < 1:
            std = (self.rate / (1.0 - self.rate)) ** 0.5
            noise = self._rng().normal(1.0, std, size=inputs.shape).astype(inputs.dtype)
            return ops.multiply(inputs, noise)
        return inputs

    def get_config(self):
        base = Layer.get_config(self)
        return {**base, "rate": self.rate, "seed": self.seed}
