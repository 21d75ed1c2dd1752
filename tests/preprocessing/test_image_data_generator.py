"""ImageDataGenerator: each transform against its NumPy formula, and `flow` feeding fit."""
import numpy as np
import pytest

import nnfast as keras
from nnfast.preprocessing.image import ImageDataGenerator

IDENTITY = {"theta": 0.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0,
            "flip_horizontal": False, "flip_vertical": False,
            "channel_shift_intensity": None, "brightness": None}


@pytest.fixture
def img(rng):
    return rng.random((6, 6, 2)).astype("float32")


def test_geometric_transforms_match_numpy(img):
    gen = ImageDataGenerator()
    np.testing.assert_array_equal(gen.apply_transform(img, IDENTITY), img)
    flipped = gen.apply_transform(img, {**IDENTITY, "flip_horizontal": True, "flip_vertical": True})
    np.testing.assert_array_equal(flipped, img[::-1, ::-1])
    rotated = gen.apply_transform(img, {**IDENTITY, "theta": 90.0})
    # theta rotates the sampling grid (the inverse map), as Keras: the image turns clockwise
    np.testing.assert_allclose(rotated, np.rot90(img, k=-1, axes=(0, 1)), atol=1e-5)
    shifted = ImageDataGenerator(fill_mode="constant", cval=0.0).apply_transform(
        img, {**IDENTITY, "tx": 2.0})
    np.testing.assert_allclose(shifted[:4], img[2:], atol=1e-6)
    np.testing.assert_array_equal(shifted[4:], 0.0)


def test_random_transform_respects_the_ranges(img):
    gen = ImageDataGenerator(rotation_range=30, width_shift_range=0.1, zoom_range=0.2,
                             horizontal_flip=True)
    params = [gen.get_random_transform(img.shape, seed=s) for s in range(200)]
    assert all(abs(p["theta"]) <= 30 for p in params)
    assert all(abs(p["ty"]) <= 0.6 + 1e-9 for p in params)        # 10% of 6 pixels
    assert all(0.8 <= p["zx"] <= 1.2 for p in params)
    flips = sum(p["flip_horizontal"] for p in params)
    assert 60 < flips < 140


def test_standardize_rescale_and_featurewise(rng):
    x = rng.random((20, 4, 4, 3)).astype("float32") * 255
    gen = ImageDataGenerator(rescale=1 / 255.0, featurewise_center=True,
                             featurewise_std_normalization=True)
    with pytest.raises(ValueError, match="wasn't fit"):
        gen.standardize(x[0])
    gen.fit(x / 255.0)
    out = np.stack([gen.standardize(i) for i in x])
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)


def test_flow_feeds_fit_and_validation_subset(rng):
    x = rng.random((40, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 2, size=40)
    gen = ImageDataGenerator(rotation_range=10, horizontal_flip=True, validation_split=0.25)
    train = gen.flow(x, y, batch_size=8, subset="training", seed=0)
    val = gen.flow(x, y, batch_size=8, subset="validation", seed=0)
    assert len(train) == 4 and len(val) == 2       # 30 and 10 samples in batches of 8
    xb, yb = train[0]
    assert xb.shape == (8, 8, 8, 1) and yb.shape == (8,)
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert len(hist.history["val_loss"]) == 2


def test_bad_arguments():
    with pytest.raises(ValueError, match="fill_mode"):
        ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="same length"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4, 1)), np.zeros(2))
