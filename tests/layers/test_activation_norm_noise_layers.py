"""Activation layers, LayerNormalization and the noise/regularization layers."""
import numpy as np
import pytest

from nnfast import backend, layers
from nnfast.autograd import GradientTape

from gradcheck import check_vjp


@pytest.fixture
def x(rng):
    return rng.normal(size=(4, 6)).astype("float32")


def test_relu_variants(x):
    np.testing.assert_allclose(layers.ReLU()(x), np.maximum(x, 0))
    np.testing.assert_allclose(layers.ReLU(max_value=0.5)(x), np.clip(x, 0, 0.5))
    ref = np.where(x >= 0.2, x, 0.1 * (x - 0.2))
    np.testing.assert_allclose(layers.ReLU(negative_slope=0.1, threshold=0.2)(x), ref, rtol=1e-6)
    with pytest.raises(ValueError, match="negative_slope"):
        layers.ReLU(negative_slope=-1)


def test_leaky_relu_elu_softmax(x):
    np.testing.assert_allclose(layers.LeakyReLU()(x), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(layers.LeakyReLU(alpha=0.1)(x), np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    np.testing.assert_allclose(layers.ELU(0.5)(x), np.where(x > 0, x, 0.5 * np.expm1(x)), rtol=1e-5)
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(layers.Softmax()(x), e / e.sum(1, keepdims=True), rtol=1e-5)
    mask = np.ones_like(x, bool)
    mask[:, :3] = False
    masked = layers.Softmax()(x, mask=mask)
    np.testing.assert_allclose(masked[:, :3], 0, atol=1e-6)
    np.testing.assert_allclose(masked.sum(1), 1, rtol=1e-5)


def test_prelu_learns_a_slope_per_channel(rng):
    img = rng.normal(size=(2, 3, 3, 4)).astype("float32")
    layer = layers.PReLU(alpha_initializer="ones", shared_axes=[1, 2])
    out = layer(img)
    assert layer.alpha.shape == (1, 1, 4)
    np.testing.assert_allclose(out, img, rtol=1e-6)      # slope 1 everywhere
    layer.alpha.assign(np.full((1, 1, 4), 0.25, "float32"))
    np.testing.assert_allclose(layer(img), np.where(img > 0, img, 0.25 * img), rtol=1e-6)


def test_layer_normalization_formula_and_gradient(rng, float64):
    x = rng.normal(size=(3, 5, 4))
    ln = layers.LayerNormalization(axis=-1, epsilon=1e-3)
    out = ln(x)
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(out, ref, rtol=1e-7)
    gamma = rng.normal(size=(1, 1, 4))
    beta = rng.normal(size=(1, 1, 4))
    from nnfast.ops.layer_normalization import layer_normalization

    check_vjp(lambda a, g, b: layer_normalization(a, g, b, axis=-1), [x, gamma, beta])
    g2 = rng.normal(size=(1, 5, 4))
    check_vjp(lambda a, g: layer_normalization(a, g, None, axis=[1, 2]), [x, g2])


def test_layer_normalization_weights_shape_and_training(rng):
    ln = layers.LayerNormalization(axis=[1, 2])
    ln(rng.normal(size=(2, 3, 4)).astype("float32"))
    assert ln.gamma.shape == (3, 4) and ln.beta.shape == (3, 4)
    with GradientTape() as tape:
        s = (ln(rng.normal(size=(2, 3, 4)).astype("float32")) ** 2).sum()
    assert all(g is not None for g in tape.gradient(s, [ln.gamma, ln.beta]))


def test_noise_layers_only_in_training(x):
    for layer in (layers.GaussianNoise(0.5), layers.GaussianDropout(0.3)):
        np.testing.assert_array_equal(layer(x, training=False), x)
        assert not np.allclose(layer(x, training=True), x)
    big = np.ones((2000, 50), "float32")
    noisy = layers.GaussianDropout(0.2)(big, training=True)
    assert abs(noisy.mean() - 1) < 0.01
    assert abs(noisy.std() - np.sqrt(0.2 / 0.8)) < 0.01


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((8, 5, 5, 16), "float32")
    out = np.asarray(layers.SpatialDropout2D(0.5)(x, training=True))
    per_channel = out.reshape(8, 25, 16)
    assert np.all(per_channel.min(1) == per_channel.max(1))      # constant per map
    assert set(np.unique(out)) <= {0.0, 2.0}
    seq = np.asarray(layers.SpatialDropout1D(0.5)(np.ones((4, 7, 6), "float32"), training=True))
    assert np.all(seq.min(1) == seq.max(1))


def test_activity_regularization_adds_loss(x):
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    out = layer(x)
    np.testing.assert_array_equal(out, x)
    expected = (0.1 * np.abs(x).sum() + 0.01 * (x ** 2).sum()) / x.shape[0]
    np.testing.assert_allclose(float(sum(layer.losses)), expected, rtol=1e-5)
    assert backend.floatx() == "float32"
