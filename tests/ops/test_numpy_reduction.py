"""Reductions and scans: forward equals NumPy for every axis form, VJPs equal finite
differences, bad axes raise."""
import numpy as np
import pytest

from gradcheck import check_vjp
from nnfast import ops
from nnfast.autograd import GradientTape

AXES = [None, 0, -1, (0, 2), 1]
REDUCTIONS = [("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
              ("prod", np.prod), ("var", np.var), ("std", np.std)]


@pytest.mark.parametrize("name,ref", REDUCTIONS)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_forward_and_vjp(float64, rng, name, ref, axis, keepdims):
    x = rng.uniform(0.5, 1.5, size=(2, 3, 2)) * rng.choice([-1, 1], size=(2, 3, 2))
    op = getattr(ops, name)
    np.testing.assert_allclose(op(x, axis=axis, keepdims=keepdims),
                               ref(x, axis=axis, keepdims=keepdims), rtol=1e-12)
    check_vjp(lambda v: op(v, axis=axis, keepdims=keepdims), [x])


def test_max_ties_share_the_gradient(float64):
    x = ops.convert_to_tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.max(x, axis=1)
    np.testing.assert_allclose(tape.gradient(y, x), [[0, 0.5, 0.5], [1, 0, 0]])


def test_prod_gradient_is_exact_with_zeros(float64):
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    got = check_vjp(lambda v: ops.prod(v, axis=1), [x])[0]
    assert got[0, 0] != 0 and got[0, 1] == 0


def test_mean_of_integers_is_floatx():
    out = ops.mean(np.array([1, 2], dtype="int32"))
    assert out.dtype == np.float32 and float(out) == 1.5


@pytest.mark.parametrize("name", ["sum", "mean", "max", "var", "all", "any"])
def test_reductions_reject_bad_axis(name):
    with pytest.raises(ValueError, match=rf"{name}.*axis 3"):
        getattr(ops, name)(np.ones((2, 3)), axis=3)


def test_max_of_empty_axis_raises():
    with pytest.raises(ValueError, match="max.*empty"):
        ops.max(np.ones((0, 3)), axis=0)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_and_cumprod(float64, rng, axis):
    x = rng.uniform(0.5, 2.0, size=(3, 4))
    x[1, 2] = 0.0
    np.testing.assert_allclose(ops.cumsum(x, axis=axis), np.cumsum(x, axis=axis))
    np.testing.assert_allclose(ops.cumprod(x, axis=axis), np.cumprod(x, axis=axis))
    check_vjp(lambda v: ops.cumsum(v, axis=axis), [x])
    check_vjp(lambda v: ops.cumprod(v, axis=axis), [x])


def test_argmax_argmin_all_any_count_nonzero():
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    for name in ("argmax", "argmin"):
        for axis in (None, 0, 1):
            out = getattr(ops, name)(x, axis=axis)
            np.testing.assert_array_equal(out, getattr(np, name)(x, axis=axis))
            assert out.dtype == np.int32
    assert ops.argmax(x, axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_array_equal(ops.all(x > 0, axis=1), [True, False])
    np.testing.assert_array_equal(ops.any(x > 6, axis=0, keepdims=True), [[True, False, True]])
    np.testing.assert_array_equal(ops.count_nonzero(x, axis=0), [2, 1, 2])
    with pytest.raises(ValueError, match="argmax.*empty"):
        ops.argmax(np.ones((0,)))
