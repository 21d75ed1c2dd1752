"""The fused ops: `dense` (GEMM + bias + activation, one tape entry, no dX for an
unwatched input) and `softmax_cross_entropy_with_logits`."""
import math

import numpy as np
import pytest
from scipy.special import erf

import nnfast
from gradcheck import check_vjp
from nnfast import ops
from nnfast.autograd import GradientTape, Variable
from nnfast.ops.nn import ACTIVATION_KINDS

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _act(kind, z, alpha):
    c = math.sqrt(2 / math.pi)
    return {
        "linear": lambda: z,
        "relu": lambda: np.maximum(z, 0),
        "leaky_relu": lambda: np.where(z >= 0, z, alpha * z),
        "elu": lambda: np.where(z > 0, z, alpha * (np.exp(z) - 1)),
        "selu": lambda: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * (np.exp(z) - 1)),
        "sigmoid": lambda: _sigmoid(z),
        "hard_sigmoid": lambda: np.clip(z / 6 + 0.5, 0, 1),
        "tanh": lambda: np.tanh(z),
        "softplus": lambda: np.log1p(np.exp(z)),
        "softsign": lambda: z / (1 + np.abs(z)),
        "exponential": lambda: np.exp(z),
        "gelu": lambda: 0.5 * z * (1 + erf(z / math.sqrt(2))),
        "gelu_approx": lambda: 0.5 * z * (1 + np.tanh(c * (z + 0.044715 * z ** 3))),
        "swish": lambda: z * _sigmoid(z),
        "softmax": lambda: _softmax(z),
        "log_softmax": lambda: np.log(_softmax(z)),
    }[kind]()


ALPHA = {"leaky_relu": 0.1, "elu": 0.7}


def _inputs(rng, x_shape, units=3):
    x = rng.normal(size=x_shape)
    w = rng.normal(size=(x_shape[-1], units)) * 0.5
    b = rng.normal(size=(units,)) * 0.5
    return x, w, b


def _nudge(x, w, b):
    """Keep pre-activations away from kinks (0 for relu, +-3 for hard_sigmoid)."""
    z = x @ w + b
    for k in (0.0, 3.0, -3.0):
        near = np.abs(z - k) < 0.05
        if near.any():
            b = b + 0.2
            z = x @ w + b
    return b


@pytest.mark.parametrize("kind", ACTIVATION_KINDS)
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_every_activation_forward_and_vjp(kernel_backend, float64, rng, kind, use_bias):
    x, w, b = _inputs(rng, (4, 5))
    b = _nudge(x, w, b)
    alpha = ALPHA.get(kind, 0.0)
    if use_bias:
        y = ops.dense(x, w, b, activation=kind, alpha=alpha)
        expected = _act(kind, x @ w + b, alpha)
        check_vjp(lambda *a: ops.dense(*a, activation=kind, alpha=alpha), [x, w, b])
    else:
        y = ops.dense(x, w, activation=kind, alpha=alpha)
        expected = _act(kind, x @ w, alpha)
        check_vjp(lambda *a: ops.dense(*a, activation=kind, alpha=alpha), [x, w])
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["linear", "relu", "softmax"])
def test_dense_rank3_input(kernel_backend, float64, rng, kind):
    x, w, b = _inputs(rng, (2, 3, 4))
    b = _nudge(x, w, b)
    y = ops.dense(x, w, b, activation=kind)
    assert y.shape == (2, 3, 3)
    np.testing.assert_allclose(y, _act(kind, x @ w + b, 0.0), rtol=1e-10, atol=1e-12)
    check_vjp(lambda *a: ops.dense(*a, activation=kind), [x, w, b])


def test_dense_float32_variables_one_tape_entry(kernel_backend, rng):
    x = rng.normal(size=(6, 4)).astype("float32")
    w = Variable(rng.normal(size=(4, 2)).astype("float32"))
    b = Variable(np.zeros(2, "float32"))
    with GradientTape() as tape:
        y = ops.dense(x, w, b, activation="tanh")
        nodes = len(tape._nodes)
    assert nodes == 1 and y.dtype == np.float32
    gw, gb = tape.gradient(y, [w, b])
    dz = 1 - np.tanh(x @ w.numpy() + b.numpy()) ** 2
    np.testing.assert_allclose(gw, x.T @ dz, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gb, dz.sum(0), rtol=1e-4, atol=1e-5)
    assert gw.dtype == np.float32


