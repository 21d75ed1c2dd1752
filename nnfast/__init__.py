"""nnfast: a Keras-compatible neural-network engine for the CPU.

    import nnfast as keras
    model = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
"""
__version__ = "0.1.0"

from nnfast.kernels import openmp_runtime as _openmp_runtime

_openmp_runtime.load()   # before any kernel: OpenMP waits passively (see the module)
from nnfast import backend  # noqa: F401
from nnfast import config  # noqa: F401
from nnfast import kernels  # noqa: F401
from nnfast.autograd import GradientTape, Tensor, Variable  # noqa: F401
from nnfast import ops  # noqa: F401
from nnfast import activations  # noqa: F401
from nnfast import constraints  # noqa: F401
from nnfast import initializers  # noqa: F401
from nnfast import regularizers  # noqa: F401
from nnfast import losses  # noqa: F401
from nnfast import metrics  # noqa: F401
from nnfast import preprocessing  # noqa: F401
from nnfast import wrappers  # noqa: F401
from nnfast import optimizers  # noqa: F401
from nnfast import callbacks  # noqa: F401
from nnfast import summary  # noqa: F401
from nnfast import layers  # noqa: F401
from nnfast import models  # noqa: F401
from nnfast import utils  # noqa: F401
from nnfast import datasets  # noqa: F401
from nnfast import saving  # noqa: F401
from nnfast.layers import Input  # noqa: F401
from nnfast.models import Model, Sequential  # noqa: F401

version = __version__
