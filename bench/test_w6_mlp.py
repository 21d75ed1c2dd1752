"""pytest-benchmark suite for W6 (`make bench`): one training epoch per round, nnfast
with each kernel backend and thread count, and PyTorch when installed."""
import pytest

import workloads

SAMPLES = 11_000   # a fifth of W6 keeps `make bench` short; compare.py runs the full epoch


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("kernels", ["cython", "numpy"])
def test_w6_nnfast(benchmark, kernels, threads):
    epoch = workloads.nnfast_w6_epoch(kernels, threads, SAMPLES)
    benchmark.group = f"W6 threads={threads}"
    benchmark.pedantic(epoch, rounds=3, warmup_rounds=1)


@pytest.mark.parametrize("threads", [1, 2])
def test_w6_torch(benchmark, threads):
    pytest.importorskip("torch")
    epoch = workloads.torch_w6_epoch(threads, SAMPLES)
    benchmark.group = f"W6 threads={threads}"
    benchmark.pedantic(epoch, rounds=3, warmup_rounds=1)
