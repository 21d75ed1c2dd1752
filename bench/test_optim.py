"""Fused optimizer updates on the W6 MLP's parameters (784x300, 300, 300x100, 100,
100x10, 10), compiled vs NumPy (`make bench`)."""
import numpy as np
import pytest

from nnfast.kernels import registry

SHAPES = [(784, 300), (300,), (300, 100), (100,), (100, 10), (10,)]


@pytest.mark.parametrize("backend", ["cython", "numpy"])
@pytest.mark.parametrize("kind", ["sgd", "sgd-momentum", "adam"])
def test_optimizer_update(benchmark, backend, kind):
    registry.names()
    rng = np.random.default_rng(0)
    params = [rng.random(s, dtype=np.float32) for s in SHAPES]
    grads = [rng.random(s, dtype=np.float32) * 1e-3 for s in SHAPES]
    slots = [[np.zeros(s, np.float32) for s in SHAPES] for _ in range(2)]
    from nnfast import kernels

    kernels.get("gemm")                      # loads the registry
    if kind == "adam":
        fn = registry._impls["adam_update"][backend]
        run = lambda: fn(params, grads, slots[0], slots[1], None, 1e-3, 0.9, 0.999, 1e-7, 1, False)  # noqa: E731
    else:
        fn = registry._impls["sgd_update"][backend]
        momenta = slots[0] if kind == "sgd-momentum" else None
        run = lambda: fn(params, grads, momenta, 0.01, 0.9 if momenta else 0.0, False)  # noqa: E731
    benchmark.group = f"optimizer {kind}"
    benchmark(run)
