"""PReLU layer: a leaky ReLU whose slope is learned, per unit or shared along axes."""
from nnfast import constraints, initializers, ops, regularizers
from nnfast.layers.layer import Layer


class PReLU(Layer):
    """`f(x) = x` for x >= 0, `alpha * x` otherwise, with `alpha` a weight.

    Args:
        alpha_initializer, alpha_regularizer, alpha_constraint: for the slope weight.
        shared_axes: axes (1-based, excluding the batch) along which one slope is shared,
            e.g. `[1, 2]` for one slope per channel of an image.
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU {self.name!r}: shared_axes must lie in [1, {len(input_shape) - 1}]. "
                    f"Received: shared_axes={self.shared_axes}")
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"PReLU {self.name!r}: the non-shared input axes must be known. "
                             f"Received: input_shape={tuple(input_shape)}")
        self.alpha = self.add_weight(
            name="alpha", shape=param_shape, initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        positive = ops.relu(inputs)
        negative = ops.multiply(ops.negative(self.alpha), ops.relu(ops.negative(inputs)))
        return ops.add(positive, negative)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
