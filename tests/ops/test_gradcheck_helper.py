"""The shared finite-difference helper must catch a wrong VJP, not just pass."""
import numpy as np
import pytest

from gradcheck import check_vjp, numeric_vjp
from nnfast.autograd.function import call_op


def _square_forward(a):
    return a * a, a


def _wrong_backward(g, a, needs):
    return (g * a,)                 # the true VJP is 2 * g * a


def test_check_vjp_rejects_a_wrong_gradient(float64):
    x = np.array([0.5, -1.0, 2.0])
    with pytest.raises(AssertionError, match="gradient of input 0"):
        check_vjp(lambda v: call_op(_square_forward, _wrong_backward, v), [x])


def test_check_vjp_multiple_outputs_and_variables(float64):
    x, y = np.array([[1.0, 2.0]]), np.array([3.0, -1.0])
    grads = check_vjp(lambda a, b: (a * b, (a + b, np.sum(a))), [x, y], as_variables=True)
    assert [g.shape for g in grads] == [(1, 2), (2,)]


def test_numeric_vjp_of_a_known_function():
    x = np.array([1.0, 2.0])
    (g,) = numeric_vjp(lambda v: np.asarray(v) ** 3, [x], [np.array([1.0, 0.5])], [0])
    np.testing.assert_allclose(g, [3.0, 6.0], rtol=1e-8)
