"""Elementwise ops: forward equals NumPy, VJP equals finite differences, bad shapes raise."""
import numpy as np
import pytest

from gradcheck import check_vjp
from nnfast import ops
from nnfast.autograd import GradientTape, Tensor

BINARY = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("divide", np.true_divide), ("true_divide", np.true_divide), ("maximum", np.maximum),
    ("minimum", np.minimum), ("logaddexp", np.logaddexp), ("arctan2", np.arctan2),
]


@pytest.mark.parametrize("name,ref", BINARY)
def test_binary_forward_and_vjp_with_broadcasting(float64, rng, name, ref):
    op = getattr(ops, name)
    a = rng.normal(size=(3, 4))
    b = rng.normal(size=(4,)) + 0.1 * np.sign(rng.normal(size=4))
    b[np.abs(b) < 0.3] += 1.0                    # away from 0 for divide and from ties
    out = op(a, b)
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out, ref(a, b), rtol=1e-12)
    check_vjp(op, [a, b])
    check_vjp(op, [a[:1], b.reshape(1, 4)])      # (1,4) with (1,4): no broadcast


def test_power_vjp_for_both_inputs(float64, rng):
    a = rng.uniform(0.5, 2.0, size=(2, 3))
    b = rng.uniform(-1.5, 1.5, size=(3,))
    np.testing.assert_allclose(ops.power(a, b), a ** b)
    check_vjp(ops.power, [a, b])


@pytest.mark.parametrize("name", [n for n, _ in BINARY] + ["power"])
def test_binary_rejects_incompatible_shapes(name):
    with pytest.raises(ValueError, match=rf"{name.replace('true_', '')}.*\(2, 3\).*\(4,\)"):
        getattr(ops, name)(np.ones((2, 3)), np.ones(4))


UNARY = [
    ("negative", np.negative, (-2, 2)), ("abs", np.abs, (-2, 2)),
    ("absolute", np.absolute, (-2, 2)), ("square", np.square, (-2, 2)),
    ("exp", np.exp, (-2, 2)), ("expm1", np.expm1, (-2, 2)), ("log", np.log, (0.2, 3)),
    ("log1p", np.log1p, (-0.5, 3)), ("log2", np.log2, (0.2, 3)), ("log10", np.log10, (0.2, 3)),
    ("sqrt", np.sqrt, (0.2, 3)), ("reciprocal", np.reciprocal, (0.5, 3)),
    ("sin", np.sin, (-3, 3)), ("cos", np.cos, (-3, 3)), ("tan", np.tan, (-1, 1)),
    ("sinh", np.sinh, (-2, 2)), ("cosh", np.cosh, (-2, 2)), ("arcsin", np.arcsin, (-0.8, 0.8)),
    ("arccos", np.arccos, (-0.8, 0.8)), ("arctan", np.arctan, (-3, 3)),
    ("arcsinh", np.arcsinh, (-3, 3)), ("arccosh", np.arccosh, (1.2, 3)),
    ("arctanh", np.arctanh, (-0.8, 0.8)),
]


@pytest.mark.parametrize("name,ref,domain", UNARY)
def test_unary_forward_and_vjp(float64, rng, name, ref, domain):
    x = rng.uniform(*domain, size=(2, 5))
    x[np.abs(x) < 0.05] = 0.3                   # abs has a kink at 0
    op = getattr(ops, name)
    np.testing.assert_allclose(op(x), ref(x), rtol=1e-12)
    check_vjp(op, [x])


@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "trunc", "round"])
def test_piecewise_constant_ops_have_zero_gradient(float64, name):
    x = np.array([-1.7, -0.2, 0.4, 2.3])
    op = getattr(ops, name)
    np.testing.assert_allclose(op(x), getattr(np, name)(x))
    check_vjp(op, [x])
    t = ops.convert_to_tensor(x)
    with GradientTape() as tape:
        tape.watch(t)
        y = op(t)
    np.testing.assert_array_equal(tape.gradient(y, t), np.zeros(4))


