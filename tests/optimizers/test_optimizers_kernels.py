"""The fused NumPy kernels called directly: registered, in place, list-wide."""
import numpy as np
import pytest

import nnfast

NAMES = ["sgd_update", "adam_update", "adamax_update", "nadam_update", "rmsprop_update",
         "adagrad_update", "adadelta_update"]


@pytest.mark.parametrize("name", NAMES)
def test_kernels_are_registered_with_a_numpy_twin(name):
    nnfast.kernels.get(name)                       # loads the registry
    assert "numpy" in nnfast.kernels.registry._impls[name]
    with nnfast.kernels.using("numpy"):
        assert nnfast.kernels.which(name) == "numpy"


def _lists(rng, shapes, dtype):
    return [rng.normal(size=s).astype(dtype) for s in shapes]


def test_adam_kernel_updates_every_buffer_in_place_with_per_param_decay():
    rng = np.random.default_rng(0)
    shapes = [(2, 3), (5,), ()]
    params = _lists(rng, shapes, "float64")
    start = [p.copy() for p in params]
    grads = _lists(rng, shapes, "float64")
    m = [np.zeros(s) for s in shapes]
    v = [np.zeros(s) for s in shapes]
    ids = [id(p) for p in params] + [id(x) for x in m + v]
    with nnfast.kernels.using("numpy"):
        nnfast.kernels.get("adam_update")(params, grads, m, v, None, 0.1, 0.9, 0.999, 1e-7, 1,
                                          False, [0.5, 0.0, 0.0])
    assert [id(p) for p in params] + [id(x) for x in m + v] == ids
    for p, p0, g, mi, vi, wd in zip(params, start, grads, m, v, [0.5, 0.0, 0.0]):
        np.testing.assert_allclose(mi, 0.1 * g)
        np.testing.assert_allclose(vi, 0.001 * g * g)
        decayed = p0 - p0 * wd * 0.1
        alpha = 0.1 * np.sqrt(0.001) / 0.1
        np.testing.assert_allclose(p, decayed - alpha * mi / (np.sqrt(vi) + 1e-7))


def test_sgd_kernel_float32_stays_float32_and_empty_list_is_a_no_op():
    p = [np.ones(4, dtype="float32")]
    with nnfast.kernels.using("numpy"):
        sgd = nnfast.kernels.get("sgd_update")
        sgd(p, [np.full(4, 2.0, dtype="float32")], None, 0.25, 0.0, False)
        sgd([], [], None, 0.25, 0.0, False)
    assert p[0].dtype == np.float32
    np.testing.assert_allclose(p[0], 0.5)


def test_scratch_buffers_do_not_leak_between_parameters():
    # A big then a small parameter: the small one must not read stale scratch data.
    rng = np.random.default_rng(1)
    big, small = rng.normal(size=1000), rng.normal(size=3)
    g_big, g_small = rng.normal(size=1000), rng.normal(size=3)
    expected_small = small - 0.1 * g_small / np.sqrt(0.1 + g_small**2 + 1e-7)
    with nnfast.kernels.using("numpy"):
        nnfast.kernels.get("adagrad_update")([big, small], [g_big, g_small],
                                             [np.full(1000, 0.1), np.full(3, 0.1)], 0.1, 1e-7)
    np.testing.assert_allclose(small, expected_small)
