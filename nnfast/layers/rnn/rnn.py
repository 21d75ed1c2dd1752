"""RNN: the base recurrent layer, running a cell over the time axis.

A built-in cell (LSTMCell, GRUCell, SimpleRNNCell) with built-in activations runs the
whole sequence as one fused op (nnfast.ops.nn_rnn); any other cell runs step by step
with ops, following Keras's TensorFlow `rnn` loop: at a masked step the states are
carried and the output repeats the previous output (zeros before the first step, or
always zeros with `zero_output_for_mask`).
"""
import numpy as np

from nnfast.autograd.function import unwrap
from nnfast.autograd.variable import Variable
from nnfast.layers.layer import Layer
from nnfast.layers.rnn.dropout_rnn_cell import DropoutRNNCell, standardize_config
from nnfast.ops import numpy as np_ops


def _nested(x):
    return isinstance(x, (list, tuple))


def _flat(x):
    return [a for item in x for a in _flat(item)] if _nested(x) else [x]


def _pack(structure, flat):
    it = iter(flat)

    def pack(s):
        return [pack(i) for i in s] if _nested(s) else next(it)

    return pack(structure)


def check_sequences(layer, shape):
    if len(shape) != 3:
        raise ValueError(f"Input 0 of layer {layer.name!r} is incompatible with the layer: "
                         f"expected ndim=3, found ndim={len(shape)}. Full shape received: "
                         f"{tuple(shape)}")


