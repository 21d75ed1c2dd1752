"""Products (matmul, dot, tensordot, einsum, …) and creation/inspection ops."""
import numpy as np
import pytest

import nnfast
from gradcheck import check_vjp
from nnfast import ops
from nnfast.autograd import Tensor

MATMUL_SHAPES = [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
                 ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3,), (2, 3, 4))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_forward_and_vjp(float64, rng, sa, sb):
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    np.testing.assert_allclose(ops.matmul(a, b), np.matmul(a, b), rtol=1e-12)
    check_vjp(ops.matmul, [a, b])


def test_matmul_errors():
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 2\)"):
        ops.matmul(np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"matmul.*\(2, 2, 3\).*\(3, 3, 1\)"):
        ops.matmul(np.ones((2, 2, 3)), np.ones((3, 3, 1)))
    with pytest.raises(ValueError, match="matmul.*rank"):
        ops.matmul(np.ones(()), np.ones(3))


@pytest.mark.parametrize("sa,sb", [((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                                   ((2, 2, 3), (3,)), ((2, 3), (4, 3, 2)), ((2, 2, 3), (2, 3, 2))])
def test_dot_matches_numpy(float64, rng, sa, sb):
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    np.testing.assert_allclose(ops.dot(a, b), np.dot(a, b), rtol=1e-12)
    check_vjp(ops.dot, [a, b])


def test_dot_error():
    with pytest.raises(ValueError, match=r"dot.*\(2, 3\).*\(2, 3\)"):
        ops.dot(np.ones((2, 3)), np.ones((2, 3)))


@pytest.mark.parametrize("axes,sb", [(2, (3, 4, 2)), (1, (4, 2)), (0, (2,)),
                                     (([1, 0], [0, 2]), (3, 4, 2)), (([2], [1]), (3, 4, 2))])
def test_tensordot(float64, rng, axes, sb):
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=sb)
    np.testing.assert_allclose(ops.tensordot(a, b, axes), np.tensordot(a, b, axes), rtol=1e-12)
    check_vjp(lambda x, y: ops.tensordot(x, y, axes), [a, b])
    with pytest.raises(ValueError, match=r"tensordot.*\(2, 3, 4\).*\(5, 5\)"):
        ops.tensordot(a, np.ones((5, 5)), 1)


def test_outer_inner_vdot(float64, rng):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3,))
    np.testing.assert_allclose(ops.outer(a, b), np.outer(a, b))
    np.testing.assert_allclose(ops.inner(a, b), np.inner(a, b))
    np.testing.assert_allclose(ops.vdot(a[0], b), np.vdot(a[0], b))
    check_vjp(ops.outer, [a, b])
    check_vjp(ops.inner, [a, b])


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("ij->j", [(3, 4)]), ("i,j->ij", [(3,), (2,)]), ("ij,j", [(2, 3), (3,)]),
    ("ijk,k->i", [(2, 3, 4), (4,)]),
])
def test_einsum(float64, rng, spec, shapes):
    arrays = [rng.normal(size=s) for s in shapes]
    np.testing.assert_allclose(ops.einsum(spec, *arrays), np.einsum(spec, *arrays), rtol=1e-12)
    check_vjp(lambda *xs: ops.einsum(spec, *xs), arrays)


def test_einsum_errors():
    with pytest.raises(ValueError, match="einsum.*traces"):
        ops.einsum("ii->i", np.ones((2, 2)))
    with pytest.raises(ValueError, match="einsum.*does not match"):
        ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones(3))


def test_creation_dtypes_follow_floatx():
    assert ops.zeros((2, 3)).dtype == np.float32 and isinstance(ops.zeros(2), Tensor)
    np.testing.assert_array_equal(ops.ones((2,), dtype="int32"), [1, 1])
    np.testing.assert_array_equal(ops.full((2, 2), 7.0), np.full((2, 2), 7.0))
    assert ops.full((1,), 3).dtype == np.float32
    np.testing.assert_array_equal(ops.eye(3, 4, k=1), np.eye(3, 4, k=1))
    np.testing.assert_array_equal(ops.numpy.identity(2), np.eye(2))
    np.testing.assert_array_equal(ops.tri(3), np.tri(3))
    x = np.arange(6, dtype="int64").reshape(2, 3)
    assert ops.zeros_like(x).dtype == np.int64 and ops.ones_like(x, dtype="float32").dtype == np.float32
    np.testing.assert_array_equal(ops.full_like(x, 2), np.full_like(x, 2))
    nnfast.backend.set_floatx("float64")
    assert ops.ones(2).dtype == np.float64
    nnfast.backend.set_floatx("float32")
    with pytest.raises(ValueError, match="zeros.*negative"):
        ops.zeros((2, -1))


def test_arange_linspace_array_copy(float64, rng):
    assert ops.arange(5).dtype == np.int32
    np.testing.assert_array_equal(ops.arange(1, 7, 2), [1, 3, 5])
    np.testing.assert_allclose(ops.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75])
    assert ops.arange(0.0, 1.0, 0.5).dtype == np.float64       # floatx under float64
    with pytest.raises(ValueError, match="arange.*step"):
        ops.arange(0, 3, 0)
    np.testing.assert_allclose(ops.linspace(0, 1, 5), np.linspace(0, 1, 5))
    a = ops.array([[1.0, 2.0]])
    assert isinstance(a, Tensor) and a.shape == (1, 2)
    x = rng.normal(size=(2, 2))
    c = ops.copy(x)
    assert c is not x and np.array_equal(c, x)
    check_vjp(ops.copy, [x])


def test_shape_ndim_size():
    x = np.ones((2, 3, 4))
    assert ops.shape(x) == (2, 3, 4) and ops.ndim(x) == 3 and ops.size(x) == 24
    v = nnfast.Variable(np.ones((5, 2)))
    assert ops.shape(v) == (5, 2)
