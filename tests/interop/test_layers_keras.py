"""Embedding, merges, LayerNormalization and the activation layers equal Keras 3 for the
same weights and inputs (skipped without Keras; `make test-interop` installs it)."""
import os

import numpy as np
import pytest

import nnfast

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def _same(nn_layer, k_layer, inputs, rtol=1e-5, atol=1e-6, **call_kwargs):
    k_out = np.asarray(k_layer(inputs, **call_kwargs))
    if k_layer.weights:
        nn_layer(inputs, **call_kwargs)              # build, then copy Keras's weights
        nn_layer.set_weights([np.asarray(w) for w in k_layer.get_weights()])
    nn_out = np.asarray(nn_layer(inputs, **call_kwargs))
    np.testing.assert_allclose(nn_out, k_out, rtol=rtol, atol=atol)


def test_embedding_and_its_mask(keras):
    ids = np.array([[3, 0, 7, 1], [0, 0, 2, 9]])
    k = keras.layers.Embedding(10, 5, mask_zero=True)
    n = nnfast.layers.Embedding(10, 5, mask_zero=True)
    _same(n, k, ids)
    np.testing.assert_array_equal(np.asarray(k.compute_mask(ids)), n(ids)._keras_mask)


@pytest.mark.parametrize("name", ["Add", "Subtract", "Multiply", "Average", "Maximum",
                                  "Minimum", "Concatenate"])
def test_merges(keras, name):
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(3, 4)).astype("float32") for _ in range(2)]
    _same(getattr(nnfast.layers, name)(), getattr(keras.layers, name)(), xs)


@pytest.mark.parametrize("axes,normalize", [(1, False), (1, True)])
def test_dot(keras, axes, normalize):
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=(3, 4)).astype("float32") for _ in range(2)]
    _same(nnfast.layers.Dot(axes, normalize=normalize), keras.layers.Dot(axes, normalize=normalize), xs)
    ys = [rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 5, 4)).astype("float32")]
    _same(nnfast.layers.Dot((2, 2)), keras.layers.Dot((2, 2)), ys)


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_layer_normalization(keras, axis):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 3, 6)).astype("float32")
    k = keras.layers.LayerNormalization(axis=axis, gamma_initializer="random_normal",
                                        beta_initializer="random_normal")
    _same(nnfast.layers.LayerNormalization(axis=axis), k, x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("factory", [
    lambda m: m.layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2),
    lambda m: m.layers.LeakyReLU(negative_slope=0.2),
    lambda m: m.layers.ELU(alpha=0.7),
    lambda m: m.layers.Softmax(axis=1),
    lambda m: m.layers.PReLU(alpha_initializer="random_uniform", shared_axes=[1]),
])
def test_activation_layers(keras, factory):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    _same(factory(nnfast), factory(keras), x)


def test_masking_and_masked_softmax(keras):
    x = np.ones((2, 3, 4), "float32")
    x[0, 1] = 0
    _same(nnfast.layers.Masking(), keras.layers.Masking(), x)
    mask = np.array([[True, False, True], [True, True, False]])
    scores = np.random.default_rng(4).normal(size=(2, 3)).astype("float32")
    _same(nnfast.layers.Softmax(), keras.layers.Softmax(), scores, mask=mask)
