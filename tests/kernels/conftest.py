import contextlib
import os

import numpy as np
import pytest

import nnfast
from nnfast.kernels import threads as kernel_threads


def require_compiled():
    """The compiled-vs-NumPy tests FAIL without a build (a missing build must not pass
    silently), unless NNFAST_ALLOW_NO_EXT=1 says a NumPy-only run is intended."""
    if not nnfast.kernels.compiled_available():
        if os.environ.get("NNFAST_ALLOW_NO_EXT") == "1":
            pytest.skip("compiled extension not built (NNFAST_ALLOW_NO_EXT=1)")
        pytest.fail("nnfast._ext is not built: run `make build` (or set NNFAST_ALLOW_NO_EXT=1)")


def compiled():
    """The compiled adapters module (fails the test when the extension is missing)."""
    require_compiled()
    from nnfast.kernels import compiled as mod

    return mod


@contextlib.contextmanager
def num_threads(n, force_parallel=True):
    """Run a block with `n` kernel threads. With `force_parallel` the elementwise kernels
    start their team even on tiny arrays (the size cut-off is lowered to 0), so random
    small shapes exercise the parallel loops too. Both settings are restored."""
    previous = kernel_threads.get_num_threads()
    mod = compiled() if force_parallel else None
    cutoff = mod.PARALLEL_MIN_ELEMENTS if mod else None
    kernel_threads.set_num_threads(n)
    if mod:
        mod.PARALLEL_MIN_ELEMENTS = 0
    try:
        yield
    finally:
        kernel_threads.set_num_threads(previous)
        if mod:
            mod.PARALLEL_MIN_ELEMENTS = cutoff


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    """A test body run at 1 and at 2 threads (threads forced on, whatever the size)."""
    with num_threads(request.param):
        yield request.param


def assert_close(got, want, dtype, k=1):
    """float32: rtol 1e-5, atol 1e-6 scaled by the reduction size k; float64 tighter."""
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if np.dtype(dtype) == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * max(1, k))
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13 * max(1, k))
