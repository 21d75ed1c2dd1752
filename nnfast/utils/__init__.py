"""Keras's `keras.utils`: one-hot labels, normalization, the progress bar, seeding."""
from nnfast.utils.numerical_utils import normalize, to_categorical  # noqa: F401
from nnfast.utils.progbar import Progbar  # noqa: F401
from nnfast.utils.rng import set_random_seed  # noqa: F401
from nnfast.utils.sequence import PyDataset, Sequence  # noqa: F401
from nnfast.utils.model_visualization import model_to_dot, plot_model  # noqa: F401
