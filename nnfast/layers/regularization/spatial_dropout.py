"""SpatialDropout1D/2D: drop whole feature maps (channels) instead of single values."""
from nnfast.layers.input_spec import InputSpec
from nnfast.ops import nn as nn_ops
from nnfast.layers.regularization.dropout import Dropout


class SpatialDropout1D(Dropout):
    """Dropout of entire 1-D feature maps: input `(batch, steps, channels)`; one keep/drop
    decision per (sample, channel)."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return nn_ops.dropout(inputs, self.rate, noise_shape=(inputs.shape[0], 1, inputs.shape[2]),
                              seed=self.seed)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        return config


class SpatialDropout2D(Dropout):
    """Dropout of entire 2-D feature maps: one decision per (sample, channel).

    Args:
        rate: float in [0, 1].
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError("SpatialDropout2D: `data_format` must be 'channels_last' or "
                             f"'channels_first'. Received: data_format={data_format!r}")
        self.data_format = data_format
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        n = inputs.shape[0]
        if self.data_format == "channels_first":
            noise_shape = (n, inputs.shape[1], 1, 1)
        else:
            noise_shape = (n, 1, 1, inputs.shape[3])
        return nn_ops.dropout(inputs, self.rate, noise_shape=noise_shape, seed=self.seed)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        return {**config, "data_format": self.data_format}
