"""Pooling layers equal Keras 3 (skipped without Keras; `make test-interop` installs it)."""
import os

import numpy as np
import pytest

import nnfast

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("name", ["MaxPooling2D", "AveragePooling2D"])
@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), (3, 2, "same"),
                                                  ((2, 3), (1, 2), "same"), (3, 1, "valid")])
def test_pooling_2d(keras, name, pool, strides, padding):
    x = np.random.default_rng(0).normal(size=(2, 7, 8, 3)).astype("float32")
    k = getattr(keras.layers, name)(pool, strides, padding)
    n = getattr(nnfast.layers, name)(pool, strides, padding)
    np.testing.assert_allclose(np.asarray(n(x)), np.asarray(k(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_1d(keras, name, padding):
    x = np.random.default_rng(1).normal(size=(2, 9, 4)).astype("float32")
    k = getattr(keras.layers, name)(3, 2, padding)
    n = getattr(nnfast.layers, name)(3, 2, padding)
    np.testing.assert_allclose(np.asarray(n(x)), np.asarray(k(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["GlobalMaxPooling2D", "GlobalAveragePooling2D",
                                  "GlobalMaxPooling1D", "GlobalAveragePooling1D"])
def test_global_pooling(keras, name):
    shape = (2, 5, 6, 3) if name.endswith("2D") else (2, 5, 3)
    x = np.random.default_rng(2).normal(size=shape).astype("float32")
    np.testing.assert_allclose(np.asarray(getattr(nnfast.layers, name)()(x)),
                               np.asarray(getattr(keras.layers, name)()(x)), rtol=1e-5, atol=1e-6)


def test_max_pool_gradient_equals_tensorflow(keras):
    tf = pytest.importorskip("tensorflow")
    x = np.random.default_rng(3).normal(size=(2, 6, 6, 2)).astype("float32")
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = tf.nn.max_pool2d(xt, 3, 2, "SAME")
        s = tf.reduce_sum(y * 1.5)
    want = tape.gradient(s, xt).numpy()
    xv = nnfast.autograd.Variable(x)
    with nnfast.GradientTape() as ntape:
        ns = nnfast.ops.sum(nnfast.ops.max_pool(xv, 3, 2, "same") * 1.5)
    np.testing.assert_allclose(ntape.gradient(ns, xv), want, rtol=1e-6)


@pytest.mark.parametrize("factory", [
    lambda m: m.layers.UpSampling2D((2, 3)),
    lambda m: m.layers.UpSampling2D(2, interpolation="bilinear"),
    lambda m: m.layers.ZeroPadding2D(((1, 0), (2, 1))),
    lambda m: m.layers.Cropping2D(((1, 0), (1, 2))),
])
def test_spatial_reshaping_2d(keras, factory):
    x = np.random.default_rng(4).normal(size=(2, 5, 6, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(factory(nnfast)(x)), np.asarray(factory(keras)(x)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("factory", [
    lambda m: m.layers.UpSampling1D(3), lambda m: m.layers.ZeroPadding1D((1, 2)),
    lambda m: m.layers.Cropping1D((2, 1)),
])
def test_spatial_reshaping_1d(keras, factory):
    x = np.random.default_rng(5).normal(size=(2, 6, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(factory(nnfast)(x)), np.asarray(factory(keras)(x)))


def test_repeat_vector(keras):
    x = np.random.default_rng(6).normal(size=(2, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(nnfast.layers.RepeatVector(4)(x)),
                                  np.asarray(keras.layers.RepeatVector(4)(x)))
