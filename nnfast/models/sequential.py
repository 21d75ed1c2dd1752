"""`Sequential`: a plain stack of layers, kept as a functional graph grown one layer at a
time (so summary, shape checks and saving are shared with functional models)."""
from nnfast.layers.core.input_layer import InputLayer
from nnfast.layers.layer import Layer
from nnfast.models.functional import Functional
from nnfast.models.graph import KerasTensor
from nnfast.models.model import Model


class Sequential(Functional):
    """`Sequential([Dense(64, activation="relu", input_shape=(784,)), Dense(10)])` or
    `model = Sequential(); model.add(...)`.

    The graph is built as soon as the input shape is known: from an `Input`/`InputLayer`,
    from `input_shape`/`input_dim`/`batch_input_shape` on the first layer, or from the
    first batch of data (`fit`, `predict`, `model(x)`) or `build(input_shape)`.
    """

    def __init__(self, layers=None, name=None, trainable=True):
        Model.__init__(self, name=name, trainable=trainable)
        self._stack = []               # user layers, InputLayer excluded (as Keras 3)
        self._input_layer = None
        self.built = False
        for layer in layers or []:
            self.add(layer)

    # -- growing the stack ---------------------------------------------------------------
    def add(self, layer):
        if isinstance(layer, KerasTensor) and hasattr(layer, "_input_layer"):
            layer = layer._input_layer
        if not isinstance(layer, Layer):
            raise TypeError(
                "Only instances of `nnfast.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError(
                    f"Sequential model {self.name!r}: an InputLayer can only be the first layer."
                )
            self._input_layer = layer
            return
        if any(l.name == layer.name for l in self._stack):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name "
                f"{layer.name!r} is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name."
            )
        if not self._stack and self._input_layer is None and layer._batch_input_shape is not None:
            self._input_layer = InputLayer(batch_shape=layer._batch_input_shape,
                                           name=f"{layer.name}_input")
        self._stack.append(layer)
        object.__setattr__(self, "_sublayers", list(self._stack))
        if self._input_layer is not None:
            self._rebuild()

    def pop(self):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        object.__setattr__(self, "_sublayers", list(self._stack))
        self.built = False
        if self._input_layer is not None and self._stack:
            self._rebuild()
        return layer

    def _rebuild(self):
        x = self._input_layer.output_tensor
        for layer in self._stack:
            x = layer(x)
            if isinstance(x, (list, tuple)):
                raise ValueError(
                    f"All layers in a Sequential model should have a single output tensor; "
                    f"layer {layer.name!r} returned {len(x)}. For multi-output layers, use "
                    "the functional API."
                )
        self._init_graph(self._input_layer.output_tensor, x)
        object.__setattr__(self, "_sublayers", list(self._stack))

    def build(self, input_shape=None):
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
        elif self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=tuple(input_shape),
                                           name=f"{self.name}_input")
        if self._stack:
            self._rebuild()
        self.built = True

    def _build_from_data(self, x):
        import numpy as np

        if not self.built and self._input_layer is None:
            if not self._stack:
                raise ValueError(f"Sequential model {self.name!r} has no layers.")
            self.build((None,) + tuple(np.shape(x))[1:])

    def call(self, inputs, training=None):
        self._build_from_data(inputs)
        return super().call(inputs, training=training)

    @property
    def layers(self):
        return list(self._stack)

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined input shape yet.")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        if not self.built:
            raise AttributeError(f"Sequential model {self.name!r} is not built yet.")
        return self.outputs[0].shape

    def get_config(self):
        from nnfast.layers import serialize as serialize_layer

        layer_configs = []
        if self._input_layer is not None:
            layer_configs.append(serialize_layer(self._input_layer))
        layer_configs.extend(serialize_layer(l) for l in self._stack)
        return {"name": self.name, "layers": layer_configs}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nnfast.models import functional_config

        return functional_config.sequential_from_config(cls, config, custom_objects)
