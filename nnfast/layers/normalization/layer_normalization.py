"""LayerNormalization: normalises each sample over its feature axes."""
from nnfast import constraints, initializers, ops, regularizers
from nnfast.layers.layer import Layer
from nnfast.ops.layer_normalization import layer_normalization


class LayerNormalization(Layer):
    """Per-sample normalisation: `gamma * (x - mean) / sqrt(var + epsilon) + beta`, the
    moments taken over `axis`.

    Args:
        axis: int or list of ints (default -1, the features).
        epsilon: small float added to the variance (default 1e-3).
        center, scale: whether to learn `beta` and `gamma`.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: as Keras.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if rms_scaling:
            raise ValueError("LayerNormalization: rms_scaling=True is not supported by nnfast. "
                             "Received: rms_scaling=True")
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("LayerNormalization: expected an int or a list of ints for `axis`. "
                            f"Received: axis={axis!r}")
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        axes = sorted(a + ndim if a < 0 else a for a in axes)
        if any(not 0 < a < ndim for a in axes):
            raise ValueError(f"LayerNormalization {self.name!r}: invalid axis {self.axis} for "
                             f"an input of rank {ndim}. Received: input_shape={tuple(input_shape)}")
        self._axes = axes
        # Keras stores the weights with the normalised axes' sizes only.
        shape = [input_shape[a] for a in axes]
        self._broadcast = [input_shape[a] if a in axes else 1 for a in range(ndim)]
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        gamma = None if self.gamma is None else ops.reshape(self.gamma, self._broadcast)
        beta = None if self.beta is None else ops.reshape(self.beta, self._broadcast)
        return layer_normalization(inputs, gamma, beta, axis=self._axes, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": False,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}
