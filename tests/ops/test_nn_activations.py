"""Activation ops (nnfast.ops.nn) on every kernel backend: forward equals the formula,
VJP equals finite differences, softmax/log_softmax over any axis."""
import math

import numpy as np
import pytest
from scipy.special import erf

from gradcheck import check_vjp
from nnfast import kernels, ops
from nnfast.autograd import GradientTape

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


FORMULAS = {
    "relu": (ops.relu, lambda x: np.maximum(x, 0)),
    "relu6": (ops.relu6, lambda x: np.clip(x, 0, 6)),
    "leaky_relu": (ops.leaky_relu, lambda x: np.where(x >= 0, x, 0.2 * x)),
    "leaky_relu_0.05": (lambda x: ops.leaky_relu(x, negative_slope=0.05),
                        lambda x: np.where(x >= 0, x, 0.05 * x)),
    "leaky_relu_negative": (lambda x: ops.leaky_relu(x, negative_slope=-0.3),
                            lambda x: np.where(x >= 0, x, -0.3 * x)),
    "elu": (ops.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    "elu_negative": (lambda x: ops.elu(x, alpha=-0.5),
                     lambda x: np.where(x > 0, x, -0.5 * (np.exp(x) - 1))),
    "elu_0.5": (lambda x: ops.elu(x, alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    "selu": (ops.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1))),
    "sigmoid": (ops.sigmoid, _sigmoid),
    "hard_sigmoid": (ops.hard_sigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    "hard_silu": (ops.hard_silu, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "tanh": (ops.tanh, np.tanh),
    "softplus": (ops.softplus, lambda x: np.log1p(np.exp(x))),
    "softsign": (ops.softsign, lambda x: x / (1 + np.abs(x))),
    "silu": (ops.silu, lambda x: x * _sigmoid(x)),
    "swish": (ops.swish, lambda x: x * _sigmoid(x)),
    "gelu_approx": (ops.gelu, lambda x: 0.5 * x * (1 + np.tanh(
        math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    "gelu_exact": (lambda x: ops.gelu(x, approximate=False),
                   lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2)))),
    "exponential": (ops.exponential, np.exp),
    "log_sigmoid": (ops.log_sigmoid, lambda x: np.log(_sigmoid(x))),
    "mish": (ops.mish, lambda x: x * np.tanh(np.log1p(np.exp(x)))),
}


def _away_from_kinks(x):
    # relu/leaky at 0, relu6 at 0 and 6, hard_sigmoid/hard_silu at +-3
    for k in (0.0, 6.0, 3.0, -3.0):
        x = np.where(np.abs(x - k) < 0.05, x + 0.2, x)
    return x


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_activation_forward_and_vjp(kernel_backend, float64, rng, name):
    op, ref = FORMULAS[name]
    x = _away_from_kinks(rng.uniform(-4, 7, size=(3, 5)))
    np.testing.assert_allclose(op(x), ref(x), rtol=1e-10, atol=1e-12)
    check_vjp(op, [x])
    check_vjp(op, [x[0, :3]])                   # 1-D input
    check_vjp(op, [x.reshape(3, 1, 5)])         # 3-D input


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "gelu_approx", "softplus"])
def test_activation_float32_keeps_dtype(kernel_backend, rng, name):
    op, ref = FORMULAS[name]
    x = rng.normal(size=(4, 3)).astype("float32")
    y = op(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    t = ops.convert_to_tensor(x)
    with GradientTape() as tape:
        tape.watch(t)
        out = op(t)
    assert tape.gradient(out, t).dtype == np.float32


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [-1, 0, 1, (0, 2)])
def test_softmax_and_log_softmax_any_axis(kernel_backend, float64, rng, axis):
    x = rng.normal(size=(2, 3, 4)) * 2
    np.testing.assert_allclose(ops.softmax(x, axis=axis), _softmax(x, axis), rtol=1e-12)
    np.testing.assert_allclose(ops.log_softmax(x, axis=axis), np.log(_softmax(x, axis)),
                               rtol=1e-10, atol=1e-12)
    check_vjp(lambda v: ops.softmax(v, axis=axis), [x])
    check_vjp(lambda v: ops.log_softmax(v, axis=axis), [x])


def test_softmax_of_large_logits_is_finite(kernel_backend):
    y = ops.softmax(np.array([[1000.0, 0.0, -1000.0]], dtype="float32"))
    np.testing.assert_allclose(y, [[1.0, 0.0, 0.0]], atol=1e-7)
    with pytest.raises(ValueError, match="softmax.*rank"):
        ops.softmax(np.float32(1.0))


def test_last_axis_softmax_runs_the_registry_kernels(monkeypatch):
    seen = []
    forward = kernels.get("activation_forward")

    def spy(kind, x, alpha=0.0, out=None):
        seen.append(kind)
        return forward(kind, x, alpha=alpha)

    monkeypatch.setattr(kernels, "get", lambda name: spy if name == "activation_forward"
                        else kernels.registry.get(name))
    ops.softmax(np.ones((2, 3)))
    ops.relu(np.ones(3))
    ops.log_softmax(np.ones((2, 3)))
    assert seen == ["softmax", "relu", "log_softmax"]


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="activation.*'cube'"):
        ops.nn.activation(np.ones(2), "cube")


def test_one_hot_and_multi_hot():
    out = ops.one_hot(np.array([0, 2, -1]), 3)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(ops.one_hot(np.array([[1], [0]]), 2, axis=1)[:, :, 0],
                                  [[0, 1], [1, 0]])
    np.testing.assert_array_equal(ops.multi_hot(np.array([[0, 2], [1, 1]]), 3),
                                  [[1, 0, 1], [0, 1, 0]])
    with pytest.raises(TypeError, match="one_hot.*integers"):
        ops.one_hot(np.array([0.5]), 2)


def test_float16_and_integer_inputs(kernel_backend):
    y = ops.relu(np.array([-1.0, 2.0], dtype="float16"))
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, [0.0, 2.0])
    s = ops.softmax(np.array([[1, 1]], dtype="int32"))
    assert s.dtype == np.float32
    np.testing.assert_allclose(s, [[0.5, 0.5]])


def test_scalar_and_empty_inputs_keep_their_shape(kernel_backend, float64):
    assert ops.relu(np.float64(-2.0)).shape == ()
    check_vjp(ops.tanh, [np.array(0.3)])
    assert ops.sigmoid(np.ones((0, 3))).shape == (0, 3)
    assert ops.softmax(np.ones((2, 0, 4))).shape == (2, 0, 4)
