"""SimpleRNNCell and SimpleRNN: h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel
+ bias), the output being the state."""
from nnfast.layers.rnn.dropout_rnn_cell import GatedCell
from nnfast.layers.rnn.rnn import RNN
from nnfast.layers.rnn.sequence_layer import SequenceLayer
from nnfast.ops import nn_rnn
from nnfast.ops import numpy as np_ops


class SimpleRNNCell(GatedCell):
    """Cell class for SimpleRNN: one step of the sequence.

    Args: units, activation (default tanh), use_bias, the kernel / recurrent / bias
    initializers ("glorot_uniform", "orthogonal", "zeros"), regularizers and
    constraints, dropout, recurrent_dropout, seed.

    Call arguments: `sequence` (batch, features), `states` [h], `training`.
    """

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation, None, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, **kwargs)

    def call(self, sequence, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        sequence, prev_in = self._dropped(sequence, prev, training)
        h = np_ops.matmul(sequence, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        output = self.activation(h + np_ops.matmul(prev_in, self.recurrent_kernel))
        return output, [output]

    def fused_sequence(self, rnn, sequences, initial_state, mask, training):
        """The whole sequence as one `simple_rnn` op (None for unknown activations)."""
        kinds = self._kinds()
        if kinds is None:
            return None
        sequences, rmask = self._sequence_masks(sequences, training)
        out, h = nn_rnn.simple_rnn(sequences, initial_state[0], self.kernel,
                                   self.recurrent_kernel, self.bias, mask=mask,
                                   recurrent_mask=rmask, go_backwards=rnn.go_backwards,
                                   zero_output_for_mask=rnn.zero_output_for_mask,
                                   return_sequences=rnn.return_sequences,
                                   activation=kinds[0][0])
        return (None, out, [h]) if rnn.return_sequences else (out, None, [h])

    def get_config(self):
        config = super().get_config()
        del config["recurrent_activation"]
        return config


class SimpleRNN(SequenceLayer, RNN):
    """Fully-connected RNN where the output is fed back as the next step's state.

    Args: those of `SimpleRNNCell` and of `RNN` (return_sequences, return_state,
    go_backwards, stateful, unroll), plus activity_regularizer.
    """

    cell_class = SimpleRNNCell
    cell_args = ("units", "activation", "use_bias", "kernel_initializer",
                 "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                 "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                 "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                 "seed")
    cell_name = "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        cell_kwargs = {k: v for k, v in locals().items() if k in self.cell_args}
        self._init_sequence_layer(cell_kwargs, kwargs, activity_regularizer=activity_regularizer,
                                  return_sequences=return_sequences, return_state=return_state,
                                  go_backwards=go_backwards, stateful=stateful, unroll=unroll)
