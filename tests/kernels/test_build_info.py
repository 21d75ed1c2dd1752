"""What `nnfast.kernels.info()` reports, and the fallback when the extension is missing."""
import subprocess
import sys

import nnfast

from .conftest import require_compiled


def test_info_reports_compiled_kernels_openmp_blas_and_threads():
    require_compiled()
    info = nnfast.kernels.info()
    assert {"gemm", "activation_forward", "softmax_cross_entropy"} <= set(info["compiled_kernels"])
    assert info["openmp"] is True
    assert info["num_threads"] == nnfast.config.get_num_threads()
    assert info["kernels"]["gemm"] == "cython"
    assert any(lib.get("internal_api") for lib in info["blas"])


def test_missing_extension_warns_once_and_runs_on_numpy(tmp_path):
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
print(len(msgs), nnfast.kernels.which('gemm'), nnfast.kernels.compiled_available())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "numpy", "False"]


def test_openmp_info_module_reports_the_build():
    require_compiled()
    from nnfast._ext import openmp_info

    assert openmp_info.openmp_enabled() is nnfast.kernels.openmp_enabled()
    assert openmp_info.openmp_max_threads() >= 1
