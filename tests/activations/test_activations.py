"""nnfast.activations: each function equals Keras 3's formula; get/serialize/deserialize;
the kernel kinds a fused Dense may use."""
import math

import numpy as np
import pytest
from scipy.special import erf

from gradcheck import check_vjp
from nnfast import activations
from nnfast.saving.serialization import register_keras_serializable

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


KERAS_FORMULAS = {
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
    "softplus": lambda x: np.log(np.exp(x) + 1),
    "softsign": lambda x: x / (np.abs(x) + 1),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))),         # exact by default
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.where(x <= -3, 0, np.where(x >= 3, 1, x / 6 + 0.5)),
    "hard_silu": lambda x: np.where(x < -3, 0, np.where(x > 3, x, x * (x + 3) / 6)),
    "hard_swish": lambda x: np.where(x < -3, 0, np.where(x > 3, x, x * (x + 3) / 6)),
    "linear": lambda x: x,
    "mish": lambda x: x * np.tanh(np.log(np.exp(x) + 1)),
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
    "crelu": lambda x: np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], axis=-1),
}


@pytest.mark.parametrize("name", sorted(KERAS_FORMULAS))
def test_activation_equals_keras_formula(kernel_backend, float64, rng, name):
    fn = activations.get(name)
    x = rng.uniform(-5, 7, size=(3, 4))
    x = np.where(np.abs(x) < 0.05, 0.3, x)
    x = np.where(np.abs(np.abs(x) - 3) < 0.05, 2.5, x)
    x = np.where(np.abs(x - 6) < 0.05, 5.5, x)
    np.testing.assert_allclose(fn(x), KERAS_FORMULAS[name](x), rtol=1e-10, atol=1e-12)
    check_vjp(fn, [x])


def test_relu_arguments_match_keras_examples(kernel_backend):
    x = np.array([-10, -5, 0.0, 5, 10], dtype="float32")
    np.testing.assert_allclose(activations.relu(x), [0, 0, 0, 5, 10])
    np.testing.assert_allclose(activations.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    np.testing.assert_allclose(activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_allclose(activations.relu(x, threshold=5.0), [0, 0, 0, 0, 10])
    np.testing.assert_allclose(activations.relu(x, max_value=6), [0, 0, 0, 5, 6])
    np.testing.assert_allclose(activations.relu(x, negative_slope=0.5, max_value=4.0, threshold=1.0),
                               [-5.5, -3, -0.5, 4, 4])


def test_relu_with_arguments_is_differentiable(float64, rng):
    x = rng.uniform(-4, 8, size=(2, 6))
    x = np.where(np.abs(x - 1.0) < 0.05, 1.3, x)
    x = np.where(np.abs(x - 5.0) < 0.05, 5.3, x)
    check_vjp(lambda v: activations.relu(v, negative_slope=0.3, max_value=5.0, threshold=1.0), [x])


def test_gelu_approximate_and_other_parameters(kernel_backend, float64, rng):
    x = rng.normal(size=(2, 3))
    c = math.sqrt(2 / math.pi)
    np.testing.assert_allclose(activations.gelu(x, approximate=True),
                               0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x ** 3))), rtol=1e-12)
    np.testing.assert_allclose(activations.elu(x, alpha=0.5), np.where(x > 0, x, 0.5 * np.expm1(x)))
    np.testing.assert_allclose(activations.leaky_relu(x, negative_slope=0.01),
                               np.where(x > 0, x, 0.01 * x))
    np.testing.assert_allclose(activations.softmax(x, axis=0), _softmax(x, axis=0), rtol=1e-12)


def test_softmax_and_sigmoid_keep_their_logits(kernel_backend):
    x = np.ones((1, 2), dtype="float32")
    assert activations.softmax(x)._keras_logits is x
    assert activations.sigmoid(x)._keras_logits is x


def test_get_resolves_names_callables_none_and_dicts():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(np.tanh) is np.tanh
    assert activations.get({"class_name": "function", "config": "tanh",
                            "module": "keras.activations", "registered_name": "function"}) \
        is activations.tanh
    with pytest.raises(ValueError, match="Unknown activation function: 'foo'"):
        activations.get("foo")
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        activations.get(42)


def test_serialize_deserialize_round_trip():
    for name in ("relu", "softmax", "gelu", "linear", "hard_sigmoid"):
        fn = activations.get(name)
        assert activations.serialize(fn) == name
        assert activations.deserialize(activations.serialize(fn)) is fn
    assert activations.serialize(activations.swish) == "silu"

    @register_keras_serializable(package="TestPkg")
    def cube(x):
        return x * x * x

    config = activations.serialize(cube)
    assert config == "TestPkg>cube"
    assert activations.deserialize(config) is cube
    assert activations.deserialize("my_act", custom_objects={"my_act": cube}) is cube


def test_kernel_kinds_and_fusable_kind():
    expected = {
        "relu": ("relu", 0.0), "leaky_relu": ("leaky_relu", 0.2), "elu": ("elu", 1.0),
        "selu": ("selu", 0.0), "sigmoid": ("sigmoid", 0.0), "hard_sigmoid": ("hard_sigmoid", 0.0),
        "tanh": ("tanh", 0.0), "softplus": ("softplus", 0.0), "softsign": ("softsign", 0.0),
        "exponential": ("exponential", 0.0), "gelu": ("gelu", 0.0), "silu": ("swish", 0.0),
        "swish": ("swish", 0.0), "linear": ("linear", 0.0), "softmax": ("softmax", 0.0),
        "log_softmax": ("log_softmax", 0.0),
    }
    for name, kind in expected.items():
        fn = activations.get(name)
        assert activations.fusable_kind(fn) == kind, name
        assert fn.kernel_kind == kind[0]
    for name in ("relu6", "hard_silu", "mish", "crelu"):
        assert activations.fusable_kind(activations.get(name)) is None
    assert activations.fusable_kind(lambda x: x) is None
    assert activations.fusable_kind(np.tanh) is None


def test_fused_kind_gives_the_same_values_as_the_function(kernel_backend, rng):
    """What Dense relies on: dense(kind) == activation(dense(linear))."""
    from nnfast import ops

    x = rng.normal(size=(4, 3)).astype("float32")
    w = rng.normal(size=(3, 5)).astype("float32")
    b = rng.normal(size=5).astype("float32")
    for name in ("relu", "leaky_relu", "elu", "gelu", "softmax", "hard_sigmoid", "silu"):
        fn = activations.get(name)
        kind, alpha = activations.fusable_kind(fn)
        np.testing.assert_allclose(ops.dense(x, w, b, activation=kind, alpha=alpha),
                                   fn(ops.dense(x, w, b)), rtol=1e-5, atol=1e-6)
