"""Functional models with several inputs and outputs: dicts keyed by name, per-output
losses/weights/metrics and their log keys, shared layers, a model used as a layer, and the
errors Keras users hit."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers


def _two_headed():
    a = keras.Input(shape=(6,), name="features")
    b = keras.Input(shape=(3,), name="extra")
    h = layers.Dense(16, activation="relu")(layers.concatenate([a, b]))
    score = layers.Dense(1, activation="sigmoid", name="score")(h)
    kind = layers.Dense(4, activation="softmax", name="kind")(h)
    return keras.Model(inputs=[a, b], outputs=[score, kind], name="two_headed")


def _data(rng, n=64):
    xa = rng.normal(size=(n, 6)).astype("float32")
    xb = rng.normal(size=(n, 3)).astype("float32")
    y1 = (xa[:, 0] > 0).astype("float32")[:, None]
    y2 = rng.integers(0, 4, size=n)
    return xa, xb, y1, y2


def test_dict_inputs_targets_losses_weights_and_log_keys(rng):
    model = _two_headed()
    assert model.input_names == ["features", "extra"] and model.output_names == ["score", "kind"]
    model.compile(optimizer="adam",
                  loss={"score": "binary_crossentropy", "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"score": 1.0, "kind": 0.2},
                  metrics={"score": ["accuracy"], "kind": ["accuracy"]})
    xa, xb, y1, y2 = _data(rng)
    hist = model.fit({"features": xa, "extra": xb}, {"score": y1, "kind": y2},
                     epochs=2, batch_size=16, verbose=0, validation_split=0.25)
    assert set(hist.history) == {
        "loss", "score_loss", "kind_loss", "score_accuracy", "kind_accuracy",
        "val_loss", "val_score_loss", "val_kind_loss", "val_score_accuracy", "val_kind_accuracy"}
    logs = model.evaluate({"features": xa, "extra": xb}, {"score": y1, "kind": y2},
                          verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], logs["score_loss"] + 0.2 * logs["kind_loss"],
                               rtol=1e-4)
    out_list = model.predict([xa, xb], verbose=0)
    out_dict = model.predict({"extra": xb, "features": xa}, verbose=0)
    for p, q in zip(out_list, out_dict):
        np.testing.assert_array_equal(p, q)
    assert out_list[0].shape == (64, 1) and out_list[1].shape == (64, 4)


def test_list_losses_and_targets(rng):
    model = _two_headed()
    model.compile("sgd", ["binary_crossentropy", "sparse_categorical_crossentropy"], [1.0, 0.5])
    xa, xb, y1, y2 = _data(rng)
    first = model.evaluate([xa, xb], [y1, y2], verbose=0)
    assert len(first) == 3
    np.testing.assert_allclose(first[0], first[1] + 0.5 * first[2], rtol=1e-4)


def test_shared_layer_and_model_as_layer(rng):
    encoder_in = keras.Input((5,))
    encoder = keras.Model(encoder_in, layers.Dense(3, name="code")(encoder_in), name="encoder")
    shared = layers.Dense(2, name="shared")
    left, right = keras.Input((5,), name="left"), keras.Input((5,), name="right")
    out = layers.subtract([shared(encoder(left)), shared(encoder(right))])
    siamese = keras.Model([left, right], out)
    assert len(siamese.trainable_weights) == 4          # each weight once
    x1, x2 = rng.normal(size=(4, 5)).astype("float32"), rng.normal(size=(4, 5)).astype("float32")
    want = encoder.predict(x1, verbose=0) @ shared.kernel.numpy() - \
        encoder.predict(x2, verbose=0) @ shared.kernel.numpy()
    np.testing.assert_allclose(siamese.predict([x1, x2], verbose=0), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(siamese.predict([x1, x1], verbose=0), 0, atol=1e-6)
    lines = []
    siamese.summary(print_fn=lines.append)
    shared_row = [line for line in lines if line.startswith(" shared")][0]
    assert "encoder[0][0]" in shared_row and "encoder[1][0]" in shared_row
    siamese.compile("adam", "mse")
    siamese.fit([x1, x2], np.ones((4, 2)), verbose=0)


def test_bad_functional_inputs_are_clear_errors(rng):
    a = keras.Input((4,), name="a")
    stray = keras.Input((4,), name="stray")
    with pytest.raises(ValueError, match=r"Graph disconnected.*'stray'.*\['a'\]"):
        keras.Model(a, layers.add([a, stray]))
    with pytest.raises(ValueError, match="The name 'same' is used 2 times"):
        keras.Model(a, layers.Dense(2, name="same")(layers.Dense(2, name="same")(a)))
    model = _two_headed()
    with pytest.raises(ValueError, match=r"\['bogus'\] name no input"):
        model.predict({"features": np.zeros((1, 6)), "extra": np.zeros((1, 3)),
                       "bogus": np.zeros((1, 1))}, verbose=0)
    with pytest.raises(ValueError, match=r"Input 0 of layer 'two_headed'.*expected.*6.*found.*5|"
                                         r"two_headed.*6.*5"):
        model.predict([np.zeros((1, 5)), np.zeros((1, 3))], verbose=0)
    dense = layers.Dense(3, name="d3")
    dense(np.zeros((1, 4), "float32"))
    with pytest.raises(ValueError, match=r"d3.*4.*7|d3.*7.*4"):
        dense(np.zeros((1, 7), "float32"))
    model.compile("sgd", {"score": "mse", "kind": "mse"})
    with pytest.raises(ValueError, match="name no output"):
        model.fit([np.zeros((2, 6)), np.zeros((2, 3))], {"scor": np.zeros((2, 1))}, verbose=0)
