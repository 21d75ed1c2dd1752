"""Flatten, Reshape, Permute, Dropout, AlphaDropout and BatchNormalization."""
import numpy as np
import pytest

from nnfast import layers
from nnfast.autograd import GradientTape


def test_flatten_reshape_permute_shapes_and_values():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Flatten()(x), x.reshape(2, 12))
    np.testing.assert_array_equal(layers.Reshape((4, 3))(x), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(layers.Reshape((-1, 2))(x), x.reshape(2, 6, 2))
    np.testing.assert_array_equal(layers.Permute((2, 1))(x), x.transpose(0, 2, 1))
    cf = layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(cf, x.transpose(0, 2, 1).reshape(2, 12))


def test_reshaping_shape_inference_and_errors():
    assert layers.Flatten().compute_output_shape((None, 3, 4)) == (None, 12)
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    assert layers.Permute((2, 1)).compute_output_shape((None, 3, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match="must be unchanged"):
        layers.Reshape((5,))(np.zeros((2, 3, 4), dtype="float32"))
    with pytest.raises(ValueError, match="consecutive"):
        layers.Permute((1, 3))


def test_reshape_gradient_flows():
    x = np.ones((2, 6), dtype="float64")
    dense = layers.Dense(2)
    with GradientTape() as tape:
        y = dense(layers.Flatten()(layers.Reshape((3, 2))(x)))
        s = y.sum()
    assert tape.gradient(s, dense.kernel).shape == (6, 2)


def test_dropout_training_vs_inference():
    x = np.ones((200, 50), dtype="float32")
    d = layers.Dropout(0.4)
    np.testing.assert_array_equal(d(x), x)
    np.testing.assert_array_equal(d(x, training=False), x)
    y = np.asarray(d(x, training=True))
    kept = y != 0
    assert abs(kept.mean() - 0.6) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.5)


def test_alpha_dropout_keeps_mean_and_variance_of_standard_normal():
    x = np.random.default_rng(0).normal(size=(400, 500)).astype("float32")
    y = np.asarray(layers.AlphaDropout(0.2)(x, training=True))
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.03
    np.testing.assert_array_equal(layers.AlphaDropout(0.2)(x), x)


def test_batch_normalization_training_and_inference_formulas():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(64, 5)).astype("float32")
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    y = np.asarray(bn(x, training=True))
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    y_inf = np.asarray(bn(x, training=False))
    expected = (x - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + 1e-3)
    np.testing.assert_allclose(y_inf, expected, rtol=1e-4, atol=1e-5)
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert len(bn.trainable_weights) == 2


def test_batch_normalization_on_channel_axis_1():
    x = np.random.default_rng(1).normal(size=(8, 3, 4)).astype("float32")
    bn = layers.BatchNormalization(axis=1)
    y = np.asarray(bn(x, training=True))
    mean = x.mean(axis=(0, 2), keepdims=True)
    var = x.var(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    y_inf = np.asarray(bn(x))
    assert y_inf.shape == x.shape