class RNN(Layer):
    """Base class for recurrent layers.

    Args:
        cell: an RNN cell (a layer with `call(inputs, states)` returning `(output,
            new_states)`, a `state_size` and optionally `output_size` and
            `get_initial_state`), or a list of cells (stacked).
        return_sequences: return the full output sequence, else the last output.
        return_state: also return the last states.
        go_backwards: process the sequence in reverse and return the reversed sequence.
        stateful: the last states of a batch are the initial states of the next.
        unroll: accepted for compatibility (the loop is the same).
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments: `sequences` (batch, timesteps, features), `initial_state` (list of
    state tensors), `mask` (batch, timesteps) booleans, `training`.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            from nnfast.layers.rnn.stacked_rnn_cells import StackedRNNCells

            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if getattr(cell, "state_size", None) is None:
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer "
                             "or list of integers, one integer per RNN state). "
                             f"Received: cell={cell}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None
        size = cell.state_size
        self.state_size = list(size) if _nested(size) else [size]
        self.single_state = not _nested(size)

    # Initial states given as a keyword become inputs, so a functional graph sees them.
    def __call__(self, inputs, *args, **kwargs):
        initial_state = kwargs.pop("initial_state", None)
        if initial_state is not None:
            states = list(initial_state) if _nested(initial_state) else [initial_state]
            inputs = [inputs] + states
        return super().__call__(inputs, *args, **kwargs)

    def _split_inputs(self, inputs):
        if _nested(inputs):
            return inputs[0], (list(inputs[1:]) or None)
        return inputs, None

    def build(self, sequences_shape, initial_state_shape=None):
        if _nested(sequences_shape) and _nested(sequences_shape[0]):
            sequences_shape = sequences_shape[0]
        check_sequences(self, sequences_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            self.cell.built = True
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be "
                                 f"static. Found dynamic batch size: sequence.shape="
                                 f"{tuple(sequences_shape)}")
            self._state_structure = self.get_initial_state(sequences_shape[0])
            self.states = [Variable(a, dtype=a.dtype, trainable=False, name="rnn_state")
                           for a in (np.asarray(unwrap(s)) for s in _flat(self._state_structure))]
        self.built = True

    def get_initial_state(self, batch_size):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            state = fn(batch_size=batch_size)
            return list(state) if _nested(state) else [state]
        dtype = self.dtype if self.dtype in ("float32", "float64") else "float32"
        return [np_ops.zeros((batch_size, d), dtype=dtype) for d in self.state_size]

    def reset_state(self, states=None):
        """Zero the stored states of a stateful layer (or set them to `states`)."""
        if self.states is None:
            return
        values = [None] * len(self.states) if states is None else _flat(states)
        for var, value in zip(self.states, values):
            var.assign(np.zeros(var.shape, var.dtype) if value is None else np.asarray(value))

    reset_states = reset_state

    # -- the loop ---------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        sequences, packed = self._split_inputs(sequences)
        initial_state = initial_state if initial_state is not None else packed
        check_sequences(self, np.shape(unwrap(sequences)))
        if _nested(mask):
            mask = mask[0]
        batch = np.shape(unwrap(sequences))[0]
        if initial_state is None:
            # Stateful: copies, as the variables are overwritten after this call.
            initial_state = _pack(self._state_structure, [v.numpy() for v in self.states]) \
                if self.stateful else self.get_initial_state(batch)
        elif not _nested(initial_state):
            initial_state = [initial_state]
        if self.stateful and np.shape(unwrap(self.states[0]))[0] != batch:
            raise ValueError("If an RNN is stateful, the batch size of the input sequences "
                             "must be the same as the batch size of the initial state. \n"
                             f"- Expected batch size: {np.shape(self.states[0])[0]}\n"
                             f"- Received batch size: {batch}")
        if mask is not None:
            mask = np.asarray(unwrap(mask)).astype(bool)
        last, outputs, states = self._run(sequences, list(initial_state), mask, bool(training))
        if self.stateful:
            for var, value in zip(self.states, _flat(states)):
                var.assign(np.asarray(unwrap(value)))
        output = outputs if self.return_sequences else last
        if self.return_state:
            return [output] + _flat(states)
        return output

    def _run(self, sequences, initial_state, mask, training):
        cell = self.cell
        try:
            fused = getattr(cell, "fused_sequence", None)
            result = None if fused is None else fused(self, sequences, initial_state, mask,
                                                      training)
            if result is None:
                result = self.inner_loop(sequences, initial_state, mask, training)
        finally:
            for c in getattr(cell, "cells", [cell]):
                if isinstance(c, DropoutRNNCell):
                    c.reset_dropout_mask()
                    c.reset_recurrent_dropout_mask()
        return result

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """The generic loop: one cell call per step, with ops. Returns (last_output,
        outputs (batch, timesteps, units) or None, last states)."""
        cell = self.cell
        kwargs = {"training": training} if getattr(cell, "_call_accepts_training", False) else {}
        states = list(initial_state)
        steps = np.shape(unwrap(sequences))[1]
        outputs, prev = [], None
        for s in range(steps):
            t = steps - 1 - s if self.go_backwards else s
            out, new = cell.call(sequences[:, t], states, **kwargs)
            new = list(new) if _nested(new) else [new]
            if mask is not None:
                m = mask[:, t, None]
                fallback = prev if (prev is not None and not self.zero_output_for_mask) \
                    else np_ops.zeros_like(out)
                out = np_ops.where(m, out, fallback)
                new = _pack(new, [np_ops.where(m, a, b) for a, b in zip(_flat(new), _flat(states))])
            states, prev = new, out
            outputs.append(out)
        seq = np_ops.stack(outputs, axis=1) if self.return_sequences else None
        return prev, seq, states

    # -- shapes, masks, config ------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        if _nested(sequences_shape) and _nested(sequences_shape[0]):
            sequences_shape = sequences_shape[0]
        batch, steps = sequences_shape[0], sequences_shape[1]
        out_size = getattr(self.cell, "output_size", None)
        if out_size is None:
            out_size = _flat(self.state_size)[0]
        output = (batch, steps, out_size) if self.return_sequences else (batch, out_size)
        if self.return_state:
            return [output] + [(batch, d) for d in _flat(self.state_size)]
        return output

    def compute_mask(self, inputs, mask):
        mask = _flat(mask)[0] if _nested(mask) else mask
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(_flat(self.state_size))
        return output_mask

    def get_config(self):
        from nnfast.layers import serialize

        config = {"return_sequences": self.return_sequences, "return_state": self.return_state,
                  "go_backwards": self.go_backwards, "stateful": self.stateful,
                  "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask,
                  "cell": serialize(self.cell)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nnfast.layers import deserialize

        config = standardize_config(config)
        cell = deserialize(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)
