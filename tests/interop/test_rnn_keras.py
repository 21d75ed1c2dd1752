"""Recurrent layers against Keras 3 on the same weights: outputs, states and weight
gradients (skipped when Keras is not installed; `make test-interop` installs it)."""
import os

import numpy as np
import pytest

import nnfast
from nnfast.autograd import GradientTape

pytestmark = pytest.mark.interop
N, T, I, U = 4, 6, 3, 5


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def _data(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, T, I)).astype("float32")
    mask = rng.random((N, T)) > 0.3
    mask[0, :2] = mask[1, -1] = False
    mask[2] = False                                    # a fully masked sample
    return rng, x, mask


def _pair(keras, name, **kw):
    k_layer = getattr(keras.layers, name)(U, **kw)
    n_layer = getattr(nnfast.layers, name)(U, **kw)
    return k_layer, n_layer


def _check(got, want, rtol=2e-5, atol=2e-5):
    got = got if isinstance(got, (list, tuple)) else [got]
    want = want if isinstance(want, (list, tuple)) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=atol)


CASES = [("LSTM", {}), ("LSTM", dict(go_backwards=True)),
         ("LSTM", dict(activation="relu", recurrent_activation="hard_sigmoid")),
         ("GRU", {}), ("GRU", dict(reset_after=False, go_backwards=True)),
         ("SimpleRNN", dict(activation="relu"))]


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("masked", [False, True])
def test_outputs_and_states_equal_keras(keras, name, kw, masked):
    rng, x, mask = _data(0)
    k_layer, n_layer = _pair(keras, name, return_sequences=True, return_state=True, **kw)
    k_layer.build((None, T, I))
    n_layer.build((None, T, I))
    weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_layer.get_weights()]
    k_layer.set_weights(weights)
    n_layer.set_weights(weights)
    n_states = 2 if name == "LSTM" else 1
    init = [rng.normal(size=(N, U)).astype("float32") for _ in range(n_states)]
    m = mask if masked else None
    _check(n_layer(x, initial_state=init, mask=m), k_layer(x, initial_state=init, mask=m))
    k_last, n_last = _pair(keras, name, **kw)
    k_last.build((None, T, I))
    n_last.build((None, T, I))
    k_last.set_weights(weights)
    n_last.set_weights(weights)
    _check(n_last(x, mask=m), k_last(x, mask=m))


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_weight_gradients_equal_keras(keras, name):
    import tensorflow as tf

    rng, x, mask = _data(1)
    k_layer, n_layer = _pair(keras, name, return_sequences=True, go_backwards=True)
    k_layer.build((None, T, I))
    n_layer.build((None, T, I))
    weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_layer.get_weights()]
    k_layer.set_weights(weights)
    n_layer.set_weights(weights)
    target = rng.normal(size=(N, T, U)).astype("float32")
    with tf.GradientTape() as tape:
        k_loss = tf.reduce_sum((k_layer(x, mask=mask) - target) ** 2)
    k_grads = tape.gradient(k_loss, k_layer.trainable_weights)
    with GradientTape() as tape:
        n_loss = ((n_layer(x, mask=mask) - target) ** 2).sum()
    n_grads = tape.gradient(n_loss, n_layer.trainable_weights)
    assert float(n_loss) == pytest.approx(float(k_loss), rel=1e-5)
    _check(n_grads, [g.numpy() for g in k_grads], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", None])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_equals_keras(keras, merge_mode, return_sequences):
    rng, x, mask = _data(2)
    k_layer = keras.layers.Bidirectional(
        keras.layers.LSTM(U, return_sequences=return_sequences, return_state=True),
        merge_mode=merge_mode)
    n_layer = nnfast.layers.Bidirectional(
        nnfast.layers.LSTM(U, return_sequences=return_sequences, return_state=True),
        merge_mode=merge_mode)
    k_layer.build((None, T, I))
    n_layer.build((None, T, I))
    weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_layer.get_weights()]
    k_layer.set_weights(weights)
    n_layer.set_weights(weights)
    _check(n_layer(x, mask=mask), k_layer(x, mask=mask))


def test_keras_configs_build_the_same_layers(keras):
    for layer in (keras.layers.LSTM(U, return_sequences=True, dropout=0.2, go_backwards=True),
                  keras.layers.GRU(U, reset_after=False, stateful=False),
                  keras.layers.SimpleRNN(U, activation="relu"),
                  keras.layers.Bidirectional(keras.layers.GRU(U), merge_mode="ave")):
        config = keras.layers.serialize(layer)
        ours = nnfast.layers.deserialize({"class_name": config["class_name"],
                                          "config": config["config"]})
        assert type(ours).__name__ == type(layer).__name__
        ours_config = ours.get_config()
        for key, value in layer.get_config().items():
            if key in ("dtype", "layer", "backward_layer", "name"):
                continue
            assert key in ours_config, key
            if not isinstance(value, dict):
                assert ours_config[key] == value, key
