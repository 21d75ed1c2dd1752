"""BatchNormalization: normalise with batch statistics in training, moving ones after."""
import numpy as np

from nnfast import constraints, initializers, regularizers
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops import normalization as norm_ops


class BatchNormalization(Layer):
    """Args:
        axis: the feature axis (default -1, channels_last).
        momentum: for the moving mean/variance: `moving = moving*momentum + batch*(1-momentum)`.
        epsilon: added to the variance.
        center, scale: learn `beta` / `gamma`.
        *_initializer, *_regularizer, *_constraint: as in Keras.

    In training (`training=True`, as `fit` runs it) it uses the batch's statistics and
    updates the moving ones; otherwise the moving ones. Frozen (`trainable=False`) it
    always runs in inference mode, as Keras 2.1+ does.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        kwargs.pop("fused", None)
        kwargs.pop("renorm", None)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(f"BatchNormalization supports one axis. Received: axis={axis}")
            axis = axis[0]
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axis = self.axis % ndim if -ndim <= self.axis < ndim else None
        if axis is None or axis == 0:
            raise ValueError(
                f"Layer {self.name!r}: invalid axis={self.axis} for an input of shape "
                f"{tuple(input_shape)}."
            )
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(
                f"Layer {self.name!r}: axis {self.axis} of the input must be known. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        shape = (dim,)
        self.gamma = self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape, trainable=False,
                                           initializer=self.moving_mean_initializer)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape, trainable=False,
                                               initializer=self.moving_variance_initializer)
        self.built = True

    def call(self, inputs, training=None):
        if training and self.trainable:
            y, mean, var = norm_ops.batch_normalization_train(
                inputs, self.gamma, self.beta, axis=self.axis, epsilon=self.epsilon)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean._value * m + np.asarray(mean) * (1 - m))
            self.moving_variance.assign(self.moving_variance._value * m + np.asarray(var) * (1 - m))
            return y
        ndim = np.ndim(inputs)
        axis = self.axis % ndim
        bshape = [1] * ndim
        bshape[axis] = -1

        def b(v):
            return None if v is None else v.value.reshape(bshape) if axis != ndim - 1 else v

        return norm_ops.batch_normalization(
            inputs, b(self.moving_mean), b(self.moving_variance), b(self.beta), b(self.gamma),
            self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        base = super().get_config()
        config = {
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
        return {**base, **config}
