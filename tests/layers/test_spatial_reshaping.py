"""UpSampling, ZeroPadding, Cropping and RepeatVector against NumPy, with gradients."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers

from gradcheck import check_vjp


@pytest.fixture
def img(rng):
    return rng.normal(size=(2, 3, 4, 2)).astype("float32")


def test_upsampling(img):
    np.testing.assert_array_equal(layers.UpSampling2D((2, 3))(img),
                                  img.repeat(2, axis=1).repeat(3, axis=2))
    seq = img[:, 0]
    np.testing.assert_array_equal(layers.UpSampling1D(3)(seq), seq.repeat(3, axis=1))
    up = layers.UpSampling2D(2, interpolation="bilinear")(img)
    assert up.shape == (2, 6, 8, 2)
    np.testing.assert_allclose(up[:, 0, 0], img[:, 0, 0], rtol=1e-6)   # corners are kept
    np.testing.assert_allclose(up.mean((1, 2)), img.mean((1, 2)), rtol=1e-5)


def test_zero_padding_and_cropping(img):
    padded = layers.ZeroPadding2D(((1, 0), (2, 1)))(img)
    np.testing.assert_array_equal(padded, np.pad(img, ((0, 0), (1, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding1D(2)(img[:, 0]),
                                  np.pad(img[:, 0], ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_array_equal(layers.Cropping2D(((1, 0), (1, 2)))(img), img[:, 1:, 1:2])
    np.testing.assert_array_equal(layers.Cropping1D((1, 1))(img[:, 0]), img[:, 0, 1:3])
    inp = keras.Input((3, 4, 2))
    assert layers.ZeroPadding2D(1)(inp).shape == (None, 5, 6, 2)
    assert layers.Cropping2D(1)(inp).shape == (None, 1, 2, 2)
    with pytest.raises(ValueError, match="leaves nothing"):
        layers.Cropping2D(2)(inp)
    with pytest.raises(ValueError, match="`padding` should be"):
        layers.ZeroPadding2D((1, 2, 3))


def test_repeat_vector(rng):
    x = rng.normal(size=(2, 3)).astype("float32")
    np.testing.assert_array_equal(layers.RepeatVector(4)(x), np.repeat(x[:, None], 4, axis=1))
    with pytest.raises(ValueError, match="positive integer"):
        layers.RepeatVector(0)


def test_gradients_flow(float64, rng):
    x = rng.normal(size=(1, 3, 4, 2))
    check_vjp(lambda a: layers.UpSampling2D(2, interpolation="bilinear")(a), [x])
    check_vjp(lambda a: layers.Cropping2D(1)(layers.ZeroPadding2D(1)(layers.UpSampling2D()(a))), [x])
    check_vjp(lambda a: layers.RepeatVector(3)(a[:, 0, 0]), [x])
