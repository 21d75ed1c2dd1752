"""Shared fixtures: every test starts from the same global state."""
import os

import numpy as np
import pytest

import nnfast


@pytest.fixture(autouse=True)
def _reset_global_state():
    floatx = nnfast.backend.floatx()
    kernels = nnfast.kernels.get_backend()
    threads = nnfast.config.get_num_threads()
    nnfast.utils.set_random_seed(1234)
    yield
    nnfast.backend.set_floatx(floatx)
    nnfast.kernels.set_backend(kernels)
    nnfast.config.set_num_threads(threads)


@pytest.fixture
def float64():
    """Gradient checks run in float64 (restored by _reset_global_state)."""
    nnfast.backend.set_floatx("float64")


@pytest.fixture
def numpy_kernels():
    nnfast.kernels.set_backend("numpy")


@pytest.fixture(params=["numpy", "cython"])
def kernel_backend(request):
    """Run a test once per kernel backend. Without a build the cython case FAILS (a
    missing build must not pass silently) unless NNFAST_ALLOW_NO_EXT=1."""
    if request.param == "cython" and not nnfast.kernels.compiled_available():
        if os.environ.get("NNFAST_ALLOW_NO_EXT") == "1":
            pytest.skip("compiled extension not built (NNFAST_ALLOW_NO_EXT=1)")
        pytest.fail("the compiled extension is not built: run `make build`")
    nnfast.kernels.set_backend(request.param)
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(0)
