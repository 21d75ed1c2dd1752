import numpy as np
import pytest

from nnfast.utils import normalize, to_categorical


def _one_hot(labels, n):
    return (np.asarray(labels)[..., None] == np.arange(n)).astype("float32")


@pytest.mark.parametrize("shape", [(7,), (2, 5), (3, 2, 4), ()])
def test_to_categorical_matches_formula(shape):
    labels = np.random.default_rng(0).integers(0, 6, size=shape)
    out = to_categorical(labels, 6)
    assert out.dtype == np.float32 and out.shape == shape + (6,)
    np.testing.assert_array_equal(out, _one_hot(labels, 6))


def test_to_categorical_squeezes_trailing_one_and_infers_classes():
    labels = np.array([[2], [0], [3]])
    out = to_categorical(labels)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out, _one_hot(labels[:, 0], 4))
    np.testing.assert_array_equal(to_categorical([1.0, 0.0], 2), [[0, 1], [1, 0]])
    assert to_categorical([1], 3).shape == (1, 3)      # (1,) is not squeezed
    assert to_categorical([0, 1], 2, dtype="float64").dtype == np.float64


@pytest.mark.parametrize("labels,num_classes,bad", [
    ([0, -1, 2], 3, "-1"), ([0, 3], 3, "3"), ([[1], [5]], 4, "5"),
])
def test_to_categorical_rejects_out_of_range_labels(labels, num_classes, bad):
    with pytest.raises(ValueError, match=rf"to_categorical.*Received: a label {bad}\b"):
        to_categorical(labels, num_classes)


def test_to_categorical_rejects_bad_input():
    with pytest.raises(ValueError, match="to_categorical.*non-integer label 1.5"):
        to_categorical([0, 1.5])
    with pytest.raises(ValueError, match="to_categorical.*dtype <U1"):
        to_categorical(["a"])
    with pytest.raises(ValueError, match="to_categorical.*num_classes=0"):
        to_categorical([0], num_classes=0)
    with pytest.raises(ValueError, match="to_categorical.*num_classes=2.5"):
        to_categorical([0], num_classes=2.5)


@pytest.mark.parametrize("axis,order", [(-1, 2), (0, 2), (1, 1), (-1, np.inf)])
def test_normalize_matches_formula(axis, order):
    x = np.random.default_rng(1).normal(size=(4, 5)).astype("float32")
    if order == 1:
        ref = x / np.sum(np.abs(x), axis=axis, keepdims=True)
    elif order == np.inf:
        ref = x / np.max(np.abs(x), axis=axis, keepdims=True)
    else:
        ref = x / np.sqrt(np.sum(x ** 2, axis=axis, keepdims=True))
    np.testing.assert_allclose(normalize(x, axis=axis, order=order), ref, rtol=1e-6)


def test_normalize_leaves_zero_rows_and_works_on_ints():
    out = normalize(np.array([[3, 4], [0, 0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(normalize([3.0, 4.0]), [[0.6, 0.8]])   # Keras's shape
    with pytest.raises(ValueError, match="normalize.*rank"):
        normalize(3.0)
