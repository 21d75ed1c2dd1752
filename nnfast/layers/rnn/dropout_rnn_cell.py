"""What the built-in cells share: `DropoutRNNCell` (dropout masks kept for a whole
sequence, as Keras's mixin of that name) and `GatedCell`, the base of LSTMCell, GRUCell
and SimpleRNNCell (arguments, weights, config, and the hand-off to the fused sequence op).

Keras draws one mask per gate for recurrent dropout; here one input mask and one
recurrent mask serve every gate, so the whole sequence stays one fused op.
"""
import numpy as np

from nnfast import activations, constraints, initializers, regularizers
from nnfast.autograd.function import unwrap
from nnfast.layers.layer import Layer
from nnfast.ops import numpy as np_ops
from nnfast.ops.nn_rnn import activation_kind

class DropoutRNNCell:
    """Mixin: `dropout` / `recurrent_dropout` masks drawn once per sequence (values 0 or
    1 / (1 - rate)), reused at every step until `reset_dropout_mask()`."""

    def _draw_mask(self, shape, rate, dtype):
        rng = getattr(self, "_seed_rng", None)
        if rng is None:
            from nnfast.utils.rng import get_rng

            rng = get_rng()
        keep = rng.random(shape, dtype=np.float32) >= rate
        return keep.astype(dtype) * np.dtype(dtype).type(1.0 / (1.0 - rate))

    def get_dropout_mask(self, step_input):
        if getattr(self, "_dropout_mask", None) is None and 0 < self.dropout < 1:
            self._dropout_mask = self._draw_mask(np.shape(step_input), self.dropout,
                                                 self._mask_dtype())
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        rate = self.recurrent_dropout
        if getattr(self, "_recurrent_dropout_mask", None) is None and 0 < rate < 1:
            self._recurrent_dropout_mask = self._draw_mask(
                np.shape(step_input), self.recurrent_dropout, self._mask_dtype())
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _mask_dtype(self):
        dtype = getattr(self, "dtype", None)
        return dtype if dtype in ("float32", "float64") else "float32"


def _check_units(layer, units):
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(f"Received an invalid value for argument `units`, expected a "
                         f"positive integer, got {units}.")
    return int(units)


def _rate(value):
    return min(1.0, max(0.0, float(value)))


class GatedCell(Layer, DropoutRNNCell):
    """Base of the built-in cells: `gates` weight blocks of `units` columns each.

    Subclasses set `gates`, `_op` (the fused sequence op) and implement `step` (one step
    with ops, for the generic RNN loop and custom activations).
    """

    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        self.implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self.units = _check_units(self, units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _rate(dropout)
        self.recurrent_dropout = _rate(recurrent_dropout)
        self.seed = seed
        self._seed_rng = None if seed is None else np.random.default_rng(seed)
        self.state_size = self.units
        self.output_size = self.units

    # -- weights ----------------------------------------------------------------------
    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the last dimension of the "
                             f"input must be known. Received: input_shape={tuple(input_shape)}")
        g = self.gates * self.units
        self.kernel = self.add_weight(shape=(input_dim, g), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, g), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name="bias",
                                        initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [np_ops.zeros((batch_size, d), dtype=self._mask_dtype()) for d in sizes]

    # -- the step, with ops ---------------------------------------------------------------
    def _dropped(self, inputs, h, training):
        """The step's input and previous state with this sequence's dropout masks."""
        if training:
            mask = self.get_dropout_mask(inputs)
            if mask is not None:
                inputs = inputs * mask
            rmask = self.get_recurrent_dropout_mask(h)
            if rmask is not None:
                h = h * rmask
        return inputs, h

    # -- the whole sequence as one op -----------------------------------------------------
    def _kinds(self):
        """(activation, recurrent_activation) kinds for the fused op, or None."""
        try:
            return (activation_kind("rnn", self.activation),
                    activation_kind("rnn", self.recurrent_activation))
        except ValueError:
            return None

    def _sequence_masks(self, sequences, training):
        """(sequences with the input dropout applied, recurrent mask or None)."""
        if not training:
            return sequences, None
        mask = self.get_dropout_mask(unwrap(sequences)[:, 0]) if 0 < self.dropout < 1 else None
        if mask is not None:
            sequences = sequences * mask[:, None, :]
        rmask = None
        if 0 < self.recurrent_dropout < 1:
            rmask = self.get_recurrent_dropout_mask(np.zeros((np.shape(sequences)[0], self.units)))
        return sequences, rmask

    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        return cls(**standardize_config(config))


def standardize_config(config):
    """A layer config from Keras 3 (dtype as a DTypePolicy dict) or Keras 2 (`time_major`,
    `implementation`) in the form these layers take."""
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        config["dtype"] = dtype.get("config", {}).get("name", "float32")
    if config.pop("time_major", False):
        raise ValueError("time_major=True is not supported: pass (batch, timesteps, "
                         "features) inputs.")
    return config
