"""Batch normalization (training and inference forms) and moments."""
import numpy as np
import pytest

from gradcheck import check_vjp
from nnfast import ops
from nnfast.autograd import GradientTape, Variable
from nnfast.ops import normalization


def _bn_reference(x, gamma, beta, axis, eps):
    red = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    shape = [1] * x.ndim
    shape[axis] = -1
    mean, var = x.mean(axis=red), x.var(axis=red)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if gamma is not None:
        y = y * gamma.reshape(shape)
    if beta is not None:
        y = y + beta.reshape(shape)
    return y, mean, var


@pytest.mark.parametrize("shape,axis", [((6, 3), -1), ((4, 3, 2), 1), ((2, 3, 2, 3), -1)])
@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False), (False, False)])
def test_batch_normalization_train_forward_and_vjp(float64, rng, shape, axis, center, scale):
    x = rng.normal(1.0, 2.0, size=shape)
    c = shape[axis]
    gamma = rng.uniform(0.5, 1.5, size=c) if scale else None
    beta = rng.normal(size=c) if center else None
    y, mean, var = normalization.batch_normalization_train(x, gamma, beta, axis=axis, epsilon=1e-3)
    ey, em, ev = _bn_reference(x, gamma, beta, axis, 1e-3)
    np.testing.assert_allclose(y, ey, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mean, em, rtol=1e-12)
    np.testing.assert_allclose(var, ev, rtol=1e-12)
    params = [p for p in (gamma, beta) if p is not None]

    def fn(xv, *ps):
        g = ps[0] if scale else None
        b = ps[-1] if center else None
        return normalization.batch_normalization_train(xv, g, b, axis=axis, epsilon=1e-3)

    check_vjp(fn, [x] + params, rtol=1e-5, atol=1e-6)   # y, mean and var all carry cotangents


def test_batch_normalization_train_is_one_tape_entry_and_float32():
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    gamma, beta = Variable(np.ones(4, "float32")), Variable(np.zeros(4, "float32"))
    with GradientTape() as tape:
        y, mean, var = normalization.batch_normalization_train(x, gamma, beta)
        nodes = len(tape._nodes)
        loss = ops.sum(ops.multiply(y, y))
    assert nodes == 1 and y.dtype == np.float32 and mean.shape == (4,)
    gg, gb = tape.gradient(loss, [gamma, beta])
    assert gg.dtype == np.float32 and gg.shape == (4,) and gb.shape == (4,)


def test_batch_normalization_train_errors():
    with pytest.raises(ValueError, match=r"batch_normalization_train.*gamma.*\(3,\).*\(4,\)"):
        normalization.batch_normalization_train(np.ones((2, 3)), np.ones(4), None)
    with pytest.raises(ValueError, match="batch_normalization_train.*axis"):
        normalization.batch_normalization_train(np.ones((2, 3)), None, None, axis=2)


def test_batch_normalization_inference_tf_signature(float64, rng):
    x = rng.normal(size=(4, 3))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    offset, scale = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    y = ops.batch_normalization(x, mean, var, offset, scale, 1e-3)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3) * scale + offset, rtol=1e-12)
    check_vjp(lambda *a: ops.batch_normalization(*a, 1e-3), [x, mean, var, offset, scale])
    check_vjp(lambda a, m, v: ops.batch_normalization(a, m, v, None, None, 1e-3), [x, mean, var])


def test_batch_normalization_inference_keras_signature(float64, rng):
    x = rng.normal(size=(2, 3, 4))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    offset, scale = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    y = ops.batch_normalization(x, mean, var, axis=1, offset=offset, scale=scale, epsilon=1e-2)
    r = (None, slice(None), None)
    expected = (x - mean[r]) / np.sqrt(var[r] + 1e-2) * scale[r] + offset[r]
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    np.testing.assert_allclose(ops.batch_normalization(x, mean, var, 1, offset, scale, 1e-2), expected)
    check_vjp(lambda *a: ops.batch_normalization(a[0], a[1], a[2], 1, a[3], a[4]),
              [x, mean, var, offset, scale])
    with pytest.raises(ValueError, match=r"batch_normalization.*mean.*\(3,\).*\(4,\)"):
        ops.batch_normalization(x, np.ones(4), var, axis=1)
    with pytest.raises(TypeError, match="batch_normalization.*unexpected"):
        ops.batch_normalization(x, mean, var, axis=1, variance_epsilon=1e-3)


def test_moments(float64, rng):
    x = rng.normal(size=(3, 4))
    mean, var = ops.moments(x, axes=[0])
    np.testing.assert_allclose(mean, x.mean(0))
    np.testing.assert_allclose(var, x.var(0))
    m2, v2 = ops.moments(x, axes=(0, 1), keepdims=True)
    assert m2.shape == (1, 1) and np.isclose(float(v2[0, 0]), x.var())
    check_vjp(lambda v: ops.moments(v, axes=1), [x])