def test_integer_input_becomes_floatx():
    out = ops.exp(np.array([0, 1], dtype="int32"))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.exp([0.0, 1.0]), rtol=1e-6)
    assert ops.divide(np.array([1, 2]), np.array([2, 4])).dtype == np.float32
    assert ops.add(np.array([1, 2], dtype="int32"), 1).dtype == np.int32


def test_float32_gradient_keeps_input_dtype():
    a = ops.convert_to_tensor(np.ones((2, 3), dtype="float32"))
    b = np.full((3,), 2.0)                        # float64 partner
    with GradientTape() as tape:
        tape.watch(a)
        y = ops.multiply(a, b)
    assert tape.gradient(y, a).dtype == np.float32


def test_maximum_tie_sends_gradient_to_first_input(float64):
    a, b = ops.convert_to_tensor([1.0, 2.0]), ops.convert_to_tensor([1.0, 3.0])
    with GradientTape() as tape:
        tape.watch([a, b])
        y = ops.maximum(a, b)
    ga, gb = tape.gradient(y, [a, b])
    np.testing.assert_array_equal(ga, [1.0, 0.0])
    np.testing.assert_array_equal(gb, [0.0, 1.0])


def test_clip_forward_and_vjp_for_value_and_bounds(float64, rng):
    x = np.array([[-2.0, -0.5, 0.3], [0.9, 1.7, 3.0]])
    np.testing.assert_allclose(ops.clip(x, -1.0, 1.5), np.clip(x, -1.0, 1.5))
    check_vjp(lambda v: ops.clip(v, -1.0, 1.5), [x])
    lo, hi = np.array([-1.0, 0.0, 0.5]), np.array([1.0, 1.0, 2.0])
    check_vjp(ops.clip, [x, lo, hi])


def test_where_forward_vjp_and_errors(float64, rng):
    cond = np.array([[True, False, True], [False, False, True]])
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3,))
    np.testing.assert_allclose(ops.where(cond, a, b), np.where(cond, a, b))
    check_vjp(lambda x, y: ops.where(cond, x, y), [a, b])
    rows, cols = ops.where(cond)
    np.testing.assert_array_equal(rows, [0, 0, 1])
    np.testing.assert_array_equal(cols, [0, 2, 2])
    with pytest.raises(ValueError, match="where"):
        ops.where(cond, a)
    with pytest.raises(ValueError, match=r"where.*\(4,\)"):
        ops.where(np.ones(4, bool), a, b)


@pytest.mark.parametrize("name", ["equal", "not_equal", "greater", "greater_equal", "less",
                                  "less_equal", "logical_and", "logical_or", "logical_xor"])
def test_comparisons_and_logic(name):
    a = np.array([[0.0, 1.0, 2.0]])
    b = np.array([[1.0], [0.0]])
    out = getattr(ops, name)(a, b)
    np.testing.assert_array_equal(out, getattr(np, name)(a, b))
    assert out.dtype == bool
    with pytest.raises(ValueError, match=name):
        getattr(ops, name)(np.ones(3), np.ones(2))


def test_unary_predicates():
    x = np.array([0.0, np.nan, np.inf, -1.0])
    np.testing.assert_array_equal(ops.isnan(x), np.isnan(x))
    np.testing.assert_array_equal(ops.isinf(x), np.isinf(x))
    np.testing.assert_array_equal(ops.isfinite(x), np.isfinite(x))
    np.testing.assert_array_equal(ops.logical_not(x == 0), x != 0)


def test_comparisons_are_not_recorded():
    t = ops.convert_to_tensor([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(t)
        mask = ops.greater(t, 1.5)
        y = ops.multiply(t, ops.cast(mask, "float32"))
    np.testing.assert_allclose(tape.gradient(y, t), [0.0, 1.0])
