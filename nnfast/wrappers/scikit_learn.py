"""Keras 2's module path: `from keras.wrappers.scikit_learn import KerasClassifier`."""
from nnfast.wrappers.sklearn_wrapper import KerasClassifier, KerasRegressor  # noqa: F401
