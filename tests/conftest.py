"""Shared fixtures: every test starts from the same global state."""
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
    nnfast.backend.set_floatx("float64")
    yield
    nnfast.backend.set_floatx("float32")


@pytest.fixture(params=["numpy", "cython"])
def kernel_backend(request):
    """Run a test once per kernel backend (cython only where the extension is built)."""
    if request.param == "cython" and not nnfast.kernels.compiled_available():
        pytest.fail("the compiled extension is not built: run `make build` (set "
                    "NNFAST_ALLOW_NO_EXT=1 to run NumPy-only)") if not _allow_no_ext() else pytest.skip("no extension")
    nnfast.kernels.set_backend(request.param)
    return request.param


def _allow_no_ext():
    import os

    return os.environ.get("NNFAST_ALLOW_NO_EXT") == "1"


def rng(seed=0):
    return np.random.default_rng(seed)
