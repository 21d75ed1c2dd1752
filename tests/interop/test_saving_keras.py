"""Model files crossing between nnfast and Keras 3 (and tf.keras 2 when installed), run
where Keras is importable:

    KERAS_BACKEND=tensorflow PYTHONPATH=. /tmp/tfv/bin/python -m pytest tests/interop
"""
import os
import warnings

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
keras = pytest.importorskip("keras")

import nnfast  # noqa: E402

pytestmark = pytest.mark.interop
rng = np.random.default_rng(5)
X_A = rng.normal(size=(10, 2, 3)).astype("float32")
X_B = rng.normal(size=(16, 5)).astype("float32")
Y_B = rng.normal(size=(16, 2)).astype("float32")


def model_a(K):
    """Every layer kind nnfast has, as a functional graph (prediction checks)."""
    inp = K.Input((2, 3), name="inp")
    x = K.layers.Flatten(name="flat")(inp)
    x = K.layers.Dense(8, name="d1")(x)
    x = K.layers.Activation("relu", name="act")(x)
    x = K.layers.BatchNormalization(name="bn")(x)
    x = K.layers.Dropout(0.25, name="drop")(x)
    x = K.layers.Reshape((2, 4), name="resh")(x)
    x = K.layers.Flatten(name="flat2")(x)
    model = K.Model(inp, K.layers.Dense(3, activation="softmax", name="d2")(x), name="model_a")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(X_A, np.arange(10) % 3, epochs=2, batch_size=5, verbose=0)
    return model


