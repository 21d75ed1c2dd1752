"""Convolution suites for W2 (`make bench`): the three conv layers of the W2 network, forward
and forward+backward, per kernel backend and thread count, with PyTorch's conv2d beside
them when installed and the direct (no im2col) kernels as a baseline on the first layer.

  a  64x28x28x1  -> 32, 5x5 valid   (first layer: no input gradient)
  b  64x24x24x32 -> 64, 5x5 valid
  c  64x32x32x64 -> 64, 3x3 same
Each call is the layer's fused op (conv + bias + relu); forward+backward asks the tape for
the kernel and bias gradients (and the input's, except for the first layer).
"""
import numpy as np
import pytest

import nnfast

CASES = {"a": ((64, 28, 28, 1), 32, 5, "valid"),
         "b": ((64, 24, 24, 32), 64, 5, "valid"),
         "c": ((64, 32, 32, 64), 64, 3, "same")}


def _arrays(case):
    shape, filters, k, padding = CASES[case]
    rng = np.random.default_rng(0)
    x = rng.random(shape, dtype=np.float32)
    w = rng.normal(0, 0.1, (k, k, shape[3], filters)).astype(np.float32)
    b = np.zeros(filters, np.float32)
    return x, w, b, padding


def _flops(case, backward):
    shape, filters, k, padding = CASES[case]
    out = shape[1] if padding == "same" else shape[1] - k + 1
    fwd = 2 * shape[0] * out * out * filters * k * k * shape[3]
    return fwd * ((3 if case != "a" else 2) if backward else 1)


def nnfast_step(case, backward):
    x, w, b, padding = _arrays(case)
    w, b = nnfast.Variable(w), nnfast.Variable(b)
    x = nnfast.ops.convert_to_tensor(x)
    ops = nnfast.ops

    def forward():
        return ops.conv_bias_activation(x, w, b, padding=padding, activation="relu")

    def step():
        with nnfast.GradientTape() as tape:
            if case != "a":
                tape.watch(x)
            y = forward()
        return tape.gradient(y, [x, w, b] if case != "a" else [w, b])

    return step if backward else forward


def torch_step(case, backward):
    import torch

    x, w, b, padding = _arrays(case)
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous().requires_grad_(case != "a")
    wt = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous().requires_grad_()
    bt = torch.from_numpy(b).requires_grad_()
    pad = 0 if padding == "valid" else w.shape[0] // 2

    def forward():
        with torch.no_grad():
            return torch.relu(torch.nn.functional.conv2d(xt, wt, bt, padding=pad))

    def step():
        y = torch.relu(torch.nn.functional.conv2d(xt, wt, bt, padding=pad))
        y.backward(torch.ones_like(y))

    return step if backward else forward


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("impl", ["cython", "numpy", "cython-direct", "torch"])
@pytest.mark.parametrize("mode", ["forward", "forward+backward"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_w2_conv(benchmark, case, mode, impl, threads):
    from nnfast.kernels import compiled_conv

    backward = mode == "forward+backward"
    benchmark.group = f"W2 conv {case} {mode} threads={threads}"
    benchmark.extra_info["flops"] = _flops(case, backward)
    if impl == "torch":
        torch = pytest.importorskip("torch")
        torch.set_num_threads(threads)
        fn = torch_step(case, backward)
        benchmark.pedantic(fn, rounds=5, warmup_rounds=1)
        return
    if impl == "cython-direct" and case != "a":
        pytest.skip("the direct kernels are the few-input-channels baseline (case a)")
    nnfast.config.set_kernels("numpy" if impl == "numpy" else "cython")
    nnfast.config.set_num_threads(threads)
    saved = compiled_conv.DIRECT_MAX_CHANNELS
    compiled_conv.DIRECT_MAX_CHANNELS = 64 if impl == "cython-direct" else saved
    try:
        benchmark.pedantic(nnfast_step(case, backward), rounds=5, warmup_rounds=1)
    finally:
        compiled_conv.DIRECT_MAX_CHANNELS = saved
