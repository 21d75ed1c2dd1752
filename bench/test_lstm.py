"""W4 (WORKLOADS.md): an LSTM layer, batch 32, 100 steps, 64 inputs -> 128 units, forward
and forward+backward (gradients of the weights; the input is data, as in a first layer),
by kernel backend and thread count, and PyTorch's nn.LSTM when installed."""
import numpy as np
import pytest

import nnfast

N, T, I, U = 32, 100, 64, 128
PASSES = ["forward", "forward+backward"]


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, T, I)).astype(np.float32)


@pytest.fixture
def restore_kernels():
    backend = nnfast.kernels.get_backend()
    yield
    nnfast.kernels.set_backend(backend)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("kernels", ["cython", "numpy"])
@pytest.mark.parametrize("what", PASSES)
def test_w4_nnfast(benchmark, restore_kernels, what, kernels, threads):
    nnfast.config.set_kernels(kernels)
    nnfast.config.set_num_threads(threads)
    nnfast.utils.set_random_seed(0)
    x = _data()
    layer = nnfast.layers.LSTM(U, return_sequences=True)
    layer(x[:1])

    def forward():
        return layer(x)

    def forward_backward():
        with nnfast.GradientTape() as tape:
            out = layer(x, training=True)
        return tape.gradient(out, layer.trainable_weights)

    benchmark.group = f"W4 LSTM {what} threads={threads}"
    benchmark(forward if what == "forward" else forward_backward)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("what", PASSES)
def test_w4_torch(benchmark, what, threads):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.from_numpy(_data())
    lstm = torch.nn.LSTM(I, U, batch_first=True)

    def forward():
        with torch.no_grad():
            return lstm(x)[0]

    def forward_backward():
        lstm.zero_grad()
        out, _ = lstm(x)
        out.backward(torch.ones_like(out))

    benchmark.group = f"W4 LSTM {what} threads={threads}"
    benchmark(forward if what == "forward" else forward_backward)
