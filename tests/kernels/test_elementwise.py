"""Compiled elementwise kernels equal their NumPy twins; the twins' backward equals finite
differences of their forward."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels.numpy_ref import elementwise as ref

from .conftest import require_compiled

KINDS = ref.KINDS
ALPHA = {"leaky_relu": 0.3, "elu": 0.7}


def _compiled():
    require_compiled()
    from nnfast.kernels import compiled

    return compiled


def _close(got, want, dtype):
    if dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


shapes = st.tuples(st.integers(1, 40), st.integers(1, 33))


@settings(max_examples=25, deadline=None)
@given(shape=shapes, dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 999))
@pytest.mark.parametrize("kind", KINDS)
def test_activation_forward_and_backward_equal_twin(kind, shape, dtype, seed):
    compiled = _compiled()
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=shape) * 4).astype(dtype)
    dy = rng.normal(size=shape).astype(dtype)
    alpha = ALPHA.get(kind, 0.0)
    y_ref = ref.activation_forward(kind, x, alpha)
    _close(compiled.activation_forward(kind, x, alpha), y_ref, dtype)
    xin = x if ref.needs_input(kind) else None
    _close(compiled.activation_backward(kind, dy, xin, y_ref, alpha),
           ref.activation_backward(kind, dy, xin, y_ref, alpha), dtype)


@pytest.mark.parametrize("kind", KINDS)
def test_large_arrays_in_parallel_equal_twin(kind, threads):
    compiled = _compiled()
    rng = np.random.default_rng(5)
    x = (rng.normal(size=(300, 257)) * 3).astype(np.float32)    # above the threading cut-off
    dy = rng.normal(size=x.shape).astype(np.float32)
    alpha = ALPHA.get(kind, 0.0)
    y = ref.activation_forward(kind, x, alpha)
    _close(compiled.activation_forward(kind, x, alpha), y, np.float32)
    xin = x if ref.needs_input(kind) else None
    _close(compiled.activation_backward(kind, dy, xin, y, alpha),
           ref.activation_backward(kind, dy, xin, y, alpha), np.float32)


def test_extreme_values_stay_finite():
    compiled = _compiled()
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=np.float32)
    for kind in ("sigmoid", "softplus", "tanh", "softsign", "swish", "softmax", "log_softmax"):
        got = compiled.activation_forward(kind, x)
        assert np.all(np.isfinite(got)), kind
        _close(got, ref.activation_forward(kind, x), np.float32)


@pytest.mark.parametrize("kind", KINDS)
def test_twin_backward_equals_finite_differences(kind):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5)) * 2
    x[np.abs(x) < 1e-3] = 0.5            # keep away from kinks
    if kind == "hard_sigmoid":
        x[np.abs(np.abs(x) - 3) < 1e-3] = 1.0
    dy = rng.normal(size=x.shape)
    alpha = ALPHA.get(kind, 0.0)
    y = ref.activation_forward(kind, x, alpha)
    got = ref.activation_backward(kind, dy, x if ref.needs_input(kind) else None, y, alpha)
    num = np.zeros_like(x)
    eps = 1e-6
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        num[idx] = ((ref.activation_forward(kind, xp, alpha) - ref.activation_forward(kind, xm, alpha)) * dy).sum() / (2 * eps)
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, dtype=st.sampled_from([np.float32, np.float64]),
       kind=st.sampled_from(KINDS), with_bias=st.booleans(), seed=st.integers(0, 999))
def test_bias_activation_forward_equals_twin(shape, dtype, kind, with_bias, seed):
    compiled = _compiled()
    rng = np.random.default_rng(seed)
    z = rng.normal(size=shape).astype(dtype)
    bias = rng.normal(size=shape[1]).astype(dtype) if with_bias else None
    alpha = ALPHA.get(kind, 0.0)
    y_ref, pre_ref = ref.bias_activation_forward(kind, z.copy(), bias, alpha)
    y, pre = compiled.bias_activation_forward(kind, z.copy(), bias, alpha)
    _close(y, y_ref, dtype)
    assert (pre is None) == (pre_ref is None)
    if pre is not None:
        _close(pre, pre_ref, dtype)


@settings(max_examples=40, deadline=None)
@given(shape=st.tuples(st.integers(1, 5), st.integers(1, 30), st.integers(1, 40)),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 999))
def test_bias_add_and_bias_grad_equal_twin(shape, dtype, seed):
    compiled = _compiled()
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    b = rng.normal(size=shape[-1]).astype(dtype)
    _close(compiled.bias_add(x, b), ref.bias_add(x, b), dtype)
    _close(compiled.bias_grad(x), ref.bias_grad(x), dtype)


def test_bias_kernels_in_parallel(threads):
    compiled = _compiled()
    x = np.random.default_rng(0).normal(size=(512, 130)).astype(np.float32)
    b = np.arange(130, dtype=np.float32)
    _close(compiled.bias_add(x, b), x + b, np.float32)
    np.testing.assert_allclose(compiled.bias_grad(x), x.astype(np.float64).sum(0), rtol=1e-5, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 50), c=st.integers(1, 20), sparse=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 999))
def test_softmax_cross_entropy_equals_twin(n, c, sparse, dtype, seed):
    compiled = _compiled()
    rng = np.random.default_rng(seed)
    logits = (rng.normal(size=(n, c)) * 5).astype(dtype)
    if sparse:
        labels = rng.integers(0, c, size=n)
    else:
        labels = rng.dirichlet(np.ones(c), size=n).astype(dtype)
    loss, probs = compiled.softmax_cross_entropy(logits, labels, sparse)
    loss_ref, probs_ref = ref.softmax_cross_entropy(logits, labels, sparse)
    _close(loss, loss_ref, dtype)
    _close(probs, probs_ref, dtype)
    dloss = rng.normal(size=n).astype(dtype)
    _close(compiled.softmax_cross_entropy_backward(probs, labels, sparse, dloss),
           ref.softmax_cross_entropy_backward(probs_ref, labels, sparse, dloss), dtype)


def test_softmax_cross_entropy_gradient_equals_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4))
    labels = np.array([0, 3, 1])
    loss, probs = ref.softmax_cross_entropy(logits, labels, True)
    got = ref.softmax_cross_entropy_backward(probs, labels, True, np.ones(3))
    num = np.zeros_like(logits)
    for idx in np.ndindex(*logits.shape):
        lp, lm = logits.copy(), logits.copy()
        lp[idx] += 1e-6
        lm[idx] -= 1e-6
        num[idx] = (ref.softmax_cross_entropy(lp, labels, True)[0].sum()
                    - ref.softmax_cross_entropy(lm, labels, True)[0].sum()) / 2e-6
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_bad_inputs_raise_before_the_kernel(impl):
    mod = ref if impl == "numpy" else _compiled()
    with pytest.raises(ValueError, match=r"labels must be class indices in \[0, 3\).*Received label 3"):
        mod.softmax_cross_entropy(np.zeros((2, 3), "f"), np.array([0, 3]), True)
    with pytest.raises(ValueError, match="Received label -1"):
        mod.softmax_cross_entropy(np.zeros((2, 3), "f"), np.array([0, -1]), True)
    with pytest.raises(ValueError, match="Unknown activation kind 'nope'"):
        mod.activation_forward("nope", np.zeros(3, "f"))
    with pytest.raises(ValueError, match="bias must be 1-D"):
        mod.bias_add(np.zeros((2, 3), "f"), np.zeros(4, "f"))
    with pytest.raises(ValueError, match="needs the pre-activation"):
        mod.activation_backward("gelu", np.zeros(3, "f"), None, np.zeros(3, "f"))
