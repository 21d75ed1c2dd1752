"""Fixtures for the optimizer tests."""
import warnings

import pytest

import nnfast


@pytest.fixture(autouse=True)
def _quiet_missing_extension():
    # The compiled twin of the optimizer kernels comes later; "auto" falls back to NumPy.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="nnfast: the compiled kernels")
        yield


@pytest.fixture
def float64():
    previous = nnfast.backend.floatx()
    nnfast.backend.set_floatx("float64")
    yield
    nnfast.backend.set_floatx(previous)
