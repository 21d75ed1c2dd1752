"""Bad input is refused with a ValueError/TypeError that says what was expected."""
import numpy as np
import pytest

import nnfast
from nnfast import layers


def _model(compiled=True, loss="sparse_categorical_crossentropy"):
    model = nnfast.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    if compiled:
        model.compile("adam", loss, metrics=["accuracy"])
    return model


def test_fit_before_compile():
    with pytest.raises(ValueError, match="must call `compile\\(\\)`"):
        _model(compiled=False).fit(np.ones((4, 4)), np.zeros(4))


def test_x_and_y_of_different_lengths():
    with pytest.raises(ValueError, match=r"(?s)cardinality.*'x' sizes: 10.*'y' sizes: 8"):
        _model().fit(np.ones((10, 4)), np.zeros(8), verbose=0)


def test_wrong_input_rank_and_shape_for_first_layer():
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(10, 5\)"):
        _model().fit(np.ones((10, 5)), np.zeros(10), verbose=0)
    with pytest.raises(ValueError, match="incompatible"):
        _model().fit(np.ones((10, 4, 2)), np.zeros(10), verbose=0)


def test_labels_out_of_range_for_sparse_loss():
    with pytest.raises(ValueError, match="3"):
        _model().fit(np.ones((4, 4)), np.array([0, 1, 3, 2]), verbose=0)
    with pytest.raises(ValueError):
        _model().fit(np.ones((4, 4)), np.array([0, -1, 1, 2]), verbose=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_x(bad):
    x = np.ones((6, 4))
    x[2, 1] = bad
    with pytest.raises(ValueError, match=r"NaN or infinite.*\(2, 1\)"):
        _model().fit(x, np.zeros(6), verbose=0)


def test_non_numeric_arrays():
    with pytest.raises(TypeError, match="must hold numbers"):
        _model().fit(np.array([["a"] * 4] * 3), np.zeros(3), verbose=0)
    with pytest.raises(TypeError, match="must hold numbers"):
        _model().fit(np.ones((3, 4)), np.array(["x", "y", "z"]), verbose=0)


@pytest.mark.parametrize("kwargs,match", [
    ({"loss": "not_a_loss"}, "Unknown loss"),
    ({"loss": "mse", "optimizer": "not_an_optimizer"}, "optimizer"),
    ({"loss": "mse", "metrics": ["not_a_metric"]}, "Unknown metric"),
])
def test_unknown_names_in_compile(kwargs, match):
    model = nnfast.Sequential([layers.Dense(1, input_shape=(4,))])
    with pytest.raises(ValueError, match=match):
        model.compile(**{"optimizer": "sgd", **kwargs})
        model.fit(np.ones((2, 4)), np.zeros((2, 1)), verbose=0)


def test_bad_fit_arguments():
    model = _model()
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(np.ones((4, 4)), np.zeros(4), batch_size=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(np.ones((4, 4)), np.zeros(4), validation_split=1.5)
    with pytest.raises(TypeError, match="Invalid keyword"):
        model.fit(np.ones((4, 4)), np.zeros(4), epochz=3)
    with pytest.raises(ValueError, match="verbose"):
        model.fit(np.ones((4, 4)), np.zeros(4), verbose=5)
