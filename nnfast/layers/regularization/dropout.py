"""Dropout and AlphaDropout: random zeroing during training only."""
from nnfast.layers.layer import Layer
from nnfast.ops import nn as nn_ops


def _check_rate(layer, rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(
            f"Invalid value received for argument `rate` of {layer}. Expected a float "
            f"value between 0 and 1. Received: rate={rate}"
        )
    return float(rate)


class Dropout(Layer):
    """Sets inputs to 0 with frequency `rate` during training, scaling the rest by
    1/(1 - rate); the identity at inference.

    Args:
        rate: float in [0, 1], fraction of the input units to drop.
        noise_shape: 1-D shape of the binary mask (None entries take the input's size).
        seed: int for a reproducible mask.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate("Dropout", rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return nn_ops.dropout(inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": self.noise_shape, "seed": self.seed}


class AlphaDropout(Dropout):
    """Dropout that keeps the mean and variance of SELU activations (self-normalizing)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)
        self.rate = _check_rate("AlphaDropout", rate)

    def call(self, inputs, training=False):
        if training and 0 < self.rate < 1:
            return nn_ops.alpha_dropout(inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return inputs
