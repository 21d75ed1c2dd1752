"""What LSTM, GRU and SimpleRNN share on top of `RNN`: they build their cell from their
own arguments, expose the cell's settings as attributes (`layer.units`, ...) and write a
flat Keras config (the cell's arguments beside the RNN's, no nested "cell")."""
from nnfast import regularizers
from nnfast.layers.rnn.dropout_rnn_cell import standardize_config
from nnfast.layers.rnn.rnn import RNN

# Keras 2/3 arguments these layers accept and ignore: cuDNN selection, the step
# implementation (Keras's choice of fused GEMMs), and Keras 2's time_major=False.
_IGNORED = ("use_cudnn", "implementation", "time_major")


class SequenceLayer:
    """Mixin for RNN subclasses defining `cell_class`, `cell_args` and `cell_name`."""

    cell_class = None
    cell_args = ()
    cell_name = None

    def _init_sequence_layer(self, cell_kwargs, kwargs, **rnn_args):
        kwargs = standardize_config(kwargs)
        for key in _IGNORED:
            kwargs.pop(key, None)
        cell = self.cell_class(**cell_kwargs, dtype=kwargs.get("dtype"),
                               trainable=kwargs.get("trainable", True), name=self.cell_name)
        RNN.__init__(self, cell, **rnn_args, **kwargs)

    def __getattr__(self, name):
        # Only reached when normal lookup fails: the cell's settings read as the layer's.
        if name in type(self).cell_args and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self):
        config = RNN.get_config(self)
        del config["cell"]
        cell_config = self.cell.get_config()
        config.update({k: cell_config[k] for k in self.cell_args if k in cell_config})
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**standardize_config(config))
