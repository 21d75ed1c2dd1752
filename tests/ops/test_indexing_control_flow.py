"""slice / slice_update / scatter / scatter_update / unstack and the control-flow ops."""
import numpy as np
import pytest

from gradcheck import check_vjp
from nnfast import ops


def test_slice_and_slice_update(float64, rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(ops.slice(x, (1, 1), (2, 2)), x[1:3, 1:3])
    np.testing.assert_allclose(ops.slice(x, [0, 2], (-1, -1)), x[:, 2:])
    check_vjp(lambda v: ops.slice(v, (1, 0), (2, 3)), [x])
    u = rng.normal(size=(2, 2))
    expected = x.copy()
    expected[1:3, 2:4] = u
    np.testing.assert_allclose(ops.slice_update(x, (1, 2), u), expected)
    check_vjp(lambda v, w: ops.slice_update(v, (1, 2), w), [x, u])
    with pytest.raises(ValueError, match=r"slice.*does not fit.*\(3, 4\)"):
        ops.slice(x, (2, 0), (2, 2))


def test_scatter_sums_duplicates_and_scatter_update_replaces(float64, rng):
    out = ops.scatter([[0, 1], [1, 1], [0, 1]], np.array([1.0, 2.0, 3.0]), (2, 2))
    np.testing.assert_allclose(out, [[0, 4], [0, 2]])
    rows = ops.scatter([[1]], np.array([[5.0, 6.0]]), (3, 2))
    np.testing.assert_allclose(rows, [[0, 0], [5, 6], [0, 0]])
    v = rng.normal(size=(3,))
    check_vjp(lambda w: ops.scatter([[0, 1], [1, 0], [0, 1]], w, (2, 2)), [v])
    x = rng.normal(size=(4, 3))
    upd = rng.normal(size=(2, 3))
    expected = x.copy()
    expected[[3, 0]] = upd
    np.testing.assert_allclose(ops.scatter_update(x, [[3], [0]], upd), expected)
    check_vjp(lambda a, b: ops.scatter_update(a, [[3], [0]], b), [x, upd])
    with pytest.raises(ValueError, match=r"scatter_update.*updates.*\(2, 3\)"):
        ops.scatter_update(x, [[3], [0]], np.ones((2, 2)))


def test_unstack(float64, rng):
    x = rng.normal(size=(2, 3))
    parts = ops.unstack(x, axis=1)
    assert len(parts) == 3 and parts[0].shape == (2,)
    np.testing.assert_allclose(parts[2], x[:, 2])
    check_vjp(lambda v: ops.unstack(v), [x])
    with pytest.raises(ValueError, match="unstack.*num"):
        ops.unstack(x, num=3)


def test_control_flow(float64, rng):
    assert ops.cond(np.array(True), lambda: 1, lambda: 2) == 1
    assert ops.switch(5, [lambda a: a + 1, lambda a: a * 10], 2) == 20
    i, total = ops.while_loop(lambda i, t: i < 4, lambda i, t: (i + 1, t + i), (0, 0))
    assert (i, total) == (4, 6)
    assert ops.while_loop(lambda n: n < 100, lambda n: n * 2, 1, maximum_iterations=3) == 8
    assert ops.fori_loop(0, 5, lambda i, v: v + i, 0) == 10
    x = rng.normal(size=(3, 2))
    np.testing.assert_allclose(ops.map(lambda r: ops.multiply(r, r), x), x * x)
    check_vjp(lambda v: ops.vectorized_map(lambda r: ops.sum(ops.exp(r)), v), [x])
