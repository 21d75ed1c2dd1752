"""Shape ops: forward equals NumPy, VJPs equal finite differences, bad shapes raise."""
import numpy as np
import pytest

from gradcheck import check_vjp
from nnfast import ops


def test_concatenate_and_stack(float64, rng):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    np.testing.assert_allclose(ops.concatenate([a, b], axis=1), np.concatenate([a, b], axis=1))
    check_vjp(lambda x, y: ops.concatenate([x, y], axis=-1), [a, b])
    c = rng.normal(size=(2, 3))
    for axis in (0, 1, 2, -1):
        np.testing.assert_allclose(ops.stack([a, c], axis=axis), np.stack([a, c], axis=axis))
        check_vjp(lambda x, y: ops.stack([x, y], axis=axis), [a, c])


def test_concatenate_and_stack_errors():
    with pytest.raises(ValueError, match=r"concatenate.*\(2, 3\).*\(3, 1\)"):
        ops.concatenate([np.ones((2, 3)), np.ones((3, 1))], axis=1)
    with pytest.raises(ValueError, match="concatenate.*non-empty"):
        ops.concatenate([])
    with pytest.raises(ValueError, match=r"stack.*\(2,\).*\(3,\)"):
        ops.stack([np.ones(2), np.ones(3)])


def test_split_hstack_vstack(float64, rng):
    x = rng.normal(size=(2, 6))
    parts = ops.split(x, 3, axis=1)
    for p, e in zip(parts, np.split(x, 3, axis=1)):
        np.testing.assert_allclose(p, e)
    check_vjp(lambda v: ops.split(v, [1, 4], axis=1), [x])
    check_vjp(lambda v: ops.split(v, 3, axis=1)[1], [x])   # unused parts get zeros
    with pytest.raises(ValueError, match="split.*equal sections"):
        ops.split(x, 4, axis=1)
    np.testing.assert_allclose(ops.hstack([x, x]), np.hstack([x, x]))
    np.testing.assert_allclose(ops.vstack([x[0], x]), np.vstack([x[0], x]))


def test_expand_dims_squeeze_ravel(float64, rng):
    x = rng.normal(size=(2, 1, 3))
    np.testing.assert_allclose(ops.expand_dims(x, -1), np.expand_dims(x, -1))
    np.testing.assert_allclose(ops.expand_dims(x, (0, 2)), np.expand_dims(x, (0, 2)))
    np.testing.assert_allclose(ops.squeeze(x), np.squeeze(x))
    np.testing.assert_allclose(ops.squeeze(x, axis=1), np.squeeze(x, axis=1))
    assert ops.ravel(x).shape == (6,)
    check_vjp(lambda v: ops.squeeze(ops.expand_dims(v, 0), axis=(0, 2)), [x])
    with pytest.raises(ValueError, match=r"squeeze.*axis 0.*size is 2"):
        ops.squeeze(x, axis=0)
    with pytest.raises(ValueError, match="expand_dims.*out of bounds"):
        ops.expand_dims(x, 5)


@pytest.mark.parametrize("reps", [2, (2, 1), (1, 2, 3), (3,)])
def test_tile(float64, rng, reps):
    x = rng.normal(size=(2, 3))
    np.testing.assert_allclose(ops.tile(x, reps), np.tile(x, reps))
    check_vjp(lambda v: ops.tile(v, reps), [x])


@pytest.mark.parametrize("repeats,axis", [(2, None), (3, 0), (2, 1), ([1, 0, 2], 1), ([2, 1], 0)])
def test_repeat(float64, rng, repeats, axis):
    x = rng.normal(size=(2, 3))
    np.testing.assert_allclose(ops.repeat(x, repeats, axis=axis), np.repeat(x, repeats, axis=axis))
    check_vjp(lambda v: ops.repeat(v, repeats, axis=axis), [x])


