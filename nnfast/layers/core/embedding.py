"""Embedding: integer ids -> rows of a trainable table."""
import numpy as np

from nnfast import constraints, initializers, regularizers
from nnfast.autograd.function import call_op
from nnfast.layers.layer import Layer
from nnfast.ops.core import convert_to_tensor


def _lookup_forward(table, ids, *, layer):
    if ids.dtype.kind not in "iu":
        if ids.dtype.kind == "f" and np.all(ids == np.round(ids)):
            ids = ids.astype(np.int64)
        else:
            raise TypeError(f"Embedding {layer!r}: expected integer ids. Received dtype={ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= table.shape[0]):
        bad = ids.max() if ids.max() >= table.shape[0] else ids.min()
        raise ValueError(
            f"Embedding {layer!r}: ids must lie in [0, input_dim={table.shape[0]}). "
            f"Received an id {int(bad)}.")
    return table[ids], (ids, table.shape, table.dtype)


def _lookup_backward(g, cache, needs):
    ids, shape, dtype = cache
    grad = np.zeros(shape, dtype=dtype)
    # Rows hit several times accumulate (np.add.at is unbuffered; a plain += is not).
    np.add.at(grad, ids.reshape(-1), g.reshape(-1, shape[1]))
    return grad, None


class Embedding(Layer):
    """Turns non-negative integer ids into dense vectors of fixed size.

    Args:
        input_dim: int, size of the vocabulary (largest id + 1).
        output_dim: int, size of each vector.
        embeddings_initializer, embeddings_regularizer, embeddings_constraint: as Keras.
        mask_zero: whether id 0 is padding; the output then carries a mask (ids != 0)
            that RNN layers and merges honour.
        input_length: Keras 2's fixed sequence length (accepted; sets the input shape).

    Input shape: `(batch, ...)` ints. Output shape: `(batch, ..., output_dim)`.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(
                    f"Embedding: `{arg}` must be a positive integer. Received: {arg}={value!r}")
        if input_length is not None and "input_shape" not in kwargs \
                and "batch_input_shape" not in kwargs and "batch_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.input_length = input_length
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        return call_op(_lookup_forward, _lookup_backward, self.embeddings,
                       convert_to_tensor(inputs), layer=self.name)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return np.asarray(inputs) != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = {
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("lora_rank", None)       # Keras 3.x writes it; nnfast has no LoRA
        return cls(**config)


