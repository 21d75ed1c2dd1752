"""scikit-learn wrappers: Keras 3's `SKLearnClassifier`/`SKLearnRegressor` and Keras 2's
`KerasClassifier`/`KerasRegressor` (also importable as `wrappers.scikit_learn`)."""
from nnfast.wrappers.sklearn_wrapper import (  # noqa: F401
    KerasClassifier,
    KerasRegressor,
    SKLearnClassifier,
    SKLearnRegressor,
)
from nnfast.wrappers import scikit_learn  # noqa: F401
