"""Keras's HDF5 layout written and read by nnfast: what the file holds, exact resumption
of training, weights-only files, JSON/YAML configs."""
import json
import os
import sys

import h5py
import numpy as np
import pytest

import nnfast
from nnfast import layers

rng = np.random.default_rng(3)
X = rng.normal(size=(24, 6)).astype("float32")
Y = rng.normal(size=(24, 2)).astype("float32")


def _functional(optimizer="adam"):
    inp = nnfast.Input((6,), name="inp")
    h = layers.Dense(8, activation="relu", name="d1")(inp)
    h = layers.BatchNormalization(name="bn")(h)
    h = layers.Dropout(0.0, name="drop")(h)
    out = layers.Dense(2, name="d2")(h)
    model = nnfast.Model(inp, out, name="net")
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def _fit(model, epochs=2):
    model.fit(X, Y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)


def _assert_same_weights(a, b):
    for la, lb in zip(a.layers, b.layers):
        for wa, wb in zip(la.get_weights(), lb.get_weights()):
            np.testing.assert_array_equal(wa, wb)


def test_file_layout_is_keras(tmp_path):
    model = _functional()
    _fit(model)
    path = tmp_path / "m.h5"
    model.save(path)
    with h5py.File(path) as f:
        assert set(f.attrs) >= {"keras_version", "backend", "model_config", "training_config"}
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Functional"
        d2 = [l for l in config["config"]["layers"] if l["name"] == "d2"][0]
        assert d2["inbound_nodes"] == [[["drop", 0, 0, {}]]]          # tf.keras 2 nodes
        training = json.loads(f.attrs["training_config"])
        assert training["loss"] == "mean_squared_error"     # "mse": Keras 3.15 cannot read it back
        assert training["metrics"] == ["mae"]
        assert training["optimizer_config"]["class_name"] == "Adam"
        group = f["model_weights"]
        assert [n.decode() if isinstance(n, bytes) else n for n in group.attrs["layer_names"]] \
            == ["inp", "d1", "bn", "drop", "d2"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group["bn"].attrs["weight_names"]]
        assert names == ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]
        np.testing.assert_array_equal(group["d1"]["d1/kernel"][()], model.get_layer("d1").kernel.numpy())
        opt = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
        assert opt[:4] == ["adam/iteration", "adam/learning_rate", "adam/d1_kernel_momentum",
                           "adam/d1_kernel_velocity"]
        assert int(f["optimizer_weights"]["adam/iteration"][()]) == 6


@pytest.mark.parametrize("optimizer", [
    "adam", lambda: nnfast.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    lambda: nnfast.optimizers.RMSprop(0.01, momentum=0.5, centered=True), "adagrad", "nadam",
])
@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_resuming_training_from_a_file_equals_not_stopping(tmp_path, optimizer, suffix):
    make = optimizer if callable(optimizer) else (lambda: optimizer)
    model = _functional(make())
    _fit(model)
    path = tmp_path / f"m{suffix}"
    model.save(path)
    loaded = nnfast.models.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert int(loaded.optimizer.iterations._value) == int(model.optimizer.iterations._value)
    _fit(model)
    _fit(loaded)
    _assert_same_weights(model, loaded)
    np.testing.assert_array_equal(model.predict(X, verbose=0), loaded.predict(X, verbose=0))


def test_compile_false_and_compile_objects(tmp_path):
    model = _functional()
    model.compile(optimizer=nnfast.optimizers.Adam(0.02), loss=nnfast.losses.MeanSquaredError(),
                  metrics=[nnfast.metrics.MeanAbsoluteError()])
    _fit(model, 1)
    model.save(tmp_path / "m.h5")
    plain = nnfast.models.load_model(tmp_path / "m.h5", compile=False)
    assert not plain.compiled
    np.testing.assert_array_equal(plain.predict(X, verbose=0), model.predict(X, verbose=0))
    loaded = nnfast.models.load_model(tmp_path / "m.h5")
    assert isinstance(loaded.loss, nnfast.losses.MeanSquaredError)
    assert loaded.optimizer.learning_rate.numpy() == np.float32(0.02)
    assert loaded.evaluate(X, Y, verbose=0) == pytest.approx(model.evaluate(X, Y, verbose=0))


def test_sequential_and_uncompiled_models(tmp_path):
    model = nnfast.Sequential([layers.Dense(3, activation="tanh", input_shape=(6,)),
                               layers.Reshape((3, 1)), layers.Flatten(), layers.Dense(1)])
    model.save(tmp_path / "s.h5")
    with h5py.File(tmp_path / "s.h5") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f
    with pytest.warns(UserWarning, match="not\\* compiled"):
        loaded = nnfast.models.load_model(tmp_path / "s.h5")
    assert isinstance(loaded, nnfast.Sequential) and not loaded.compiled
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_save_format_and_overwrite(tmp_path):
    model = _functional()
    model.save(tmp_path / "model", save_format="h5")
    assert h5py.is_hdf5(tmp_path / "model")
    with pytest.warns(UserWarning, match="HDF5"):
        model.save(tmp_path / "saved_model_dir")
    assert nnfast.models.load_model(tmp_path / "saved_model_dir").name == "net"
    before = (tmp_path / "model").read_bytes()
    other = _functional()
    with pytest.raises(FileExistsError, match="overwrite"):
        other.save(tmp_path / "model", save_format="h5", overwrite=False)
    assert (tmp_path / "model").read_bytes() == before
    with pytest.raises(ValueError, match="save_format"):
        model.save(tmp_path / "x.h5", save_format="pickle")


