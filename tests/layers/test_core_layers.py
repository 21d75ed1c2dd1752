"""Dense, Activation, Input/InputLayer against NumPy formulas; weights and config."""
import numpy as np
import pytest

import nnfast
from nnfast import layers
from nnfast.autograd import GradientTape


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("activation,fn", [
    (None, lambda z: z),
    ("relu", lambda z: np.maximum(z, 0)),
    ("sigmoid", _sigmoid),
    ("tanh", np.tanh),
    ("softmax", lambda z: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)),
])
def test_dense_matches_numpy_formula(kernel_backend, activation, fn):
    x = np.random.default_rng(0).normal(size=(5, 7)).astype("float32")
    layer = layers.Dense(4, activation=activation)
    y = layer(x)
    w, b = layer.get_weights()
    assert w.shape == (7, 4) and b.shape == (4,)
    np.testing.assert_allclose(y, fn(x @ w + b), rtol=1e-5, atol=1e-6)


def test_dense_on_rank3_input_and_attributes():
    layer = layers.Dense(3, use_bias=False)
    x = np.ones((2, 5, 4), dtype="float32")
    y = layer(x)
    assert y.shape == (2, 5, 3)
    assert layer.bias is None and len(layer.weights) == 1
    assert layer.kernel is layer.trainable_variables[0]
    np.testing.assert_allclose(y, x @ layer.kernel.numpy(), rtol=1e-6)


def test_dense_gradients_match_formula(float64):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 3))
    layer = layers.Dense(2, activation="tanh")
    with GradientTape() as tape:
        y = layer(x)
        loss = (y * y).sum()
    gk, gb = tape.gradient(loss, [layer.kernel, layer.bias])
    w, b = layer.get_weights()
    yv = np.tanh(x @ w + b)
    dz = 2 * yv * (1 - yv ** 2)
    np.testing.assert_allclose(gk, x.T @ dz, rtol=1e-10)
    np.testing.assert_allclose(gb, dz.sum(0), rtol=1e-10)


def test_dense_with_custom_callable_activation():
    layer = layers.Dense(2, activation=lambda t: t * 2.0)
    x = np.ones((1, 3), dtype="float32")
    y = layer(x)
    w, b = layer.kernel.numpy(), layer.bias.numpy()
    np.testing.assert_allclose(y, (x @ w + b) * 2, rtol=1e-6)


def test_dense_rejects_bad_units_and_wrong_input_size():
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="units"):
        layers.Dense(2.5)
    layer = layers.Dense(2)
    layer(np.ones((1, 3), dtype="float32"))
    with pytest.raises(ValueError, match=r"dense.*expected axis -1 of input shape to have value 3"):
        layer(np.ones((1, 4), dtype="float32"))
    with pytest.raises(ValueError, match="min_ndim=2"):
        layers.Dense(2)(np.ones(3, dtype="float32"))


def test_unknown_layer_kwarg_is_a_type_error():
    with pytest.raises(TypeError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(2, foo=1)


def test_unknown_activation_name_is_a_value_error():
    with pytest.raises(ValueError, match="nope"):
        layers.Dense(2, activation="nope")


def test_activation_layer():
    x = np.array([[-1.0, 0.5]], dtype="float32")
    np.testing.assert_allclose(layers.Activation("relu")(x), [[0.0, 0.5]])


def test_set_weights_checks_shapes_and_count():
    layer = layers.Dense(2)
    layer.build((None, 3))
    with pytest.raises(ValueError, match="expects 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*\(2, 2\)"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])
    layer.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    np.testing.assert_allclose(layer(np.ones((1, 3), dtype="float32")), [[3.5, 3.5]])


def test_trainable_flag_moves_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert layer.count_params() == 8


def test_config_round_trip_and_serialize():
    layer = layers.Dense(3, activation="relu", name="d1", kernel_initializer="he_normal")
    config = layer.get_config()
    assert config["units"] == 3 and config["activation"] == "relu" and config["name"] == "d1"
    clone = layers.Dense.from_config(config)
    assert clone.units == 3 and clone.name == "d1"
    again = layers.deserialize(layers.serialize(layer))
    assert isinstance(again, layers.Dense) and again.get_config() == config


def test_input_and_input_layer():
    x = layers.Input(shape=(4,), name="features")
    assert x.shape == (None, 4)
    il = layers.InputLayer(batch_input_shape=(8, 3))
    assert il.batch_shape == (8, 3)
    with pytest.raises(ValueError, match="shape"):
        layers.Input()


def test_layer_default_names_are_unique_and_reset_by_clear_session():
    nnfast.backend.clear_session()
    a, b = layers.Dense(1), layers.Dense(1)
    assert (a.name, b.name) == ("dense", "dense_1")
    nnfast.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_add_weight_both_keras_orders_and_regularizer_losses():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight("a", (input_shape[-1],), initializer="ones",
                                     regularizer=nnfast.regularizers.l2(0.5))
            self.b = self.add_weight(shape=(1,), initializer="zeros", name="b")

        def call(self, x):
            return x * self.a + self.b

    layer = Scale()
    out = layer(np.full((2, 3), 2.0, dtype="float32"))
    np.testing.assert_allclose(out, np.full((2, 3), 2.0))
    assert [v.name for v in layer.weights] == ["a", "b"]
    (penalty,) = layer.losses
    np.testing.assert_allclose(float(penalty), 0.5 * 3)


def test_softmax_dense_trains_through_fused_logits_loss(float64):
    """Under a tape, Dense(softmax) keeps its logits; cross-entropy uses them and the
    gradient equals the softmax-CE formula (probs - onehot) on the logits."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))
    y = np.array([0, 2, 1, 1, 0])
    layer = layers.Dense(3, activation="softmax")
    layer.build((None, 3))
    calls = []
    original = nnfast.kernels.get("softmax_cross_entropy")
    nnfast.kernels.register("softmax_cross_entropy", numpy=lambda *a: calls.append(1) or original(*a))
    nnfast.kernels.set_backend("numpy")
    try:
        with GradientTape() as tape:
            probs = layer(x)
            loss = nnfast.losses.SparseCategoricalCrossentropy()(y, probs)
        (gk,) = tape.gradient(loss, [layer.kernel])
    finally:
        nnfast.kernels.register("softmax_cross_entropy", numpy=original)
    assert calls, "the fused softmax+CE kernel was not used"
    w, b = layer.get_weights()
    z = x @ w + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(float(loss), -np.log(p[np.arange(5), y]).mean(), rtol=1e-10)
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(gk, x.T @ (p - onehot) / 5, rtol=1e-8)
    np.testing.assert_allclose(probs, p, rtol=1e-10)


def test_keras3_config_extras_load_and_lora_is_refused():
    """Keras 3.15 writes dtype policies and quantization/LoRA keys into every config."""
    import nnfast

    config = {"name": "d", "units": 3, "activation": "relu", "quantization_config": None,
              "dtype": {"module": "keras", "class_name": "DTypePolicy",
                        "config": {"name": "float32"}, "registered_name": None}}
    layer = nnfast.layers.Dense.from_config(config)
    assert layer.dtype == "float32" and layer.units == 3
    with pytest.raises(ValueError, match="lora_rank.*not supported"):
        nnfast.layers.Dense(3, lora_rank=4)
