"""What `nnfast.kernels.info()` reports, the OpenMP build helpers, and the fallback when
the extension is missing."""
import os
import subprocess
import sys

import nnfast
from nnfast.kernels import threads as kernel_threads

from .conftest import compiled, require_compiled

# A build made with NNFAST_NO_OPENMP=1 (run its tests with the same variable set) has
# serial kernels; every other build must have OpenMP.
OPENMP_EXPECTED = os.environ.get("NNFAST_NO_OPENMP", "").strip().lower() not in ("1", "true", "yes", "on")
CONTRACT = ("gemm", "bias_add", "bias_grad", "activation_forward", "activation_backward",
            "bias_activation_forward", "softmax_cross_entropy",
            "softmax_cross_entropy_backward")


def test_info_reports_compiled_kernels_openmp_blas_and_threads():
    require_compiled()
    with nnfast.kernels.using("auto"):       # whatever NNFAST_KERNELS this run has
        info = nnfast.kernels.info()
    assert set(CONTRACT) <= set(info["compiled_kernels"])
    assert all(info["kernels"][name] == "cython" for name in CONTRACT)
    assert info["compiled_available"] is True and info["compiled_error"] is None
    assert info["openmp"] is OPENMP_EXPECTED
    assert info["num_threads"] == kernel_threads.get_num_threads()
    # scipy's OpenBLAS (what the compiled GEMM calls) is among the BLAS libraries listed.
    assert any(lib.get("internal_api") for lib in info["blas"])


def test_every_contract_kernel_has_a_numpy_twin():
    with nnfast.kernels.using("numpy"):
        assert all(nnfast.kernels.which(name) == "numpy" for name in CONTRACT)


def test_openmp_helpers_report_the_build_and_really_start_threads():
    require_compiled()
    from nnfast._ext import _openmp_helpers as omp

    assert omp.openmp_enabled() is OPENMP_EXPECTED is compiled().openmp_enabled()
    assert omp.openmp_max_threads() >= 1
    # A prange asked for n threads runs on n distinct threads (OpenMP is live, not stubs);
    # without OpenMP every loop runs on the calling thread.
    want = [1, 2, 3] if OPENMP_EXPECTED else [1, 1, 1]
    assert [omp.openmp_team_size(n) for n in (1, 2, 3)] == want


def test_missing_extension_warns_once_and_runs_on_numpy():
    # A process in which importing nnfast._ext fails: nnfast must warn once and train.
    code = """
import sys, warnings
sys.modules['nnfast._ext.gemm'] = None          # makes `import nnfast._ext.gemm` fail
import numpy as np
import nnfast
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    model = nnfast.Sequential([nnfast.layers.Dense(2, input_shape=(3,))])
    model.compile('sgd', 'mse')
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), epochs=2, verbose=0)
    nnfast.kernels.get('gemm')
msgs = [str(w.message) for w in caught if 'compiled kernels' in str(w.message)]
info = nnfast.kernels.info()
print(len(msgs), nnfast.kernels.which('gemm'), info['compiled_available'], info['openmp'])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "numpy", "False", "False"]
