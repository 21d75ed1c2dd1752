"""`InputLayer` and `Input`: the entry point of a functional graph."""
from nnfast import backend
from nnfast.layers.layer import Layer


class InputLayer(Layer):
    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, input_tensor=None, name=None, input_shape=None,
                 batch_input_shape=None, **kwargs):
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        shape = shape if shape is not None else input_shape
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    "You must pass a `shape` argument to InputLayer/Input. "
                    "Received: shape=None"
                )
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        for d in batch_shape:
            if d is not None and (not isinstance(d, int) or d < 0):
                raise ValueError(
                    f"Input shape dimensions must be non-negative ints or None. "
                    f"Received: shape={tuple(batch_shape)}"
                )
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._batch_input_shape = tuple(batch_shape)
        self.batch_shape = self._batch_input_shape
        self.sparse = bool(sparse)
        self.built = True
        from nnfast.models.graph import KerasTensor, Node

        self.output_tensor = KerasTensor(self.batch_shape, self.dtype, name=self.name)
        node = Node(self, [], self.output_tensor, (), {})
        self.output_tensor.node = None        # an Input is a graph source
        self.output_tensor._input_layer = self
        self._inbound_nodes.append(node)

    def get_config(self):
        return {
            "batch_input_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "sparse": self.sparse,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "batch_shape" in config:
            config["batch_input_shape"] = config.pop("batch_shape")
        config.pop("ragged", None)
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
          name=None, tensor=None, **kwargs):
    """A symbolic input: `x = Input(shape=(784,))`, then call layers on `x`."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype or backend.floatx(),
                       sparse=sparse, batch_shape=batch_shape, name=name, **kwargs)
    return layer.output_tensor
