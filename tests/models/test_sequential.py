"""Sequential: the ways Keras users build it, and what they read back from it."""
import numpy as np
import pytest

import nnfast
from nnfast import layers


def _mlp(**first_kwargs):
    return nnfast.Sequential([
        layers.Dense(8, activation="relu", **first_kwargs),
        layers.Dense(3, activation="softmax"),
    ])


@pytest.mark.parametrize("first_kwargs", [
    {"input_shape": (4,)}, {"input_dim": 4}, {"batch_input_shape": (None, 4)},
    {"input_shape": (4,), "batch_size": 16},
])
def test_input_spellings_build_the_model_immediately(first_kwargs):
    model = _mlp(**first_kwargs)
    assert model.built
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3
    assert model.input_shape[1:] == (4,)
    assert model.output_shape == (model.input_shape[0], 3)
    assert model.layers[0].output_shape[1:] == (8,)


def test_input_object_and_add_and_pop():
    model = nnfast.Sequential()
    model.add(nnfast.Input(shape=(4,)))
    model.add(layers.Dense(8))
    model.add(layers.Dense(2))
    assert [type(l).__name__ for l in model.layers] == ["Dense", "Dense"]
    popped = model.pop()
    assert popped.units == 2 and len(model.layers) == 1
    assert model.output_shape == (None, 8)


def test_deferred_build_from_first_data():
    model = _mlp()
    assert not model.built
    out = model.predict(np.ones((5, 4), dtype="float32"), verbose=0)
    assert out.shape == (5, 3) and model.built
    np.testing.assert_allclose(out.sum(1), 1, rtol=1e-5)
    with pytest.raises(ValueError, match="isn't built|not yet been built"):
        _mlp().count_params()


def test_get_layer_weights_and_errors():
    model = _mlp(input_shape=(4,))
    first = model.get_layer(index=0)
    assert model.get_layer(name=first.name) is first
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("missing")
    with pytest.raises(ValueError, match="index 5"):
        model.get_layer(index=5)
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(4, 8), (8,), (8, 3), (3,)]
    model.set_weights([np.zeros_like(w) for w in weights])
    np.testing.assert_allclose(model.predict(np.ones((1, 4)), verbose=0), [[1 / 3] * 3], rtol=1e-6)


def test_duplicate_layer_names_and_non_layers_are_refused():
    model = nnfast.Sequential([layers.Dense(2, name="a", input_shape=(3,))])
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="a"))
    with pytest.raises(TypeError, match="Only instances"):
        model.add("dense")


def test_incompatible_layer_shapes_fail_at_add_time():
    model = nnfast.Sequential([layers.Input(shape=(6,)), layers.Reshape((2, 3))])
    with pytest.raises(ValueError, match="must be unchanged"):
        model.add(layers.Reshape((4, 4)))


def test_summary_table_matches_keras_layout():
    nnfast.backend.clear_session()
    model = _mlp(input_shape=(4,))
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "sequential"'
    assert "Layer (type)" in lines[2] and "Output Shape" in lines[2] and "Param #" in lines[2]
    assert any(l.startswith(" dense (Dense)") and "(None, 8)" in l and "40" in l for l in lines)
    assert "Total params: 67 (268.00 B)" in text
    assert "Trainable params: 67" in text and "Non-trainable params: 0" in text


def test_model_call_returns_tensor_with_numpy():
    model = _mlp(input_shape=(4,))
    out = model(np.ones((2, 4), dtype="float32"))
    assert isinstance(out, nnfast.Tensor) and out.numpy().shape == (2, 3)


def test_wrong_input_shape_for_first_layer_is_refused_clearly():
    model = _mlp(input_shape=(4,))
    with pytest.raises(ValueError, match=r"sequential.*expected shape=\(None, 4\).*\(2, 5\)"):
        model.predict(np.ones((2, 5)), verbose=0)
    with pytest.raises(ValueError, match="incompatible"):
        model(np.ones((2, 4, 1), dtype="float32"))


def test_config_round_trip():
    model = _mlp(input_shape=(4,))
    clone = nnfast.Sequential.from_config(model.get_config())
    assert [l.get_config()["units"] for l in clone.layers] == [8, 3]
    assert clone.count_params() == model.count_params()


def test_functional_model_and_disconnected_graph():
    inp = nnfast.Input(shape=(3,), name="x")
    hidden = layers.Dense(4, activation="relu")(inp)
    out = layers.Dense(1)(hidden)
    model = nnfast.Model(inputs=inp, outputs=out)
    assert isinstance(model, nnfast.models.Functional)
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 1)
    other = nnfast.Input(shape=(3,), name="other")
    with pytest.raises(ValueError, match="Graph disconnected"):
        nnfast.Model(other, out)


def test_subclassed_model_tracks_layers_and_trains():
    class TwoLayer(nnfast.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(1)

        def call(self, x, training=False):
            return self.out(self.hidden(x))

    model = TwoLayer()
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    model.compile(nnfast.optimizers.Adam(0.01), "mse")
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert len(model.trainable_weights) == 4
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.5
