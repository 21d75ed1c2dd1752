"""GRUCell and GRU (Cho et al. 2014), Keras's weight layout: kernel (input_dim, 3 * units),
recurrent_kernel (units, 3 * units), gates z, r, h; with `reset_after` (Keras 3's
default) the bias is (2, 3 * units): input and recurrent biases."""
from nnfast.layers.rnn.dropout_rnn_cell import GatedCell
from nnfast.layers.rnn.rnn import RNN
from nnfast.layers.rnn.sequence_layer import SequenceLayer
from nnfast.ops import nn_rnn
from nnfast.ops import numpy as np_ops


class GRUCell(GatedCell):
    """Cell class for the GRU layer: one step of the sequence.

    Args: as `LSTMCell` (without unit_forget_bias), plus
        reset_after: apply the reset gate after the recurrent product (True, the
            cuDNN-compatible form and Keras 3's default) or before it.

    Call arguments: `inputs` (batch, features), `states` [h], `training`.
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 reset_after=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        inputs, h_in = self._dropped(inputs, h_tm1, training)
        u = self.units
        x = np_ops.matmul(inputs, self.kernel)
        rec_bias = None
        if self.bias is not None:
            x = x + (self.bias[0] if self.reset_after else self.bias)
            rec_bias = self.bias[1] if self.reset_after else None
        x_z, x_r, x_h = np_ops.split(x, 3, axis=-1)
        if self.reset_after:
            inner = np_ops.matmul(h_in, self.recurrent_kernel)
            if rec_bias is not None:
                inner = inner + rec_bias
            i_z, i_r, i_h = np_ops.split(inner, 3, axis=-1)
        else:
            inner = np_ops.matmul(h_in, self.recurrent_kernel[:, :2 * u])
            i_z, i_r = np_ops.split(inner, 2, axis=-1)
        z = self.recurrent_activation(x_z + i_z)
        r = self.recurrent_activation(x_r + i_r)
        if self.reset_after:
            hh = self.activation(x_h + r * i_h)
        else:
            hh = self.activation(x_h + np_ops.matmul(r * h_in, self.recurrent_kernel[:, 2 * u:]))
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]

    def fused_sequence(self, rnn, sequences, initial_state, mask, training):
        """The whole sequence as one `gru` op (None for activations the kernels lack)."""
        kinds = self._kinds()
        if kinds is None:
            return None
        sequences, rmask = self._sequence_masks(sequences, training)
        out, h = nn_rnn.gru(sequences, initial_state[0], self.kernel, self.recurrent_kernel,
                            self.bias, mask=mask, recurrent_mask=rmask,
                            go_backwards=rnn.go_backwards,
                            zero_output_for_mask=rnn.zero_output_for_mask,
                            return_sequences=rnn.return_sequences, activation=kinds[0][0],
                            recurrent_activation=kinds[1][0], reset_after=self.reset_after)
        return (None, out, [h]) if rnn.return_sequences else (out, None, [h])

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config


class GRU(SequenceLayer, RNN):
    """Gated Recurrent Unit (Cho et al. 2014), one fused op per sequence.

    Args: those of `GRUCell` (incl. reset_after) and of `RNN` (return_sequences,
    return_state, go_backwards, stateful, unroll), plus activity_regularizer.

    Call arguments: `sequences`, `initial_state` [h], `mask`, `training`.
    """

    cell_class = GRUCell
    cell_args = ("units", "activation", "recurrent_activation", "use_bias",
                 "kernel_initializer", "recurrent_initializer", "bias_initializer",
                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                 "recurrent_dropout", "reset_after", "seed")
    cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, **kwargs):
        cell_kwargs = {k: v for k, v in locals().items() if k in self.cell_args}
        self._init_sequence_layer(cell_kwargs, kwargs, activity_regularizer=activity_regularizer,
                                  return_sequences=return_sequences, return_state=return_state,
                                  go_backwards=go_backwards, stateful=stateful, unroll=unroll)
