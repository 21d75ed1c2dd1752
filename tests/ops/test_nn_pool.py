"""ops.max_pool / ops.average_pool: shapes, formats, and gradients against finite
differences on both kernel backends."""
import numpy as np
import pytest

from nnfast import ops

from gradcheck import check_vjp


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", [(2, None), (3, 2), ((2, 3), (1, 2))])
def test_pool_2d_gradients(kernel_backend, float64, rng, padding, pool, strides):
    x = rng.permutation(2 * 5 * 6 * 3).reshape(2, 5, 6, 3) / 7.0     # distinct: no max ties
    check_vjp(lambda a: ops.max_pool(a, pool, strides, padding), [x])
    check_vjp(lambda a: ops.average_pool(a, pool, strides, padding), [x])


def test_pool_1d_and_channels_first(kernel_backend, float64, rng):
    x = rng.permutation(2 * 7 * 3).reshape(2, 7, 3) / 5.0
    check_vjp(lambda a: ops.max_pool(a, 2, 1, "same"), [x])
    y = ops.average_pool(x, 3, 2)
    np.testing.assert_allclose(y[:, 0], x[:, :3].mean(1))
    cf = rng.normal(size=(2, 3, 6, 4))
    want = ops.max_pool(np.moveaxis(cf, 1, -1), 2)
    np.testing.assert_allclose(ops.max_pool(cf, 2, data_format="channels_first"),
                               np.moveaxis(np.asarray(want), -1, 1))
    check_vjp(lambda a: ops.average_pool(a, 2, data_format="channels_first"), [cf])


def test_same_average_pool_counts_real_values_only():
    x = np.ones((1, 3, 3, 1), "float32")
    np.testing.assert_allclose(ops.average_pool(x, 2, 2, "same"), np.ones((1, 2, 2, 1)))


def test_pool_op_errors():
    with pytest.raises(ValueError, match="max_pool expects inputs of rank 3 .1-D. or 4"):
        ops.max_pool(np.zeros((2, 3), "float32"), 2)
    with pytest.raises(ValueError, match="larger than the input"):
        ops.max_pool(np.zeros((1, 2, 2, 1), "float32"), 3)
    with pytest.raises(ValueError, match="`padding` argument must be one of"):
        ops.average_pool(np.zeros((1, 4, 4, 1), "float32"), 2, padding="full")
    with pytest.raises(ValueError, match="pool_size"):
        ops.max_pool(np.zeros((1, 4, 4, 1), "float32"), (2, 2, 2))
