"""Dense: `activation(inputs @ kernel + bias)`, run as one fused op."""
from nnfast import activations, constraints, initializers, regularizers
from nnfast.autograd.function import needs_grad
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops import nn as nn_ops


class Dense(Layer):
    """Just your regular densely-connected NN layer.

    Args:
        units: positive int, dimensionality of the output space.
        activation: activation function (name, callable or None for linear).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as in Keras.

    Input shape: N-D `(batch_size, ..., input_dim)`.
    Output shape: N-D `(batch_size, ..., units)`.
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units}"
            )
        self.units = units
        self.activation = activations.get(activation)
        # The activation runs inside the dense op when the kernels know it (one tape entry).
        self._fused = activations.fusable_kind(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense layer {self.name!r}: the last dimension of the input must be known. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        if self._fused is not None:
            kind, alpha = self._fused
            if kind == "softmax" and needs_grad(self.kernel):
                # Training: keep the logits beside the probabilities, so a cross-entropy
                # loss runs the fused, stable softmax+CE kernel on them (Keras on TF does
                # the same through `_keras_logits`).
                logits = nn_ops.dense(inputs, self.kernel, self.bias)
                probs = nn_ops.softmax(logits)
                probs._keras_logits = logits
                return probs
            return nn_ops.dense(inputs, self.kernel, self.bias, activation=kind, alpha=alpha)
        return self.activation(nn_ops.dense(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        base = super().get_config()
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
        return {**base, **config}
