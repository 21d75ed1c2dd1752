"""Permute: reorder the non-batch axes (1-indexed, as Keras)."""
from nnfast import ops
from nnfast.layers.layer import Layer


class Permute(Layer):
    """Args:
        dims: tuple, a permutation of 1..ndim-1, e.g. (2, 1) swaps the first two
            non-batch axes.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices "
                f"in `dims` must be consecutive and start from 1. Received dims={self.dims}"
            )

    def call(self, inputs):
        if inputs.ndim != len(self.dims) + 1:
            raise ValueError(
                f"Layer {self.name!r}: dims={self.dims} permutes {len(self.dims)} axes, but "
                f"the input has shape {tuple(inputs.shape)}."
            )
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(
                f"Layer {self.name!r}: dims={self.dims} permutes {len(self.dims)} axes, but "
                f"the input has shape {tuple(input_shape)}."
            )
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}
