"""Bidirectional: one recurrent layer run forwards, a copy (or `backward_layer`) run
backwards, their outputs merged."""
import copy

from nnfast.layers.layer import Layer
from nnfast.layers.rnn.dropout_rnn_cell import standardize_config
from nnfast.ops import numpy as np_ops

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _renamed(layer, prefix, go_backwards=None):
    """A fresh layer from `layer`'s config (no shared weights or state)."""
    from nnfast.layers import deserialize, serialize

    config = serialize(layer)
    config["config"]["name"] = f"{prefix}_{layer.name.removeprefix(prefix + '_')}"
    if go_backwards is not None:
        config["config"]["go_backwards"] = go_backwards
    return deserialize(config)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: an RNN layer instance (LSTM, GRU, SimpleRNN, RNN) — a fresh copy runs
            forwards, another with `go_backwards` flipped runs backwards.
        merge_mode: how the two outputs combine: "concat" (default), "sum", "mul", "ave"
            or None (a list of both).
        backward_layer: optional layer for the backward direction (its `go_backwards`
            must differ from `layer`'s; stateful, return_sequences and return_state must
            match).

    Call arguments: `sequences`, `initial_state` (forward states then backward states),
    `mask`, `training`. With `return_sequences`, masked steps output zeros in both
    directions (as Keras: the wrapped layers get `zero_output_for_mask`).
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             'be one of {"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        self.forward_layer = _renamed(layer, "forward")
        if backward_layer is None:
            backward_layer = _renamed(layer, "backward", go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer._initial_weights = weights[:half]
            self.backward_layer._initial_weights = weights[half:]
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _verify_layer_config(self):
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{fwd.go_backwards}, backward_layer.go_backwards="
                             f"{bwd.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                raise ValueError("Forward layer and backward layer are expected to have the "
                                 f'same value for attribute "{attr}", got '
                                 f'"{getattr(fwd, attr)}" for forward layer and '
                                 f'"{getattr(bwd, attr)}" for backward layer')

    # Initial states given as a keyword become inputs (see RNN.__call__).
    def __call__(self, inputs, *args, **kwargs):
        initial_state = kwargs.pop("initial_state", None)
        if initial_state is not None:
            inputs = [inputs] + list(initial_state)
        return super().__call__(inputs, *args, **kwargs)

    def build(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = sequences_shape[0]
        for sub in (self.forward_layer, self.backward_layer):
            sub._maybe_build(tuple(sequences_shape))
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, list):
            sequences, initial_state = sequences[0], (sequences[1:] or initial_state)
        if isinstance(mask, list):
            mask = mask[0]
        fwd_state = bwd_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fwd_state, bwd_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=fwd_state, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=bwd_state, mask=mask,
                                    training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = np_ops.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            output = np_ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def reset_state(self):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = sequences_shape[0]
        shape = self.forward_layer.compute_output_shape(tuple(sequences_shape))
        state_shapes = []
        if self.return_state:
            shape, state_shapes = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (shape[-1] * 2,)
        outputs = [shape, shape] if self.merge_mode is None else [tuple(shape)]
        if self.return_state:
            return outputs + state_shapes * 2
        return outputs if self.merge_mode is None else tuple(shape)

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            n_states = len(self.forward_layer.state_size)
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + [None] * (2 * n_states)
        return output_mask

    def get_config(self):
        from nnfast.layers import serialize

        config = {"merge_mode": self.merge_mode, "layer": serialize(self.forward_layer),
                  "backward_layer": serialize(self.backward_layer)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nnfast.layers import deserialize

        config = standardize_config(copy.deepcopy(config))
        config["layer"] = deserialize(config["layer"], custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize(backward, custom_objects=custom_objects)
        return cls(**config)
