"""Activation kernels: the NumPy twins against formulas written here and against finite
differences; the compiled kernels against the twins (every kind, forward and backward)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels.numpy_ref import elementwise as ref

from .conftest import assert_close, compiled, num_threads

KINDS = ref.KINDS
ELEMENTWISE = tuple(k for k in KINDS if k not in ("softmax", "log_softmax"))
ALPHA = {"leaky_relu": 0.3, "elu": 0.7}
SELU_A, SELU_L = 1.6732632423543772, 1.0507009873554805


def _sig(v):
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


# One scalar formula per kind (Keras 3 definitions), independent of the twin's code.
SCALAR = {
    "linear": lambda v, a: v,
    "relu": lambda v, a: max(v, 0.0),
    "leaky_relu": lambda v, a: v if v >= 0 else a * v,
    "elu": lambda v, a: v if v > 0 else a * (math.exp(v) - 1),
    "selu": lambda v, a: SELU_L * (v if v > 0 else SELU_A * (math.exp(v) - 1)),
    "sigmoid": lambda v, a: _sig(v),
    "hard_sigmoid": lambda v, a: min(max(v + 3, 0), 6) / 6,      # relu6(x + 3) / 6
    "tanh": lambda v, a: math.tanh(v),
    "softplus": lambda v, a: max(v, 0) + math.log1p(math.exp(-abs(v))),
    "softsign": lambda v, a: v / (1 + abs(v)),
    "exponential": lambda v, a: math.exp(v),
    "gelu": lambda v, a: 0.5 * v * (1 + math.erf(v / math.sqrt(2))),
    "gelu_approx": lambda v, a: 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))),
    "swish": lambda v, a: v * _sig(v),
}


@pytest.mark.parametrize("kind", KINDS)
def test_twin_forward_equals_the_formula(kind):
    x = np.random.default_rng(0).normal(size=(3, 7)) * 4
    x[0, :3] = (-60.0, 0.0, 60.0)          # saturated ends must stay finite and exact
    alpha = ALPHA.get(kind, 0.0)
    got = ref.activation_forward(kind, x, alpha)
    if kind in SCALAR:
        want = np.vectorize(lambda v: SCALAR[kind](v, alpha))(x)
    else:
        lse = np.array([[math.log(sum(math.exp(v) for v in row))] for row in x])
        want = x - lse if kind == "log_softmax" else np.exp(x - lse)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("kind", KINDS)
def test_twin_backward_equals_finite_differences(kind):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5)) * 2
    x[np.abs(x) < 1e-3] = 0.5            # keep away from kinks
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
        num[idx] = ((ref.activation_forward(kind, xp, alpha)
                     - ref.activation_forward(kind, xm, alpha)) * dy).sum() / (2 * eps)
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7)


def test_needs_input_names_the_kinds_whose_backward_reads_x():
    assert {k for k in KINDS if ref.needs_input(k)} == {"gelu", "gelu_approx", "swish"}
    with pytest.raises(ValueError, match="Known kinds: linear, relu"):
        ref.needs_input("mish")


shapes = st.lists(st.integers(0, 13), min_size=1, max_size=3).map(tuple)


@settings(max_examples=120, deadline=None)
@given(kind=st.sampled_from(KINDS), shape=shapes, dtype=st.sampled_from([np.float32, np.float64]),
       threads=st.sampled_from([1, 2]), seed=st.integers(0, 999))
def test_compiled_activation_equals_twin(kind, shape, dtype, threads, seed):
    mod = compiled()
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=shape) * 4).astype(dtype)
    dy = rng.normal(size=shape).astype(dtype)
    alpha = ALPHA.get(kind, 0.0)
    y_ref = ref.activation_forward(kind, x, alpha)
    xin = x if ref.needs_input(kind) else None
    with num_threads(threads):
        y = mod.activation_forward(kind, x, alpha)
        dx = mod.activation_backward(kind, dy, xin, y_ref, alpha)
    k = shape[-1] if kind in ("softmax", "log_softmax") else 1
    assert_close(y, y_ref, dtype, k)
    assert_close(dx, ref.activation_backward(kind, dy, xin, y_ref, alpha), dtype, k)


@pytest.mark.parametrize("kind", KINDS)
def test_large_arrays_same_result_at_1_and_2_threads(kind):
    mod = compiled()
    rng = np.random.default_rng(5)
    x = (rng.normal(size=(300, 257)) * 3).astype(np.float32)    # above the threading cut-off
    dy = rng.normal(size=x.shape).astype(np.float32)
    alpha = ALPHA.get(kind, 0.0)
    y_ref = ref.activation_forward(kind, x, alpha)
    xin = x if ref.needs_input(kind) else None
    dx_ref = ref.activation_backward(kind, dy, xin, y_ref, alpha)
    for n in (1, 2):
        with num_threads(n, force_parallel=False):
            assert_close(mod.activation_forward(kind, x, alpha), y_ref, np.float32, 257)
            assert_close(mod.activation_backward(kind, dy, xin, y_ref, alpha), dx_ref,
                         np.float32, 257)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_out_argument_non_contiguous_inputs_and_in_place(impl):
    mod = ref if impl == "numpy" else compiled()
    rng = np.random.default_rng(6)
    base = rng.normal(size=(8, 10))
    x = base[:, ::2]                                   # non-contiguous input
    for kind in ("relu", "gelu", "softmax", "log_softmax"):
        want = ref.activation_forward(kind, np.ascontiguousarray(x))
        np.testing.assert_allclose(mod.activation_forward(kind, x), want, rtol=1e-12)
        out = np.zeros((5, 8)).T                       # non-contiguous out
        assert mod.activation_forward(kind, x, out=out) is out
        np.testing.assert_allclose(out, want, rtol=1e-12)
        inplace = np.ascontiguousarray(x)
        assert mod.activation_forward(kind, inplace, out=inplace) is inplace
        np.testing.assert_allclose(inplace, want, rtol=1e-12)
        dy = rng.normal(size=x.shape)
        xin = x if ref.needs_input(kind) else None
        dx = mod.activation_backward(kind, dy, xin, want)
        grad = dy.copy()                               # gradient written over dy
        assert mod.activation_backward(kind, grad, xin, want, out=grad) is grad
        np.testing.assert_allclose(grad, dx, rtol=1e-12)


def test_extreme_values_stay_finite():
    mod = compiled()
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=np.float32)
    for kind in ("sigmoid", "softplus", "tanh", "softsign", "swish", "gelu", "gelu_approx",
                 "hard_sigmoid", "selu", "elu", "softmax", "log_softmax"):
        for impl in (ref, mod):
            got = impl.activation_forward(kind, x, 1.0)
            assert np.all(np.isfinite(got)), (kind, impl)
        assert_close(mod.activation_forward(kind, x, 1.0), ref.activation_forward(kind, x, 1.0),
                     np.float32)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_bad_activation_calls_raise_before_the_kernel(impl):
    mod = ref if impl == "numpy" else compiled()
    f = np.zeros((2, 3), "f")
    with pytest.raises(ValueError, match="Unknown activation kind 'nope'. Known kinds: linear"):
        mod.activation_forward("nope", f)
    with pytest.raises(TypeError, match="activation_forward expects a float32 or float64"):
        mod.activation_forward("relu", np.zeros(3, "i"))
    with pytest.raises(TypeError, match="float32 or float64"):
        mod.activation_forward("relu", np.zeros(3, np.float16))
    with pytest.raises(ValueError, match="`out` must be an array of shape"):
        mod.activation_forward("relu", f, out=np.zeros((3, 2), "f"))
    with pytest.raises(ValueError, match="`out` must be an array of shape"):
        mod.activation_forward("relu", f, out=np.zeros((2, 3), "d"))
    with pytest.raises(ValueError, match="needs the pre-activation"):
        mod.activation_backward("gelu", f, None, f)
    with pytest.raises(ValueError, match=r"`y` must have the shape \(2, 3\)"):
        mod.activation_backward("relu", f, None, np.zeros((3, 2), "f"))
    with pytest.raises(ValueError, match=r"`x` must have the shape"):
        mod.activation_backward("swish", f, np.zeros(6, "f"), f)
    with pytest.raises(ValueError, match="alpha >= 0"):
        mod.activation_backward("leaky_relu", f, None, f, alpha=-0.1)
    with pytest.raises(ValueError, match="rank >= 1"):
        mod.activation_forward("softmax", np.ones((), "f"))
