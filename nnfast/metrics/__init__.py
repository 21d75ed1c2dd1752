"""`nnfast.metrics`: Keras's metric functions and classes, `get`/`serialize`/`deserialize`,
and `resolve_metric` (what `compile(metrics=[...])` uses).
"""
from nnfast.losses.crossentropy import (  # noqa: F401
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from nnfast.losses.hinge import categorical_hinge, hinge, squared_hinge  # noqa: F401
from nnfast.losses.probabilistic import (  # noqa: F401
    binary_crossentropy,
    binary_focal_crossentropy,
    kl_divergence,
    poisson,
)
from nnfast.losses.regression import (  # noqa: F401
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from nnfast.metrics.accuracy_metrics import (  # noqa: F401
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from nnfast.metrics.confusion_metrics import (  # noqa: F401
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from nnfast.metrics.metric import Mean, MeanMetricWrapper, Metric, Sum  # noqa: F401
from nnfast.metrics.probabilistic_metrics import (  # noqa: F401
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from nnfast.metrics.regression_metrics import (  # noqa: F401
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    cosine_similarity,
)
from nnfast.metrics.resolve import resolve_metric  # noqa: F401
from nnfast.metrics.sensitivity_metrics import (  # noqa: F401
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from nnfast.losses.loss import plain_function_config
from nnfast.saving.serialization import deserialize_keras_object, serialize_keras_object
from nnfast.utils.naming import to_snake_case

# Keras 2 spellings of the functions.
acc = ACC = accuracy
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh
cosine_proximity = cosine_similarity

_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
)
_FUNCTIONS = (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    cosine_similarity, hinge, squared_hinge, categorical_hinge, kl_divergence, poisson,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, huber, log_cosh,
)
FUNCTIONS_DICT = {fn.__name__: fn for fn in _FUNCTIONS}

# Names resolve as in Keras 3: class names and their snake_case spellings give classes
# (instantiated by `get`); names with no class of their own give functions.
ALL_OBJECTS_DICT = dict(FUNCTIONS_DICT)
ALL_OBJECTS_DICT.update({cls.__name__: cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    "kld": KLDivergence, "KLD": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "logcosh": LogCoshError, "log_cosh": LogCoshError,
    "cosine_proximity": CosineSimilarity, "acc": Accuracy, "ACC": Accuracy,
})


def serialize(metric):
    """A metric function -> its name; a `Metric` -> {"class_name", "config"}."""
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The inverse of `serialize`."""
    return deserialize_keras_object(plain_function_config(config),
                                    module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="metric function")


def deserialize_function(config, custom_objects=None):
    """A serialized metric *function* (as stored in a `MeanMetricWrapper` config)."""
    return deserialize_keras_object(plain_function_config(config),
                                    module_objects=FUNCTIONS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="metric function")


def get(identifier):
    """A metric from a name, config dict, class, function or `Metric`; None -> None.

    Class names and their snake_case spellings ("AUC", "auc", "mean_squared_error") give
    instances; other function names give the function.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
