"""Fixtures for the metric tests: NumPy kernels and float64 mode."""
import pytest

import nnfast


@pytest.fixture(autouse=True)
def numpy_kernels():
    previous = nnfast.kernels.get_backend()
    nnfast.kernels.set_backend("numpy")
    yield
    nnfast.kernels.set_backend(previous)


@pytest.fixture
def float64_mode():
    previous = nnfast.backend.floatx()
    nnfast.backend.set_floatx("float64")
    yield
    nnfast.backend.set_floatx(previous)
