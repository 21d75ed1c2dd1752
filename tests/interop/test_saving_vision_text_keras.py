"""Model files of vision and text models both ways between Keras 3 and nnfast: a CNN
(Conv2D, MaxPooling2D, GlobalAveragePooling2D) and a masked text model (Embedding with
mask_zero, Bidirectional LSTM, GRU), whose Keras config records the mask as a `NotEqual`
op node. Skipped without Keras; `make test-interop` installs it."""
import os

import numpy as np
import pytest

import nnfast

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def _cnn(keras):
    layers = keras.layers
    model = keras.Sequential([keras.Input((12, 12, 1)), layers.Conv2D(4, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Conv2D(3, 3, padding="same"),
                              layers.GlobalAveragePooling2D(), layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model, np.random.default_rng(0).random((3, 12, 12, 1)).astype("float32")


def _text(keras):
    layers = keras.layers
    ids = keras.Input((7,))
    h = layers.Embedding(50, 8, mask_zero=True)(ids)
    h = layers.Bidirectional(layers.LSTM(5, return_sequences=True))(h)
    model = keras.Model(ids, layers.Dense(1)(layers.GRU(4)(h)))
    model.compile("rmsprop", "mse")
    data = np.random.default_rng(1).integers(1, 50, (3, 7))
    data[:, -2:] = 0                                       # padded steps: the mask matters
    return model, data


@pytest.mark.parametrize("build", [_cnn, _text], ids=["cnn", "text"])
@pytest.mark.parametrize("ext", ["h5", "keras"])
def test_keras_file_loads_into_nnfast_and_back(keras, tmp_path, build, ext):
    model, data = build(keras)
    want = model.predict(data, verbose=0)
    path = str(tmp_path / f"k.{ext}")
    model.save(path)
    ours = nnfast.models.load_model(path)
    np.testing.assert_allclose(ours.predict(data, verbose=0), want, rtol=1e-5, atol=1e-6)
    if build is _text and ext == "h5":
        return     # Keras 3.15 cannot read .h5 files with op nodes, not even its own
    back_path = str(tmp_path / f"n.{ext}")
    ours.save(back_path)
    back = keras.models.load_model(back_path)
    np.testing.assert_allclose(back.predict(data, verbose=0), want, rtol=1e-5, atol=1e-6)
