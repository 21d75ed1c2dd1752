"""Fixtures for the op tests: float64 mode and a per-kernel-backend parameter."""
import numpy as np
import pytest

import nnfast


@pytest.fixture
def f64():
    """Gradient checks run in float64 (restored afterwards)."""
    previous = nnfast.backend.floatx()
    nnfast.backend.set_floatx("float64")
    yield
    nnfast.backend.set_floatx(previous)


@pytest.fixture(params=["numpy", "cython"])
def kernels_backend(request):
    """Run once on the NumPy kernels and once on the compiled ones (skipped only when the
    compiled extension is not available here)."""
    previous = nnfast.kernels.get_backend()
    if request.param == "cython" and not nnfast.kernels.compiled_available():
        pytest.skip("the compiled kernels are not built")
    nnfast.kernels.set_backend(request.param)
    yield request.param
    nnfast.kernels.set_backend(previous)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
