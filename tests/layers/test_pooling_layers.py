"""Pooling layers: values against NumPy, shapes, masks, aliases and config."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers


def test_max_and_average_pooling_2d(rng):
    x = rng.normal(size=(2, 4, 6, 3)).astype("float32")
    want = x.reshape(2, 2, 2, 3, 2, 3).max(axis=(2, 4))
    np.testing.assert_allclose(layers.MaxPooling2D()(x), want)
    np.testing.assert_allclose(layers.AveragePooling2D()(x), x.reshape(2, 2, 2, 3, 2, 3).mean(axis=(2, 4)),
                               rtol=1e-6)
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool2D is layers.AveragePooling2D
    assert layers.MaxPooling2D(3, 2, "same").compute_output_shape((None, 7, 8, 3)) == (None, 4, 4, 3)


def test_pooling_1d_and_global(rng):
    x = rng.normal(size=(2, 6, 4)).astype("float32")
    np.testing.assert_allclose(layers.MaxPooling1D()(x), x.reshape(2, 3, 2, 4).max(2))
    np.testing.assert_allclose(layers.GlobalMaxPool1D()(x), x.max(1))
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(x), x.mean(1), rtol=1e-6)
    img = rng.normal(size=(2, 3, 5, 4)).astype("float32")
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(img), img.max((1, 2)))
    kept = layers.GlobalAvgPool2D(keepdims=True)(img)
    assert kept.shape == (2, 1, 1, 4)
    cf = layers.GlobalAveragePooling2D(data_format="channels_first")(img)
    np.testing.assert_allclose(cf, img.mean((2, 3)), rtol=1e-6)


def test_global_average_pooling_1d_honours_the_mask(rng):
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    out = layers.GlobalAveragePooling1D()(x, mask=mask)
    np.testing.assert_allclose(out[0], x[0, :2].mean(0), rtol=1e-6)
    np.testing.assert_allclose(out[1], x[1].mean(0), rtol=1e-6)
    ids = keras.Input((4,), dtype="int32")
    pooled = layers.GlobalAveragePooling1D()(layers.Embedding(9, 3, mask_zero=True)(ids))
    model = keras.Model(ids, pooled)
    emb = model.layers[1].embeddings.numpy()
    np.testing.assert_allclose(model.predict(np.array([[5, 2, 0, 0]]), verbose=0)[0],
                               emb[[5, 2]].mean(0), rtol=1e-6)


def test_pooling_config_round_trip_and_errors():
    layer = layers.MaxPooling2D(pool_size=3, strides=(1, 2), padding="same", name="p")
    clone = layers.deserialize(layers.serialize(layer))
    assert (clone.pool_size, clone.strides, clone.padding) == ((3, 3), (1, 2), "same")
    with pytest.raises(ValueError, match="expected ndim=4|ndim"):
        layers.MaxPooling2D()(np.zeros((2, 4, 4), "float32"))
    inp = keras.Input((2, 2, 1))
    with pytest.raises(ValueError, match="larger than the input"):
        layers.MaxPooling2D(3)(inp)


def test_cnn_with_pooling_trains(rng):
    x = rng.normal(size=(32, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean((1, 2, 3)) > x[:, 4:].mean((1, 2, 3))).astype("int64")
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Flatten(),
                              layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    hist = model.fit(x, y, epochs=15, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
