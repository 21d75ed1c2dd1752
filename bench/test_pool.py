"""W3 (max pooling 2x2 stride 2 on 64x20x20x64), forward and forward+backward, by kernel
backend and thread count (`make bench`)."""
import numpy as np
import pytest

import nnfast
from nnfast import ops
from nnfast.autograd import GradientTape, Variable


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("backend", ["cython", "numpy"])
@pytest.mark.parametrize("mode", ["forward", "forward+backward"])
def test_w3_max_pool(benchmark, backend, threads, mode):
    nnfast.config.set_kernels(backend)
    nnfast.config.set_num_threads(threads)
    x = Variable(np.random.default_rng(0).random((64, 20, 20, 64), dtype=np.float32))

    def forward():
        return ops.max_pool(x, 2, 2)

    def forward_backward():
        with GradientTape() as tape:
            y = ops.max_pool(x, 2, 2)
        return tape.gradient(y, x, output_gradients=np.ones(y.shape, np.float32))

    benchmark.group = f"W3 max pool {mode} threads={threads}"
    benchmark(forward if mode == "forward" else forward_backward)
    nnfast.config.set_kernels("auto")
