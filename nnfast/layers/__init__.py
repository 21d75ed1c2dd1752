"""`nnfast.layers`: Keras's layers, one file per layer family."""
from nnfast.layers.layer import Layer  # noqa: F401
from nnfast.layers.input_spec import InputSpec  # noqa: F401
from nnfast.layers.core.input_layer import Input, InputLayer  # noqa: F401
from nnfast.layers.core.dense import Dense  # noqa: F401
from nnfast.layers.core.activation import Activation  # noqa: F401
from nnfast.layers.regularization.dropout import AlphaDropout, Dropout  # noqa: F401
from nnfast.layers.reshaping.flatten import Flatten  # noqa: F401
from nnfast.layers.reshaping.permute import Permute  # noqa: F401
from nnfast.layers.reshaping.reshape import Reshape  # noqa: F401
from nnfast.layers.normalization.batch_normalization import BatchNormalization  # noqa: F401
from nnfast.layers.rnn.rnn import RNN  # noqa: F401
from nnfast.layers.rnn.stacked_rnn_cells import StackedRNNCells  # noqa: F401
from nnfast.layers.rnn.lstm import LSTM, LSTMCell  # noqa: F401
from nnfast.layers.rnn.gru import GRU, GRUCell  # noqa: F401
from nnfast.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell  # noqa: F401
from nnfast.layers.rnn.bidirectional import Bidirectional  # noqa: F401
from nnfast.layers.rnn.time_distributed import TimeDistributed  # noqa: F401
from nnfast.saving.serialization import deserialize_keras_object, serialize_keras_object


def _layer_objects():
    from nnfast import models

    objects = {
        name: obj for name, obj in globals().items()
        if isinstance(obj, type) and issubclass(obj, Layer)
    }
    objects.update({"Sequential": models.Sequential, "Model": models.Model,
                    "Functional": models.Functional})
    return objects


def serialize(layer):
    """A layer as `{"class_name", "config"}` (Keras's legacy dialect)."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A layer (or Sequential model) from `{"class_name", "config"}`."""
    return deserialize_keras_object(config, module_objects=_layer_objects(),
                                    custom_objects=custom_objects, printable_module_name="layer")
