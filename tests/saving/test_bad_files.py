"""Bad model files give a ValueError naming the file and the problem; nothing from a file
is executed; a failed save leaves the previous file in place."""
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import nnfast
from nnfast import layers
from nnfast.saving import file_utils


def _model():
    inp = nnfast.Input((6,), name="inp")
    h = layers.BatchNormalization(name="bn")(layers.Dense(8, name="d1")(inp))
    model = nnfast.Model(inp, layers.Dense(2, name="d2")(h), name="net")
    model.compile("adam", "mse")
    model.fit(np.ones((4, 6), "float32"), np.ones((4, 2), "float32"), verbose=0)
    return model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    model = _model()
    model.save(folder / "m.h5")
    model.save(folder / "m.keras")
    model.save_weights(folder / "w.h5")
    return folder


def _edit(src, dst, fn):
    dst.write_bytes(src.read_bytes())
    with h5py.File(dst, "r+") as f:
        fn(f)
    return dst


def _config(f):
    return json.loads(f.attrs["model_config"])


def test_missing_empty_random_and_foreign_files(tmp_path):
    with pytest.raises(ValueError, match="File not found"):
        nnfast.models.load_model(tmp_path / "nope.h5")
    (tmp_path / "empty.h5").write_bytes(b"")
    with pytest.raises(ValueError, match="empty.h5.*0 bytes"):
        nnfast.models.load_model(tmp_path / "empty.h5")
    (tmp_path / "noise.h5").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match="noise.h5.*neither an HDF5 file nor a .keras"):
        nnfast.models.load_model(tmp_path / "noise.h5")
    with pytest.raises(ValueError, match="noise.h5"):
        _model().load_weights(tmp_path / "noise.h5")
    (tmp_path / "fake.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))
    with pytest.raises(ValueError, match="fake.h5.*HDF5"):
        nnfast.models.load_model(tmp_path / "fake.h5")
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["images"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match="No model config found.*foreign.h5"):
        nnfast.models.load_model(tmp_path / "foreign.h5")
    with pytest.raises(ValueError, match="foreign.h5 holds no Keras weights"):
        _model().load_weights(tmp_path / "foreign.h5")
    with pytest.raises(ValueError, match="folder"):
        nnfast.models.load_model(tmp_path)
    import pickle
    (tmp_path / "model.pkl").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ValueError, match="never unpickles"):
        nnfast.models.load_model(tmp_path / "model.pkl")


@pytest.mark.parametrize("name", ["m.h5", "m.keras", "w.h5"])
@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 0.999])
def test_truncated_files(saved, tmp_path, name, fraction):
    data = (saved / name).read_bytes()
    path = tmp_path / ("cut_" + name)
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match="cut_"):
        if name == "w.h5":
            _model().load_weights(path)
        else:
            nnfast.models.load_model(path)


def test_corrupted_bytes_never_escape_as_other_errors(saved, tmp_path):
    """Flipped bytes in nnfast's files: a ValueError, or a load that equals the original
    (the metadata and weight checksums catch the rest); never another exception."""
    data = (saved / "m.h5").read_bytes()
    good = nnfast.models.load_model(saved / "m.h5")
    x = np.ones((2, 6), "float32")
    rng = np.random.default_rng(0)
    silent = 0
    for i in range(120):
        b = bytearray(data)
        for _ in range(int(rng.integers(1, 6))):
            b[int(rng.integers(0, len(b)))] ^= int(rng.integers(1, 256))
        path = tmp_path / "flip.h5"
        path.write_bytes(bytes(b))
        try:
            model = nnfast.models.load_model(path)
        except ValueError as e:
            assert "flip.h5" in str(e)
            continue
        silent += not np.array_equal(model.predict(x, verbose=0), good.predict(x, verbose=0))
    assert silent <= 3          # scalars (iteration, learning rate) have no checksum


def test_unknown_layer_class(saved, tmp_path):
    def rename(f):
        config = _config(f)
        config["config"]["layers"][1]["class_name"] = "FancyDense"
        f.attrs["model_config"] = json.dumps(config).encode()

    path = _edit(saved / "m.h5", tmp_path / "unknown.h5", rename)
    with pytest.raises(ValueError, match="unknown.h5.*Unknown layer: 'FancyDense'"):
        nnfast.models.load_model(path)

    class FancyDense(layers.Dense):
        pass

    model = nnfast.models.load_model(path, custom_objects={"FancyDense": FancyDense})
    assert type(model.get_layer("d1")) is FancyDense


def test_bad_configs(saved, tmp_path):
    def not_json(f):
        f.attrs["model_config"] = b"{not json"

    with pytest.raises(ValueError, match="model_config.*not valid JSON"):
        nnfast.models.load_model(_edit(saved / "m.h5", tmp_path / "a.h5", not_json))

    def bad_units(f):
        config = _config(f)
        config["config"]["layers"][1]["config"]["units"] = -3
        f.attrs["model_config"] = json.dumps(config).encode()

    with pytest.raises(ValueError, match="b.h5.*'d1'"):
        nnfast.models.load_model(_edit(saved / "m.h5", tmp_path / "b.h5", bad_units))


