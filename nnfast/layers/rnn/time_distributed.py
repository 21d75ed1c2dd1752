"""TimeDistributed: apply one layer to every temporal slice of an input."""
import numpy as np

from nnfast.autograd.function import unwrap
from nnfast.layers.layer import Layer
from nnfast.layers.rnn.dropout_rnn_cell import standardize_config
from nnfast.ops import core as core_ops


class TimeDistributed(Layer):
    """This wrapper applies a layer to every temporal slice of an input.

    The input is (batch, time, ...); the wrapped layer sees (batch * time, ...) in one
    call (the same weights for every step, one op instead of one per step). A layer whose
    result mixes samples of a batch (BatchNormalization while training) therefore sees
    all steps together, where Keras 3 calls it once per step.

    Args:
        layer: a `keras.layers.Layer` instance.

    Call arguments: `inputs`, `training`, `mask` ((batch, time) booleans, passed on to
    the layer when it takes one).
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {input_shape}")
        batch, steps = input_shape[0], input_shape[1]
        merged = None if batch is None or steps is None else batch * steps
        return (merged,) + tuple(input_shape[2:])

    def build(self, input_shape):
        self.layer._maybe_build(self._child_shape(tuple(input_shape)))
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(tuple(input_shape)))
        return (input_shape[0], input_shape[1]) + tuple(child[1:])

    def call(self, inputs, training=None, mask=None):
        shape = np.shape(unwrap(inputs))
        self._child_shape(shape)
        kwargs = {}
        if mask is not None:
            mask = np.asarray(unwrap(mask))
            if mask.ndim < 2 or mask.shape[:2] != shape[:2]:
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape "
                                 f"{mask.shape} that is incompatible with the input shape "
                                 f"{shape}. Expected mask shape prefix: {shape[:2]}.")
            if "mask" in _call_params(self.layer):
                kwargs["mask"] = mask.reshape((-1,) + mask.shape[2:])
        if self.layer._call_accepts_training:
            kwargs["training"] = training
        flat = core_ops.reshape(inputs, (shape[0] * shape[1],) + shape[2:])
        out = self.layer(flat, **kwargs)
        out_shape = np.shape(unwrap(out))
        return core_ops.reshape(out, shape[:2] + out_shape[1:])

    def get_config(self):
        from nnfast.layers import serialize

        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nnfast.layers import deserialize

        config = standardize_config(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def _call_params(layer):
    import inspect

    return inspect.signature(layer.call).parameters
