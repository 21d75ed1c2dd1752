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
from nnfast.layers.normalization.layer_normalization import LayerNormalization  # noqa: F401
from nnfast.layers.core.embedding import Embedding  # noqa: F401
from nnfast.layers.core.masking import Masking  # noqa: F401
from nnfast.layers.core.lambda_layer import Lambda  # noqa: F401
from nnfast.layers.activations.relu import ReLU  # noqa: F401
from nnfast.layers.activations.leaky_relu import LeakyReLU  # noqa: F401
from nnfast.layers.activations.prelu import PReLU  # noqa: F401
from nnfast.layers.activations.elu import ELU  # noqa: F401
from nnfast.layers.activations.softmax import Softmax  # noqa: F401
from nnfast.layers.regularization.gaussian_noise import GaussianDropout, GaussianNoise  # noqa: F401
from nnfast.layers.regularization.spatial_dropout import (  # noqa: F401
    SpatialDropout1D,
    SpatialDropout2D,
)
from nnfast.layers.regularization.activity_regularization import ActivityRegularization  # noqa: F401
from nnfast.layers.merging.elementwise_merges import (  # noqa: F401
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    maximum,
    minimum,
    multiply,
    subtract,
)
from nnfast.layers.merging.concatenate import Concatenate, concatenate  # noqa: F401
from nnfast.layers.merging.dot import Dot, dot  # noqa: F401
from nnfast.layers.convolutional import *  # noqa: F401,F403
from nnfast.layers.pooling import *  # noqa: F401,F403
from nnfast.layers.reshaping.spatial import (  # noqa: F401
    Cropping1D,
    Cropping2D,
    RepeatVector,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
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
                    "Functional": models.Functional, "OpLayer": models.symbolic_ops.OpLayer,
                    "KerasOperation": models.symbolic_ops.KerasOperation})
    return objects


def serialize(layer):
    """A layer as `{"class_name", "config"}` (Keras's legacy dialect)."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A layer (or Sequential model) from `{"class_name", "config"}`."""
    return deserialize_keras_object(config, module_objects=_layer_objects(),
                                    custom_objects=custom_objects, printable_module_name="layer")
