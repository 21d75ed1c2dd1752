"""Keras programs as users write them (dense families): wide & deep regression, a custom
Dense-like layer serialised and restored, a subclassed model with nested layers."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers, ops


def test_wide_and_deep_regression_learns(rng):
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x[:, :1] * 2.0 + np.sin(x[:, 1:2]) + 0.5).astype("float32")
    inp = keras.Input(shape=x.shape[1:])
    hidden1 = layers.Dense(30, activation="relu")(inp)
    hidden2 = layers.Dense(30, activation="relu")(hidden1)
    concat = layers.concatenate([inp, hidden2])
    output = layers.Dense(1)(concat)
    model = keras.Model(inputs=[inp], outputs=[output])
    assert model.count_params() == (8 * 30 + 30) + (30 * 30 + 30) + (38 + 1)
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-2))
    history = model.fit(x, y, epochs=20, validation_split=0.2, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0) < 0.1


@keras.saving.register_keras_serializable(package="tests")
class MyDense(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True, name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True,
                                 name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_layer_trains_and_round_trips_with_its_config(rng):
    model = keras.Sequential([keras.Input((5,)), MyDense(4, name="mine"), layers.Dense(1)])
    model.compile("adam", "mse")
    x = rng.normal(size=(64, 5)).astype("float32")
    y = x.sum(1, keepdims=True)
    before = model.get_layer("mine").w.numpy().copy()
    model.fit(x, y, epochs=2, verbose=0)
    assert not np.allclose(before, model.get_layer("mine").w.numpy())

    config = keras.layers.serialize(model.get_layer("mine"))
    assert config["config"]["units"] == 4
    restored = keras.layers.deserialize(config)
    assert isinstance(restored, MyDense) and restored.units == 4
    restored.build((None, 5))
    restored.set_weights(model.get_layer("mine").get_weights())
    np.testing.assert_allclose(restored(x), model.get_layer("mine")(x), rtol=1e-6)

    clone = keras.Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)

    # Without registration it must be named in custom_objects.
    class Unregistered(MyDense):
        pass

    cfg = {"class_name": "Unregistered", "config": {"units": 2, "name": "u"}}
    with pytest.raises(ValueError, match="Unknown layer: 'Unregistered'"):
        keras.layers.deserialize(cfg)
    assert keras.layers.deserialize(cfg, custom_objects={"Unregistered": Unregistered}).units == 2


class Blocks(keras.Model):
    def __init__(self):
        super().__init__()
        self.stack = [layers.Dense(8, activation="relu"), layers.Dense(8, activation="relu")]
        self.heads = {"out": layers.Dense(1)}
        self.drop = layers.Dropout(0.5)
        self.norm = layers.BatchNormalization()

    def call(self, inputs, training=False):
        h = inputs
        for layer in self.stack:
            h = layer(h)
        h = self.norm(self.drop(h, training=training), training=training)
        return self.heads["out"](h)


def test_subclassed_model_tracks_nested_layers_and_honours_training(rng):
    model = Blocks()
    x = rng.normal(size=(32, 3)).astype("float32")
    out1 = model(x)        # built on first call
    assert len(model.trainable_weights) == 2 * 3 + 2   # 3 Dense (k, b), BN (gamma, beta)
    assert len(model.non_trainable_weights) == 2            # BN moving stats
    np.testing.assert_array_equal(model(x, training=False), out1)
    assert not np.allclose(model(x, training=True), out1)   # dropout + batch statistics
    model.compile("adam", "mse")
    hist = model.fit(x, x.sum(1, keepdims=True), epochs=3, verbose=0)
    assert len(hist.history["loss"]) == 3
    lines = []
    model.summary(print_fn=lines.append)
    assert any("batch_normalization" in line for line in lines)