def model_b(K):
    """No dropout: training continues identically in both (optimizer-state checks)."""
    model = K.Sequential([K.Input((5,)), K.layers.Dense(4, activation="tanh", name="b1"),
                          K.layers.BatchNormalization(name="bbn"), K.layers.Dense(2, name="b2")],
                         name="model_b")
    model.compile(optimizer=K.optimizers.Adam(0.01), loss="mean_squared_error")
    model.fit(X_B, Y_B, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return model


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def _same_layers(nn, kk, rtol=1e-5, atol=1e-6):
    for layer in nn.layers:
        other = kk.get_layer(layer.name)
        for w, v in zip(layer.get_weights(), other.get_weights()):
            np.testing.assert_allclose(w, np.asarray(v), rtol=rtol, atol=atol,
                                       err_msg=layer.name)


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_keras_models_load_into_nnfast(tmp_path, suffix):
    k = model_a(keras)
    k.save(tmp_path / f"a{suffix}")
    n = nnfast.models.load_model(tmp_path / f"a{suffix}", compile=False)
    _close(n.predict(X_A, verbose=0), k.predict(X_A, verbose=0))
    k.save_weights(tmp_path / "a.weights.h5")
    fresh = nnfast.models.load_model(tmp_path / f"a{suffix}", compile=False)
    fresh.get_layer("d1").kernel.assign(np.zeros((6, 8)))
    fresh.load_weights(tmp_path / "a.weights.h5")
    _close(fresh.predict(X_A, verbose=0), k.predict(X_A, verbose=0))


def test_keras_h5_training_resumes_in_nnfast(tmp_path):
    k = model_b(keras)
    k.save(tmp_path / "b.h5")
    n = nnfast.models.load_model(tmp_path / "b.h5")
    assert int(n.optimizer.iterations._value) == int(k.optimizer.iterations)
    for fit in (k.fit, n.fit):
        fit(X_B, Y_B, epochs=1, batch_size=8, shuffle=False, verbose=0)
    _same_layers(n, k, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_nnfast_models_load_into_keras(tmp_path, suffix):
    n = model_a(nnfast)
    n.save(tmp_path / f"a{suffix}")
    k = keras.models.load_model(tmp_path / f"a{suffix}")
    _close(k.predict(X_A, verbose=0), n.predict(X_A, verbose=0))
    assert k.get_layer("drop").rate == 0.25 and k.get_layer("resh").target_shape == (2, 4)
    assert type(k.optimizer).__name__ == "Adam"
    assert int(k.optimizer.iterations) == int(n.optimizer.iterations._value)


def test_nnfast_keras_archive_resumes_training_in_keras(tmp_path):
    n = model_b(nnfast)
    n.save(tmp_path / "b.keras")
    k = keras.models.load_model(tmp_path / "b.keras")
    assert len(k.optimizer.variables) == len(n.optimizer.variables)
    for kv, nv in zip(k.optimizer.variables, n.optimizer.variables):   # Keras 3's order
        assert kv.path.split("_")[-1] == nv.path.split("_")[-1]       # momentum/velocity
        np.testing.assert_array_equal(np.asarray(kv), nv.numpy())
    for fit in (k.fit, n.fit):
        fit(X_B, Y_B, epochs=1, batch_size=8, shuffle=False, verbose=0)
    _same_layers(n, k, rtol=1e-4, atol=1e-5)


def test_nnfast_weights_and_json_load_into_keras(tmp_path):
    n = model_a(nnfast)
    n.save_weights(tmp_path / "a.weights.h5")         # Keras 3 layout
    n.save_weights(tmp_path / "a_legacy.h5")          # Keras's HDF5 weights layout
    for name in ("a.weights.h5", "a_legacy.h5"):
        k = model_a(keras)
        k.load_weights(tmp_path / name)
        _close(k.predict(X_A, verbose=0), n.predict(X_A, verbose=0))
    k = keras.models.model_from_json(n.to_json())
    k.set_weights([np.asarray(w) for w in _keras_order(n, k)])
    _close(k.predict(X_A, verbose=0), n.predict(X_A, verbose=0))


def _keras_order(n, k):
    return [w for layer in k.layers for w in n.get_layer(layer.name).get_weights()]


def test_functional_configs_match_keras(tmp_path):
    def build(K):
        a = K.Input((4,), name="a")
        b = K.Input((4,), name="b")
        shared = K.layers.Dense(4, name="shared")
        inner_in = K.Input((4,), name="inner_in")
        inner = K.Model(inner_in, K.layers.Dense(4, name="inner_d")(inner_in), name="inner")
        y = shared(inner(shared(b)))
        out = K.layers.Dense(2, name="head")(K.layers.Flatten(name="f")(y))
        return K.Model([a, b], [shared(a), out], name="graph")

    def structure(config):
        def history(node):
            if isinstance(node, dict):
                return [t["config"]["keras_history"] for t in node["args"]
                        if isinstance(t, dict)]
            return [entry[:3] for entry in node]
        return ([(layer["name"], layer["class_name"], [history(n) for n in layer["inbound_nodes"]])
                 for layer in config["layers"]], config["input_layers"], config["output_layers"])

    kk, nn = build(keras), build(nnfast)
    assert structure(nn.get_config()) == structure(kk.get_config())
    rebuilt = keras.Model.from_config(nn.get_config())
    rebuilt.set_weights(_keras_order(nn, rebuilt))
    x = [np.ones((2, 4), "float32"), np.full((2, 4), 0.5, "float32")]
    for u, v in zip(rebuilt.predict(x, verbose=0), nn.predict(x, verbose=0)):
        _close(u, v)


def test_tf_keras2_files_both_ways(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    t = model_b(tf_keras)                            # tf.keras 2.11+ Adam
    t.save(tmp_path / "t.h5")
    n = nnfast.models.load_model(tmp_path / "t.h5")
    assert int(n.optimizer.iterations._value) == int(t.optimizer.iterations)
    for fit in (t.fit, n.fit):
        fit(X_B, Y_B, epochs=1, batch_size=8, shuffle=False, verbose=0)
    _same_layers(n, t, rtol=1e-4, atol=1e-5)
    a = model_a(nnfast)
    a.save(tmp_path / "a.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # tf.keras 2 keeps a fresh optimizer (own order)
        back = tf_keras.models.load_model(tmp_path / "a.h5")
    _close(back.predict(X_A, verbose=0), a.predict(X_A, verbose=0))
    back = tf_keras.models.model_from_json(a.to_json())
    back.load_weights(tmp_path / "a.h5")
    _close(back.predict(X_A, verbose=0), a.predict(X_A, verbose=0))



def model_c(K):
    """A nested functional model called twice and a shared layer (node numbering)."""
    inner_in = K.Input((4,), name="inner_in")
    inner = K.Model(inner_in, K.layers.Dense(4, activation="tanh", name="inner_d")(inner_in),
                    name="inner")
    shared = K.layers.Dense(4, name="shared")
    x = K.Input((4,), name="x")
    y = inner(shared(inner(x)))
    return K.Model(x, [shared(y), inner(y)], name="model_c")


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_nested_models_cross_both_ways(tmp_path, suffix):
    x = rng.normal(size=(3, 4)).astype("float32")
    n = model_c(nnfast)
    n.save(tmp_path / f"n{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # uncompiled: "no training configuration"
        k = keras.models.load_model(tmp_path / f"n{suffix}")
    for u, v in zip(k.predict(x, verbose=0), n.predict(x, verbose=0)):
        _close(u, v)
    k.save(tmp_path / f"k{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = nnfast.models.load_model(tmp_path / f"k{suffix}")
    for u, v in zip(back.predict(x, verbose=0), k.predict(x, verbose=0)):
        _close(u, v)
