"""Keras programs as users write them (vision): the MNIST CNN on the bundled digits, a
small residual network, and a ResNet identity block written as a subclassed Model."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers


def _digits_28(n=600):
    """The bundled 8x8 digits, upscaled 3x and padded to MNIST's 28x28, in [0, 1]."""
    (x, y), _ = keras.datasets.digits.load_data(test_split=0.2)
    x = np.kron(x[:n].astype("float32") / 16.0, np.ones((3, 3), "float32"))
    x = np.pad(x, ((0, 0), (2, 2), (2, 2)))[..., None]
    return x, y[:n].astype("int64")


def test_mnist_cnn_trains_on_the_digits():
    x, y = _digits_28(480)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(5, 5), activation="relu"),
        layers.Conv2D(64, (5, 5), activation="relu"),
        layers.MaxPool2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.25),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    assert model.output_shape == (None, 10)
    model.compile(loss=keras.losses.categorical_crossentropy, optimizer=keras.optimizers.Adam(2e-3),
                  metrics=["accuracy"])
    y_cat = keras.utils.to_categorical(y, 10)
    hist = model.fit(x, y_cat, batch_size=32, epochs=2, verbose=0, validation_split=0.25)
    assert hist.history["accuracy"][-1] > 0.6
    assert hist.history["val_accuracy"][-1] > 0.6
    preds = model.predict(x[:5], verbose=0)
    np.testing.assert_allclose(preds.sum(1), 1, rtol=1e-5)


def test_small_residual_network_counts_its_parameters(rng):
    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.GlobalMaxPool2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs, name="toy_resnet")
    conv = lambda cin, cout: 3 * 3 * cin * cout + cout  # noqa: E731
    hand = conv(3, 32) + conv(32, 64) + 5 * conv(64, 64) + (64 * 256 + 256) + (256 * 10 + 10)
    assert model.count_params() == hand == 223_242
    assert block_1_output.shape == (None, 9, 9, 64)
    model.compile(optimizer="rmsprop",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["acc"])
    xs = rng.random((16, 32, 32, 3), dtype=np.float32)
    ys = rng.integers(0, 10, 16)
    hist = model.fit(xs, ys, batch_size=8, epochs=2, verbose=0)
    assert set(hist.history) == {"loss", "acc"}
    lines = []
    model.summary(print_fn=lines.append)
    pool_row = [line for line in lines if line.startswith(f" {model.layers[3].name} ")][0]
    assert "MaxPooling2D" in pool_row and f"{model.layers[2].name}[0][0]" in pool_row


class IdentityBlock(keras.Model):
    def __init__(self, kernel_size, filters):
        super().__init__(name="")
        filters1, filters2, filters3 = filters
        self.conv2a = layers.Conv2D(filters1, (1, 1))
        self.bn2a = layers.BatchNormalization()
        self.conv2b = layers.Conv2D(filters2, kernel_size, padding="same")
        self.bn2b = layers.BatchNormalization()
        self.conv2c = layers.Conv2D(filters3, (1, 1))
        self.bn2c = layers.BatchNormalization()

    def call(self, input_tensor, training=False):
        x = self.conv2a(input_tensor)
        x = self.bn2a(x, training=training)
        x = keras.ops.relu(x)
        x = self.conv2b(x)
        x = self.bn2b(x, training=training)
        x = keras.ops.relu(x)
        x = self.conv2c(x)
        x = self.bn2c(x, training=training)
        x += input_tensor
        return keras.ops.relu(x)


def test_resnet_identity_block_as_subclassed_model(rng):
    block = IdentityBlock(1, [1, 2, 3])
    x = rng.normal(size=(4, 2, 3, 3)).astype("float32")
    out = block(x)
    assert out.shape == (4, 2, 3, 3)
    assert len(block.layers) == 6 and len(block.variables) == 18
    inference = block(x, training=False)
    np.testing.assert_array_equal(out, inference)
    assert not np.allclose(block(x, training=True), inference)    # batch statistics
    block.compile("adam", "mse")
    before = block.bn2a.moving_mean.numpy().copy()
    block.fit(x, np.zeros_like(x), epochs=2, verbose=0)
    assert not np.allclose(block.bn2a.moving_mean.numpy(), before)
    assert np.all(block.predict(x, verbose=0) >= 0)
