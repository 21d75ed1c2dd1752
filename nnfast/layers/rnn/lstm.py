"""LSTMCell and LSTM (Hochreiter 1997), Keras's weight layout: kernel (input_dim, 4 *
units), recurrent_kernel (units, 4 * units), bias (4 * units,), gates i, f, c, o."""
import numpy as np

from nnfast.layers.rnn.dropout_rnn_cell import GatedCell
from nnfast.layers.rnn.rnn import RNN
from nnfast.layers.rnn.sequence_layer import SequenceLayer
from nnfast.ops import nn_rnn
from nnfast.ops import numpy as np_ops


class LSTMCell(GatedCell):
    """Cell class for the LSTM layer: one step of the sequence.

    Args:
        units: positive int, dimensionality of the output space.
        activation: for the cell input and output (default tanh).
        recurrent_activation: for the gates (default sigmoid).
        use_bias, kernel_initializer, recurrent_initializer ("orthogonal"),
        bias_initializer, kernel/recurrent/bias regularizers and constraints: as Keras.
        unit_forget_bias: add 1 to the forget gate's bias at initialization.
        dropout, recurrent_dropout: fractions of the inputs / states dropped while
            training (one mask per sequence).
        seed: int seed of the dropout masks.

    Call arguments: `inputs` (batch, features), `states` [h, c], `training`.
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def bias_initializer(shape, dtype=None, **kwargs):
            return np.concatenate([np.asarray(init((u,), dtype=dtype)),
                                   np.ones((u,), dtype=dtype),
                                   np.asarray(init((2 * u,), dtype=dtype))])

        return bias_initializer

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        inputs, h_in = self._dropped(inputs, h_tm1, training)
        z = np_ops.matmul(inputs, self.kernel) + np_ops.matmul(h_in, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = np_ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def fused_sequence(self, rnn, sequences, initial_state, mask, training):
        """The whole sequence as one `lstm` op, or None when an activation is not one the
        kernels know (the RNN layer then runs the step loop)."""
        kinds = self._kinds()
        if kinds is None:
            return None
        sequences, rmask = self._sequence_masks(sequences, training)
        out, h, c = nn_rnn.lstm(sequences, initial_state[0], initial_state[1], self.kernel,
                                self.recurrent_kernel, self.bias, mask=mask,
                                recurrent_mask=rmask, go_backwards=rnn.go_backwards,
                                zero_output_for_mask=rnn.zero_output_for_mask,
                                return_sequences=rnn.return_sequences, activation=kinds[0][0],
                                recurrent_activation=kinds[1][0])
        return (None, out, [h, c]) if rnn.return_sequences else (out, None, [h, c])

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class LSTM(SequenceLayer, RNN):
    """Long Short-Term Memory layer (Hochreiter 1997).

    Runs as one fused op per sequence (compiled kernels for tanh / sigmoid, NumPy for
    other built-in activations; a custom activation function runs step by step).

    Args: those of `LSTMCell` (units, activation, recurrent_activation, use_bias, the
    initializers, unit_forget_bias, regularizers incl. activity_regularizer, constraints,
    dropout, recurrent_dropout, seed) and of `RNN` (return_sequences, return_state,
    go_backwards, stateful, unroll).

    Call arguments: `sequences` (batch, timesteps, features), `initial_state` [h, c],
    `mask` (batch, timesteps), `training`.
    """

    cell_class = LSTMCell
    cell_args = ("units", "activation", "recurrent_activation", "use_bias",
                 "kernel_initializer", "recurrent_initializer", "bias_initializer",
                 "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                 "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout", "seed")
    cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        cell_kwargs = {k: v for k, v in locals().items() if k in self.cell_args}
        self._init_sequence_layer(cell_kwargs, kwargs, activity_regularizer=activity_regularizer,
                                  return_sequences=return_sequences, return_state=return_state,
                                  go_backwards=go_backwards, stateful=stateful, unroll=unroll)
