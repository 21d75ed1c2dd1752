import numpy as np
import pytest

from nnfast.datasets import digits


def test_shapes_dtypes_and_values():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
    x = np.concatenate([x_train, x_test])
    y = np.concatenate([y_train, y_test])
    assert x.min() == 0 and x.max() == 16
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    # The known class sizes of the UCI test set (scikit-learn's copy).
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179,
                                                   174, 180])


def test_split_is_deterministic_and_follows_the_seed():
    (a, ya), (b, yb) = digits.load_data()
    (c, yc), (d, yd) = digits.load_data()
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(yb, yd)
    (e, ye), _ = digits.load_data(seed=7)
    assert not np.array_equal(ya, ye)
    # Same images, only in another order: sort the flattened rows and compare.
    key = lambda x, y: np.sort(np.concatenate([x.reshape(len(x), -1), y[:, None]], 1)
                               .view([("", np.uint8)] * 65).ravel())
    _, (f, yf) = digits.load_data(seed=7)
    np.testing.assert_array_equal(key(np.concatenate([a, b]), np.concatenate([ya, yb])),
                                  key(np.concatenate([e, f]), np.concatenate([ye, yf])))


def test_test_split_fraction_and_errors():
    (x_train, _), (x_test, _) = digits.load_data(test_split=0.5)
    assert len(x_train) == 898 and len(x_test) == 899
    (x_train, _), (x_test, _) = digits.load_data(test_split=0)
    assert len(x_train) == 1797 and len(x_test) == 0
    with pytest.raises(ValueError, match="digits.load_data.*test_split=1"):
        digits.load_data(test_split=1)
    with pytest.raises(ValueError, match="digits.load_data.*seed='a'"):
        digits.load_data(seed="a")


def test_returned_arrays_are_writable_copies():
    (x_train, y_train), _ = digits.load_data()
    x_train[0, 0, 0] = 99
    y_train[0] = 99
    (x2, y2), _ = digits.load_data()
    assert x2[0, 0, 0] != 99 and y2[0] != 99


def test_images_look_like_digits():
    (x, y), _ = digits.load_data(test_split=0)
    x = x.astype("float64")
    zero, one = x[y == 0].mean(0), x[y == 1].mean(0)
    # A zero is a ring: its centre is darker than its left and right strokes.
    assert zero[3:5, 3:5].mean() < 0.5 * zero[3:5, [1, 6]].mean()
    # A one is a vertical stroke: the centre column is bright.
    assert one[2:6, 3:5].mean() > one[2:6, [0, 7]].mean() + 5
    assert np.abs(zero - one).mean() > 2