def test_weights_files_any_path(tmp_path):
    model = _functional()
    _fit(model, 1)
    path = tmp_path / "training_1" / "cp.ckpt"          # Keras 2 tutorials' checkpoint path
    model.save_weights(str(path))
    assert h5py.is_hdf5(path)
    with h5py.File(path) as f:
        assert "layer_names" in f.attrs and "optimizer_weights" not in f
    fresh = _functional()
    fresh.load_weights(str(path))
    _assert_same_weights(model, fresh)
    native = tmp_path / "w.weights.h5"                     # Keras 3's layout
    model.save_weights(native)
    with h5py.File(native) as f:
        assert list(f["layers"]) == ["batch_normalization", "dense", "dense_1", "dropout",
                                     "input_layer"]
        assert f["layers/dense/vars"].attrs["name"] == "d1"
        assert int(f["optimizer/vars/0"][()]) == 3                # iteration
    fresh = _functional()
    with pytest.warns(UserWarning, match="skipping variable loading for optimizer"):
        fresh.load_weights(native)        # Keras's rule: an unbuilt optimizer is not restored
    _assert_same_weights(model, fresh)
    built = _functional()
    _fit(built, 1)
    built.load_weights(native)            # a built one is
    assert int(built.optimizer.iterations._value) == 3
    fresh = _functional()
    fresh.load_weights(tmp_path / "training_1" / "cp.ckpt")      # pathlib works too
    with pytest.raises(ValueError, match="save_weights cannot write"):
        model.save_weights(tmp_path / "w.keras")


def test_load_weights_by_name_and_skip_mismatch(tmp_path):
    model = _functional()
    model.save_weights(tmp_path / "w.h5")
    inp = nnfast.Input((6,), name="inp")
    h = layers.Dense(8, activation="relu", name="d1")(inp)
    h = layers.Dense(5, name="extra")(h)
    other = nnfast.Model(inp, layers.Dense(4, name="d2")(h))
    with pytest.raises(ValueError, match="weight count mismatch for layer #1.*'extra'"):
        other.load_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="shape mismatch.*d2"):
        other.load_weights(tmp_path / "w.h5", by_name=True)
    with pytest.warns(UserWarning, match="Skipping"):
        other.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(other.get_layer("d1").kernel.numpy(),
                                  model.get_layer("d1").kernel.numpy())


def test_long_attribute_lists_are_chunked(tmp_path):
    names = [f"{'activation_with_a_very_long_name_' * 32}{i}" for i in range(70)]
    x = inp = nnfast.Input((3,), name="inp")
    x = layers.Dense(2, name="first")(x)
    for n in names:                     # 70 names of ~1 kB: over the 64 kB header limit
        x = layers.Activation("linear", name=n)(x)
    model = nnfast.Model(inp, x)
    model.save(tmp_path / "long.h5")
    with h5py.File(tmp_path / "long.h5") as f:
        group = f["model_weights"]
        assert "layer_names" not in group.attrs and "layer_names0" in group.attrs
    loaded = nnfast.models.load_model(tmp_path / "long.h5", compile=False)
    assert [l.name for l in loaded.layers[2:]] == names
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_layer_names_hdf5_cannot_hold_are_refused(tmp_path):
    model = nnfast.Sequential([layers.Dense(2, input_shape=(3,), name="block/dense")])
    with pytest.raises(ValueError, match="'block/dense'.*'/'"):
        model.save(tmp_path / "m.h5")
    assert os.listdir(tmp_path) == []


def test_json_and_yaml(tmp_path, monkeypatch):
    model = _functional()
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Functional"
    clone = nnfast.models.model_from_json(text)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    clone = nnfast.models.model_from_yaml(model.to_yaml())
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match="not valid JSON"):
        nnfast.models.model_from_json("{oops")
    with pytest.raises(ValueError, match="not valid YAML"):
        nnfast.models.model_from_yaml("a: [b")
    # A YAML tag that would build a Python object in an unsafe loader is refused.
    with pytest.raises(ValueError):
        nnfast.models.model_from_yaml("!!python/object/apply:os.system ['echo hi']")
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportError, match="pyyaml"):
        model.to_yaml()


class Tiny(nnfast.Model):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.d = layers.Dense(units)

    def call(self, x):
        return self.d(x)


def test_subclassed_models_save_weights_only(tmp_path):
    model = Tiny()
    model.compile("sgd", "mse")
    _fit(model, 1)
    with pytest.raises(NotImplementedError, match="subclassed"):
        model.save(tmp_path / "t.h5")
    model.save_weights(tmp_path / "t.weights.h5")
    other = Tiny()
    other(X[:1])
    other.load_weights(tmp_path / "t.weights.h5")
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))