def test_broadcast_to(float64, rng):
    x = rng.normal(size=(3, 1))
    np.testing.assert_allclose(ops.broadcast_to(x, (2, 3, 4)), np.broadcast_to(x, (2, 3, 4)))
    check_vjp(lambda v: ops.broadcast_to(v, (2, 3, 4)), [x])
    with pytest.raises(ValueError, match=r"broadcast_to.*\(3, 1\).*\(2, 2\)"):
        ops.broadcast_to(x, (2, 2))


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_take_with_repeated_indices(float64, rng, axis):
    x = rng.normal(size=(3, 4))
    idx = np.array([[0, 2], [2, -1]])
    np.testing.assert_allclose(ops.take(x, idx, axis=axis), np.take(x, idx, axis=axis))
    check_vjp(lambda v: ops.take(v, idx, axis=axis), [x])


def test_take_errors():
    with pytest.raises(ValueError, match="take.*out of range"):
        ops.take(np.ones((2, 3)), [3], axis=1)
    with pytest.raises(TypeError, match="take.*integers"):
        ops.take(np.ones(3), [0.5])


def test_take_along_axis_and_sort(float64, rng):
    x = rng.normal(size=(3, 4))
    idx = np.argsort(x, axis=1)[:, :2]
    idx[0, 1] = idx[0, 0]                           # repeated index accumulates
    np.testing.assert_allclose(ops.take_along_axis(x, idx, axis=1), np.take_along_axis(x, idx, 1))
    check_vjp(lambda v: ops.take_along_axis(v, idx, axis=1), [x])
    np.testing.assert_allclose(ops.sort(x, axis=0), np.sort(x, axis=0))
    check_vjp(lambda v: ops.sort(v, axis=-1), [x])
    np.testing.assert_array_equal(ops.argsort(x), np.argsort(x))
    with pytest.raises(ValueError, match="take_along_axis.*same rank"):
        ops.take_along_axis(x, idx[0], axis=1)


def test_moveaxis_swapaxes_flip_roll(float64, rng):
    x = rng.normal(size=(2, 3, 4))
    cases = [
        (lambda v: ops.moveaxis(v, 0, -1), lambda v: np.moveaxis(v, 0, -1)),
        (lambda v: ops.swapaxes(v, 0, 2), lambda v: np.swapaxes(v, 0, 2)),
        (lambda v: ops.flip(v, axis=1), lambda v: np.flip(v, axis=1)),
        (lambda v: ops.flip(v), np.flip),
        (lambda v: ops.roll(v, 2, axis=2), lambda v: np.roll(v, 2, axis=2)),
        (lambda v: ops.roll(v, 5), lambda v: np.roll(v, 5)),
        (lambda v: ops.transpose(v, (1, 0, 2)), lambda v: np.transpose(v, (1, 0, 2))),
        (lambda v: ops.reshape(v, (4, -1)), lambda v: np.reshape(v, (4, -1))),
    ]
    for op, ref in cases:
        np.testing.assert_allclose(op(x), ref(x))
        check_vjp(op, [x])


def test_pad_tril_triu(float64, rng):
    x = rng.normal(size=(3, 3))
    np.testing.assert_allclose(ops.pad(x, ((1, 0), (0, 2))), np.pad(x, ((1, 0), (0, 2))))
    np.testing.assert_allclose(ops.pad(x, 1, constant_values=2.0),
                               np.pad(x, 1, constant_values=2.0))
    check_vjp(lambda v: ops.pad(v, ((1, 2), (2, 0))), [x])
    np.testing.assert_allclose(ops.tril(x, -1), np.tril(x, -1))
    np.testing.assert_allclose(ops.triu(x), np.triu(x))
    check_vjp(lambda v: ops.tril(v), [x])
    check_vjp(lambda v: ops.triu(v, 1), [x])
    with pytest.raises(ValueError, match="pad.*mode"):
        ops.pad(x, 1, mode="reflect")
