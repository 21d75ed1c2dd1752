"""Activation: applies an activation function to its input."""
from nnfast import activations
from nnfast.layers.layer import Layer


class Activation(Layer):
    """Args:
        activation: name (e.g. "relu") or callable.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
