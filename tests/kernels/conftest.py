import os

import pytest

import nnfast


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    nnfast.config.set_num_threads(request.param)
    return request.param


def require_compiled():
    """The compiled-vs-NumPy tests FAIL without a build (a missing build must not pass
    silently), unless NNFAST_ALLOW_NO_EXT=1 says a NumPy-only run is intended."""
    if not nnfast.kernels.compiled_available():
        if os.environ.get("NNFAST_ALLOW_NO_EXT") == "1":
            pytest.skip("compiled extension not built (NNFAST_ALLOW_NO_EXT=1)")
        pytest.fail("nnfast._ext is not built: run `make build`")
