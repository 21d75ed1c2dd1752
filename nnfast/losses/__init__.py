"""`nnfast.losses`: Keras's loss functions and classes, with `get`/`serialize`/`deserialize`.

    model.compile(loss="sparse_categorical_crossentropy")
    loss = nnfast.losses.CategoricalCrossentropy(from_logits=True)(y_true, logits)
"""
import numpy as np

from nnfast.losses.crossentropy import (  # noqa: F401
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from nnfast.losses.hinge import (  # noqa: F401
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from nnfast.losses.loss import (  # noqa: F401
    Loss,
    Reduction,
    plain_function_config,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
    standardize_reduction,
)
from nnfast.losses.probabilistic import (  # noqa: F401
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    KLDivergence,
    Poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    kl_divergence,
    poisson,
)
from nnfast.losses.regression import (  # noqa: F401
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from nnfast.losses.wrapper import LossFunctionWrapper  # noqa: F401
from nnfast.saving.serialization import deserialize_keras_object, serialize_keras_object

# Keras 2 / Keras 3 legacy spellings.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy
cosine_proximity = cosine_similarity
huber_loss = huber

_CLASSES = (
    Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy,
    BinaryFocalCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber, Hinge, SquaredHinge,
    CategoricalHinge,
)
_FUNCTIONS = (
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    cosine_similarity, log_cosh, huber, hinge, squared_hinge, categorical_hinge,
)
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "logcosh": log_cosh, "cosine_proximity": cosine_similarity, "huber_loss": huber,
})


def serialize(loss):
    """A loss function -> its name; a `Loss` instance -> {"class_name", "config"}."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """The inverse of `serialize`: a name or config dict -> a function or `Loss`."""
    return deserialize_keras_object(plain_function_config(name),
                                    module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="loss function")


def get(identifier):
    """A loss from a name ("mse" -> the function, "MeanSquaredError" -> an instance), a
    config dict, or a callable/`Loss` (returned as is); None -> None."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type) and issubclass(obj, Loss):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss function identifier: {identifier!r}")


def _auto_crossentropy(y_true, y_pred):
    """Keras 3's loss="crossentropy": binary, sparse or categorical by the shapes."""
    t_shape, p_shape = np.shape(y_true), np.shape(y_pred)
    if p_shape and p_shape[-1] == 1:
        return binary_crossentropy(y_true, y_pred)
    if len(t_shape) < len(p_shape) or (t_shape and t_shape[-1] == 1 and p_shape[-1] > 1):
        return sparse_categorical_crossentropy(y_true, y_pred)
    return categorical_crossentropy(y_true, y_pred)


def resolve_loss(identifier):
    """What `compile(loss=...)` uses: a `Loss` object for any identifier.

    Strings keep the user's spelling as the loss name (Keras's rule), "crossentropy" and
    "ce" pick binary/sparse/categorical cross-entropy from the shapes at call time, and a
    plain function becomes a `LossFunctionWrapper` named after it.
    """
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        return LossFunctionWrapper(_auto_crossentropy, name=identifier)
    obj = get(identifier)
    if obj is None or isinstance(obj, Loss):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None)
    return LossFunctionWrapper(obj, name=name)