def test_dense_skips_the_input_gradient_when_the_input_is_not_watched(rng):
    nnfast.kernels.set_backend("numpy")
    calls = []
    with nnfast.kernels.using("numpy"):
        gemm = nnfast.kernels.get("gemm")

    def counting_gemm(a, b, trans_a=False, trans_b=False, **kwargs):
        calls.append((trans_a, trans_b))
        return gemm(a, b, trans_a=trans_a, trans_b=trans_b, **kwargs)

    nnfast.kernels.register("gemm", numpy=counting_gemm)
    try:
        x = rng.normal(size=(5, 3)).astype("float32")
        w = Variable(rng.normal(size=(3, 2)).astype("float32"))
        with GradientTape() as tape:
            y = ops.dense(x, w, activation="relu")
        tape.gradient(y, w)
        assert calls == [(False, False), (True, False)]          # forward, dW; no dX
        calls.clear()
        xt = ops.convert_to_tensor(x)
        with GradientTape() as tape:
            tape.watch(xt)
            y = ops.dense(xt, w, activation="relu")
        tape.gradient(y, [xt, w])
        assert sorted(calls) == [(False, False), (False, True), (True, False)]
    finally:
        nnfast.kernels.register("gemm", numpy=gemm)


def test_dense_mixed_and_integer_dtypes(kernel_backend):
    x = np.arange(6).reshape(2, 3)                                # int64 input
    w = np.ones((3, 2), dtype="float32")
    y = ops.dense(x, w, np.zeros(2))                              # float64 bias
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, x @ w)
    y = ops.dense(x.astype("float64"), np.ones((3, 2), dtype="int32"))
    np.testing.assert_allclose(y, x @ np.ones((3, 2)))
    assert ops.dense(x, w.T.copy().T).shape == (2, 2)             # non-contiguous kernel


def test_dense_shape_errors():
    with pytest.raises(ValueError, match=r"dense.*x.shape=\(2, 3\).*kernel.shape=\(4, 2\)"):
        ops.dense(np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"dense.*bias.*\(2,\).*\(3,\)"):
        ops.dense(np.ones((2, 4)), np.ones((4, 2)), np.ones(3))


def _sce_reference(labels, logits, sparse):
    logp = np.log(_softmax(logits))
    if sparse:
        return -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]
    return -(labels * logp).sum(-1)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_softmax_cross_entropy_with_logits(kernel_backend, float64, rng, sparse, shape):
    logits = rng.normal(size=shape) * 2
    if sparse:
        labels = rng.integers(0, shape[-1], size=shape[:-1])
    else:
        labels = _softmax(rng.normal(size=shape))
    loss = ops.softmax_cross_entropy_with_logits(labels, logits, sparse=sparse)
    assert loss.shape == shape[:-1]
    np.testing.assert_allclose(loss, _sce_reference(labels, logits, sparse), rtol=1e-10)
    check_vjp(lambda lg: ops.softmax_cross_entropy_with_logits(labels, lg, sparse=sparse), [logits])


def test_softmax_cross_entropy_accepts_trailing_one_and_checks_labels(kernel_backend):
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]], dtype="float32")
    a = ops.softmax_cross_entropy_with_logits(np.array([[0], [2]]), logits, sparse=True)
    b = ops.softmax_cross_entropy_with_logits(np.array([0, 2]), logits, sparse=True)
    np.testing.assert_allclose(a, b)
    assert a.dtype == np.float32
    with pytest.raises(ValueError, match=r"softmax_cross_entropy_with_logits.*\[0, 3\)"):
        ops.softmax_cross_entropy_with_logits(np.array([0, 3]), logits, sparse=True)
    with pytest.raises(ValueError, match=r"same shape.*\(2, 2\).*\(2, 3\)"):
        ops.softmax_cross_entropy_with_logits(np.ones((2, 2)), logits)


@pytest.mark.parametrize("from_logits", [False, True])
def test_keras_ops_crossentropies(kernel_backend, float64, rng, from_logits):
    logits = rng.normal(size=(4, 3))
    probs = _softmax(logits)
    labels = rng.integers(0, 3, size=4)
    onehot = np.eye(3)[labels]
    out = logits if from_logits else probs
    expected = -np.log(probs[np.arange(4), labels])
    np.testing.assert_allclose(ops.categorical_crossentropy(onehot, out, from_logits=from_logits),
                               expected, rtol=1e-6)
    np.testing.assert_allclose(
        ops.sparse_categorical_crossentropy(labels, out, from_logits=from_logits), expected, rtol=1e-6)
    t = rng.uniform(0, 1, size=(4, 3))
    z = rng.normal(size=(4, 3))
    p = 1 / (1 + np.exp(-z))
    bce = ops.binary_crossentropy(t, z if from_logits else p, from_logits=from_logits)
    np.testing.assert_allclose(bce, -(t * np.log(p) + (1 - t) * np.log(1 - p)), rtol=1e-6)
    check_vjp(lambda v: ops.binary_crossentropy(t, v, from_logits=from_logits),
              [z if from_logits else p])
    with pytest.raises(ValueError, match=r"binary_crossentropy.*\(4, 3\).*\(4, 2\)"):
        ops.binary_crossentropy(t, p[:, :2])
