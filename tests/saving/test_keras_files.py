"""Files written by real Keras 3.15 and tf.keras 2.21 (tests/saving/data, made by
make_golden.py) load into nnfast: same predictions, and the optimizer state is restored
well enough that one more epoch of `fit` lands where Keras's did."""
import os
import warnings

import h5py
import numpy as np
import pytest

import nnfast
from nnfast import layers

DATA = os.path.join(os.path.dirname(__file__), "data")
K3 = np.load(os.path.join(DATA, "k3_expected.npz"))
TK2 = np.load(os.path.join(DATA, "tk2_expected.npz"))


def _path(name):
    return os.path.join(DATA, name)


def _load(name, **kwargs):
    with warnings.catch_warnings():
        # Keras 3.15 wrote no optimizer into these .keras configs: nnfast, like Keras,
        # then warns that the saved optimizer state does not fit.
        warnings.simplefilter("ignore")
        return nnfast.models.load_model(_path(name), **kwargs)


@pytest.mark.parametrize("name, expected", [
    ("k3_functional.h5", K3["k3_a_pred"]), ("k3_functional.keras", K3["k3_a_pred"]),
    ("tk2_functional.h5", TK2["tk2_a_pred"]),
])
def test_functional_files_predict_like_keras(name, expected):
    model = _load(name)
    assert [l.name for l in model.layers] == ["inp", "flat", "d1", "act", "bn", "drop", "resh",
                                              "flat2", "d2"]
    assert model.get_layer("drop").rate == 0.25
    np.testing.assert_allclose(model.predict(K3["x_a"], verbose=0), expected, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("name, expected, tag", [
    ("k3_sequential.h5", K3, "k3_b"), ("tk2_sequential.h5", TK2, "tk2_b"),
    ("tk2_sequential_legacy.h5", TK2, "tk2_b_legacy"),
])
def test_resuming_keras_training_lands_where_keras_did(name, expected, tag):
    model = _load(name)
    assert isinstance(model, nnfast.Sequential)
    assert isinstance(model.optimizer, nnfast.optimizers.Adam)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    assert int(model.optimizer.iterations._value) == 4
    np.testing.assert_allclose(model.predict(expected["x_b"], verbose=0),
                               expected[f"{tag}_pred"], rtol=1e-5, atol=1e-6)
    model.fit(expected["x_b"], expected["y_b"], epochs=1, batch_size=8, shuffle=False, verbose=0)
    for layer in model.layers:
        for i, w in enumerate(layer.get_weights()):
            np.testing.assert_allclose(w, expected[f"{tag}_next_{layer.name}_{i}"], rtol=1e-4,
                                       atol=1e-5, err_msg=f"{name}: {layer.name} weight {i}")


def test_tf_keras_legacy_optimizer_slots_are_remapped():
    # tf.keras 2's legacy Adam stores [iter, all m, all v]; nnfast keeps Keras 3's
    # [iteration, learning_rate, m0, v0, m1, v1, ...].
    model = _load("tk2_sequential_legacy.h5")
    with h5py.File(_path("tk2_sequential_legacy.h5")) as f:
        group = f["optimizer_weights"]
        saved_m = group["Adam/b1/kernel/m:0"][()]
        saved_v = group["Adam/b2/bias/v:0"][()]
    by_name = {v.name: v.numpy() for v in model.optimizer.variables}
    np.testing.assert_array_equal(by_name["b1_kernel_momentum"], saved_m)
    np.testing.assert_array_equal(by_name["b2_bias_velocity"], saved_v)


def _model_a():
    inp = nnfast.Input((2, 3), name="inp")
    x = layers.Flatten(name="flat")(inp)
    x = layers.Dense(8, name="d1")(x)
    x = layers.Activation("relu", name="act")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Dropout(0.25, name="drop")(x)
    x = layers.Reshape((2, 4), name="resh")(x)
    x = layers.Flatten(name="flat2")(x)
    return nnfast.Model(inp, layers.Dense(3, activation="softmax", name="d2")(x))


@pytest.mark.parametrize("name, expected", [
    ("k3_functional.weights.h5", K3["k3_a_pred"]), ("tk2_functional_weights.h5", TK2["tk2_a_pred"]),
    ("k3_functional.keras", K3["k3_a_pred"]), ("k3_functional.h5", K3["k3_a_pred"]),
])
def test_weights_into_a_model_built_in_code(name, expected):
    model = _model_a()
    model.load_weights(_path(name))
    np.testing.assert_allclose(model.predict(K3["x_a"], verbose=0), expected, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("name, expected, tag", [
    ("k3_nested.h5", K3, "k3"), ("k3_nested.keras", K3, "k3"), ("tk2_nested.h5", TK2, "tk2"),
])
def test_nested_models_and_shared_layers(name, expected, tag):
    # tf.keras 2 numbers a nested model's nodes from 1, Keras 3 from 0 (and from 1 in
    # output_layers): both must land on the same calls.
    model = _load(name)
    outputs = model.predict(expected["x_c"], verbose=0)
    assert isinstance(outputs, list) and len(outputs) == 2
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(out, expected[f"{tag}_c_pred_{i}"], rtol=1e-5, atol=1e-6)


def test_keras3_masked_text_model_with_an_op_node_loads():
    """Keras 3.15 records an Embedding's mask as a `NotEqual` keras.ops node feeding the
    RNNs' `mask=`; nnfast runs it as the same op, and the predictions equal Keras's."""
    expected = np.load(_path("k3_masked_text_expected.npz"))
    model = nnfast.models.load_model(_path("k3_masked_text.keras"), compile=False)
    assert any(type(layer).__name__ == "KerasOperation" for layer in model.layers)
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["y"],
                               rtol=1e-5, atol=1e-6)
    clone = nnfast.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(expected["x"], verbose=0), expected["y"],
                               rtol=1e-5, atol=1e-6)
