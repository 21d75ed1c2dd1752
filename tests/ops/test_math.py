"""nnfast.ops.math: logsumexp, erf, erfinv, rsqrt, top_k, in_top_k, segment ops."""
import math

import numpy as np
import pytest

from gradcheck import check_vjp
from nnfast import ops


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp(float64, rng, axis, keepdims):
    x = rng.normal(size=(2, 3, 2)) * 3
    expected = np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))
    np.testing.assert_allclose(ops.logsumexp(x, axis=axis, keepdims=keepdims), expected, rtol=1e-12)
    check_vjp(lambda v: ops.logsumexp(v, axis=axis, keepdims=keepdims), [x])


def test_logsumexp_does_not_overflow():
    x = np.array([1000.0, 1000.0], dtype="float32")
    np.testing.assert_allclose(ops.logsumexp(x), 1000 + math.log(2), rtol=1e-6)
    assert ops.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf


def test_erf_erfinv_rsqrt(float64, rng):
    x = rng.uniform(-0.9, 0.9, size=(2, 3))
    np.testing.assert_allclose(ops.erf(x), np.vectorize(math.erf)(x), rtol=1e-12)
    np.testing.assert_allclose(ops.erf(ops.erfinv(x)), x, rtol=1e-10)
    check_vjp(ops.erf, [x])
    check_vjp(ops.erfinv, [x])
    p = rng.uniform(0.5, 2.0, size=(3,))
    np.testing.assert_allclose(ops.rsqrt(p), 1 / np.sqrt(p))
    check_vjp(ops.rsqrt, [p])


def test_top_k_values_indices_and_gradient(float64):
    x = np.array([[1.0, 5.0, 3.0, 5.0], [0.5, -1.0, 2.0, 0.0]])
    values, indices = ops.top_k(x, 2)
    np.testing.assert_array_equal(indices, [[1, 3], [2, 0]])     # ties: lower index first
    np.testing.assert_allclose(values, [[5.0, 5.0], [2.0, 0.5]])
    check_vjp(lambda v: ops.top_k(v, 2)[0], [x + np.array([0, 0, 0, 0.01])])
    with pytest.raises(ValueError, match="top_k.*k=5"):
        ops.top_k(x, 5)


def test_in_top_k():
    p = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]])
    np.testing.assert_array_equal(ops.in_top_k([2, 0], p, 1), [False, False])
    np.testing.assert_array_equal(ops.in_top_k([2, 0], p, 2), [True, True])   # tie counts
    with pytest.raises(ValueError, match="in_top_k"):
        ops.in_top_k([0], p, 1)


def test_segment_sum_and_max(float64, rng):
    data = rng.normal(size=(5, 2))
    ids = np.array([0, 2, 0, 1, 2])
    expected = np.stack([data[ids == k].sum(0) for k in range(3)])
    np.testing.assert_allclose(ops.segment_sum(data, ids), expected)
    np.testing.assert_allclose(ops.segment_max(data, ids, num_segments=4)[:3],
                               np.stack([data[ids == k].max(0) for k in range(3)]))
    assert np.all(np.isneginf(ops.segment_max(data, ids, num_segments=4)[3]))
    check_vjp(lambda d: ops.segment_sum(d, ids, num_segments=3), [data])
    check_vjp(lambda d: ops.segment_max(d, ids), [data])
    with pytest.raises(ValueError, match="segment_sum.*one id per row"):
        ops.segment_sum(data, ids[:3])
