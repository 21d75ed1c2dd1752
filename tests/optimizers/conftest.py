"""Fixtures for the optimizer tests."""
import warnings

import pytest

import nnfast


@pytest.fixture(autouse=True)
def _quiet_missing_extension():
    # SGD, Adam and RMSprop run compiled when the extension is built (tested equal to the
    # NumPy twins in tests/kernels/test_optim_compiled.py); without a build they fall back
    # to NumPy, and these tests need not repeat the registry's one warning.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="nnfast: the compiled kernels")
        yield


@pytest.fixture
def float64():
    previous = nnfast.backend.floatx()
    nnfast.backend.set_floatx("float64")
    yield
    nnfast.backend.set_floatx(previous)
