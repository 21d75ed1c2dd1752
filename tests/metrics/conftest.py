import pytest


@pytest.fixture(autouse=True)
def _on_numpy_kernels(numpy_kernels):
    """These tests check formulas; the kernel twins are compared in tests/kernels."""