def test_missing_weight_and_wrong_shape(saved, tmp_path):
    def drop(f):
        del f["model_weights/d1/d1/bias"]

    path = _edit(saved / "m.h5", tmp_path / "drop.h5", drop)
    with pytest.raises(ValueError, match="drop.h5.*'bias' is missing"):
        nnfast.models.load_model(path)

    def reshape(f):
        del f["model_weights/d2/d2/kernel"]
        f["model_weights/d2/d2/kernel"] = np.zeros((8, 5), "float32")

    path = _edit(saved / "m.h5", tmp_path / "shape.h5", reshape)
    with pytest.raises(ValueError, match=r"shape.h5.*d2.*\(8, 2\).*\(8, 5\)"):
        nnfast.models.load_model(path)
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="shape mismatch"):
        model.load_weights(path)
    for a, b in zip(before, model.get_weights()):       # nothing was half-loaded
        np.testing.assert_array_equal(a, b)


def test_links_strings_and_bombs_are_refused(saved, tmp_path):
    def soft(f):
        del f["model_weights/d1/d1/bias"]
        f["model_weights/d1/d1/bias"] = h5py.SoftLink("/model_weights/d2/d2/bias")

    with pytest.raises(ValueError, match="SoftLink"):
        nnfast.models.load_model(_edit(saved / "m.h5", tmp_path / "soft.h5", soft))

    def external(f):
        del f["model_weights/d1/d1/bias"]
        f["model_weights/d1/d1/bias"] = h5py.ExternalLink("/etc/passwd", "/x")

    with pytest.raises(ValueError, match="ExternalLink"):
        nnfast.models.load_model(_edit(saved / "m.h5", tmp_path / "ext.h5", external))

    def text(f):
        del f["model_weights/d1/d1/bias"]
        f["model_weights/d1/d1/bias"] = np.array([b"abc"] * 8)

    with pytest.raises(ValueError, match="non-numeric"):
        nnfast.models.load_model(_edit(saved / "m.h5", tmp_path / "str.h5", text))

    def bomb(f):
        del f["model_weights/d1/d1/kernel"]
        f.create_dataset("model_weights/d1/d1/kernel", shape=(1 << 16, 1 << 15), dtype="float32",
                         chunks=(64, 64), compression="gzip")

    with pytest.raises(ValueError, match="stores almost none"):
        nnfast.models.load_model(_edit(saved / "m.h5", tmp_path / "bomb.h5", bomb))


def test_lambda_layers_need_safe_mode_off(saved, tmp_path):
    def add_lambda(f):
        config = _config(f)
        config["config"]["layers"].insert(1, {
            "class_name": "Lambda", "name": "l", "inbound_nodes": [[["inp", 0, 0, {}]]],
            "config": {"name": "l", "function": ["4wEAAAAAAAAA", None, None],
                       "function_type": "lambda"}})
        f.attrs["model_config"] = json.dumps(config).encode()

    path = _edit(saved / "m.h5", tmp_path / "lambda.h5", add_lambda)
    with pytest.raises(ValueError, match="lambda.h5.*Lambda.*safe_mode=False"):
        nnfast.models.load_model(path)
    # Keras 3's own spelling of a serialized lambda, anywhere in a config.
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": {
            "class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}}}]}}
    with pytest.raises(ValueError, match="Python lambda"):
        nnfast.models.model_from_json(json.dumps(config))


def test_bad_keras_archives(saved, tmp_path):
    def rewrite(name, members):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as z:
            for key, value in members.items():
                z.writestr(key, value)
        return path

    with zipfile.ZipFile(saved / "m.keras") as z:
        members = {n: z.read(n) for n in z.namelist()}
    no_weights = rewrite("nw.keras", {k: v for k, v in members.items() if "weights" not in k})
    with pytest.raises(ValueError, match="nw.keras.*model.weights.h5"):
        nnfast.models.load_model(no_weights)
    bad_json = rewrite("bj.keras", dict(members, **{"config.json": b"{]"}))
    with pytest.raises(ValueError, match="bj.keras.*config.json is not valid JSON"):
        nnfast.models.load_model(bad_json)
    bad_h5 = rewrite("bh.keras", dict(members, **{"model.weights.h5": b"garbage"}))
    with pytest.raises(ValueError, match="bh.keras.*not HDF5"):
        nnfast.models.load_model(bad_h5)


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model = _model()
    path = tmp_path / "ckpt.h5"
    model.save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(file_utils, "write_dataset", broken)
    for target in (path, tmp_path / "ckpt.keras"):
        with pytest.raises(OSError, match="disk full"):
            model.save(target)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(tmp_path / "ckpt.h5")
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.h5"]      # no temporary files left over
