"""GEMM kernels side by side (`make bench`): scipy's BLAS through the Cython shim (the
default), NumPy's matmul (the twin, NumPy's own OpenBLAS) and the blocked Cython GEMM
(the baseline), at W1 sizes and at the small shapes of the W6 MLP."""
import numpy as np
import pytest

import nnfast

SHAPES = [(32, 784, 300), (784, 32, 300), (256, 256, 256), (1024, 1024, 1024)]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("impl", ["cython-blas", "numpy", "cython-blocked"])
@pytest.mark.parametrize("m,k,n", SHAPES, ids=[f"{m}x{k}x{n}" for m, k, n in SHAPES])
def test_gemm(benchmark, impl, threads, m, k, n):
    from nnfast.kernels import compiled
    from nnfast.kernels.numpy_ref import gemm as ref

    if impl == "cython-blocked" and m * n * k > 300**3:
        pytest.skip("the blocked baseline is only timed on small shapes")
    nnfast.config.set_num_threads(threads)
    rng = np.random.default_rng(0)
    a = rng.random((m, k), dtype=np.float32)
    b = rng.random((k, n), dtype=np.float32)
    fn = {"cython-blas": compiled.gemm, "numpy": ref.gemm,
          "cython-blocked": lambda a, b: compiled.gemm_blocked(a, b)}[impl]
    benchmark.group = f"gemm {m}x{k}x{n} threads={threads}"
    benchmark.extra_info["gflops"] = 2 * m * n * k
    benchmark(fn, a, b)
