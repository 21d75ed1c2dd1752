"""NumPy functions called on Tensors/Variables are routed to nnfast ops and recorded."""
import numpy as np
import pytest

import nnfast  # noqa: F401  (importing nnfast.ops registers the functions)
from nnfast.autograd import GradientTape, Tensor, Variable


def _grad(fn, x):
    t = np.asarray(x, dtype=np.float64).view(Tensor)
    with GradientTape() as tape:
        tape.watch(t)
        y = fn(t)
    assert isinstance(y, Tensor)
    return np.asarray(y), np.asarray(tape.gradient(y, t))


def test_concatenate_stack_where_clip_are_recorded():
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    y, g = _grad(lambda t: np.concatenate([t, 2 * t], axis=1), x)
    np.testing.assert_allclose(y, np.concatenate([x, 2 * x], axis=1))
    np.testing.assert_allclose(g, np.full((2, 2), 3.0))
    _, g = _grad(lambda t: np.stack([t, t * t]), x)
    np.testing.assert_allclose(g, 1 + 2 * x)
    _, g = _grad(lambda t: np.where(x > 0, t * 3, 0.0), x)
    np.testing.assert_allclose(g, np.where(x > 0, 3.0, 0.0))
    _, g = _grad(lambda t: np.clip(t, -1, 1), x)
    np.testing.assert_allclose(g, [[1, 0], [0, 1]])    # the bound itself passes (as TF)


@pytest.mark.parametrize("fn,expected", [
    (lambda t: np.sum(t, axis=0), lambda x: np.ones_like(x)),
    (lambda t: np.mean(t, axis=1, keepdims=True), lambda x: np.full_like(x, 0.5)),
    (lambda t: np.max(t), lambda x: (x == x.max()).astype(float)),
    (lambda t: np.min(t, axis=1), lambda x: (x == x.min(1, keepdims=True)).astype(float)),
    (lambda t: np.amax(t, axis=0), lambda x: (x == x.max(0)).astype(float)),
    (lambda t: np.reshape(t, (4,)), lambda x: np.ones_like(x)),
    (lambda t: np.reshape(t, shape=(1, 4)), lambda x: np.ones_like(x)),
    (lambda t: np.transpose(t) * np.array([[1.0, 2.0], [3.0, 4.0]]),
     lambda x: np.array([[1.0, 3.0], [2.0, 4.0]])),
    (lambda t: np.squeeze(np.expand_dims(t, 0)), lambda x: np.ones_like(x)),
    (lambda t: np.dot(t, np.array([1.0, 2.0])), lambda x: np.tile([1.0, 2.0], (2, 1))),
    (lambda t: np.prod(t, axis=1), lambda x: x[:, ::-1]),
    (lambda t: np.cumsum(t, axis=1), lambda x: np.array([[2.0, 1.0], [2.0, 1.0]])),
    (lambda t: np.tile(t, 2), lambda x: np.full_like(x, 2.0)),
    (lambda t: np.repeat(t, 3, axis=0), lambda x: np.full_like(x, 3.0)),
    (lambda t: np.take(t, [0, 0, 1]), lambda x: np.array([[2.0, 1.0], [0.0, 0.0]])),
    (lambda t: np.broadcast_to(t, (3, 2, 2)), lambda x: np.full_like(x, 3.0)),
    (lambda t: np.var(t, axis=0), lambda x: (x - x.mean(0))),
])
def test_numpy_functions_record(fn, expected):
    x = np.array([[1.0, 4.0], [3.0, 2.0]])
    y, g = _grad(fn, x)
    np.testing.assert_allclose(y, fn(x))
    np.testing.assert_allclose(g, expected(x))


def test_numpy_functions_on_variables_record():
    w = Variable(np.array([[1.0, 2.0], [3.0, 4.0]]))
    with GradientTape() as tape:
        y = np.sum(np.concatenate([w, w], axis=0))
    np.testing.assert_allclose(tape.gradient(y, w), np.full((2, 2), 2.0))


def test_out_argument_is_refused():
    t = np.ones((2, 2)).view(Tensor)
    with pytest.raises(TypeError, match="out"):
        np.sum(t, axis=0, out=np.empty(2))
