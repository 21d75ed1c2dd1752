"""Adapters for the compiled convolution kernels (src/conv.pyx), registered as the
"cython" implementations of `conv2d`, `conv2d_backward_input` and
`conv2d_backward_kernel` (contracts: nnfast/kernels/numpy_ref/conv.py), and of the
depthwise `depthwise_conv2d*` kernels (src/conv_depthwise.pyx, direct loops).

Each adapter checks with the twin's checks, then picks a path:
- pointwise (1x1 kernel, stride 1, no padding): the convolution *is* a GEMM on the
  input seen as (N*H*W, C); one BLAS call, threaded by BLAS itself;
- direct loops when the input has few channels (`DIRECT_MAX_CHANNELS`, off: measured
  slower than im2col, see below);
- im2col tiles + per-tile GEMM otherwise, in a parallel loop whose threads each call
  BLAS single-threaded (DESIGN.md, Threads: never more running threads than asked);
  the stride-1 input gradient may run as a forward convolution (`DX_AS_CONV`).
The column buffers are kept per calling thread and reused from call to call.
"""
import contextlib
import threading

import numpy as np

from nnfast._ext import conv as _conv
from nnfast._ext import conv_depthwise as _dw
from nnfast.kernels import compiled as _compiled
from nnfast.kernels.numpy_ref import conv as _ref
from nnfast.kernels.numpy_ref import conv_depthwise as _dref
from nnfast.kernels.registry import register
from nnfast.kernels.threads import get_num_threads

# im2col tile size, in elements of the column buffer (per thread). Measured on W2's
# shapes: 2^19..2^21 run BLAS at its best (~80 GFLOPS/core forward), 2^17 and 2^22 lose
# 5-10 %.
TILE_ELEMENTS = 1 << 20
# Inputs with at most this many channels take the direct (no im2col) loops. Measured
# (one core, float32): they lose 2.5-5x to im2col + BLAS even at C=1 (28x28x1 -> 32 5x5:
# forward 7.4 ms direct vs 1.7 ms): our loops are built for plain x86-64 (SSE2) while
# OpenBLAS picks AVX2/FMA kernels at run time, and even an NNFAST_NATIVE=1 build loses
# 1.1-3.5x. So 0: the direct kernels stay as the measured baseline (bench/test_conv.py).
DIRECT_MAX_CHANNELS = 0
# With stride 1 the input gradient is also a forward convolution of dy with the flipped
# kernel ("full" padding): one GEMM with inner dimension kh*kw*K instead of K, and no
# col2im. Measured (one core): 5-10 % faster when C == K (W2 case c: 64 -> 60 ms), but
# 20-55 % slower when C and K differ (case b, C=32 -> K=64: 35 -> 55 ms). "auto" = C == K.
DX_AS_CONV = "auto"
# Below this many multiply-adds a call stays on one thread (as PARALLEL_MIN_ELEMENTS
# does for the elementwise kernels; tests lower that one to force threads).
_MACS_PER_ELEMENT = 16

_blas_controller = None     # threadpoolctl's view of the BLAS libraries, found once
_no_threadpoolctl = False


def _blas_cappable():
    """True when BLAS can be made single-threaded for the span of a parallel loop."""
    global _blas_controller, _no_threadpoolctl
    if _blas_controller is None and not _no_threadpoolctl:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _no_threadpoolctl = True
        else:
            _blas_controller = ThreadpoolController().select(user_api="blas")
    return not _no_threadpoolctl


def _team(macs, parts, uses_blas):
    """Threads for a kernel's parallel loop over `parts` independent pieces."""
    n = get_num_threads()
    if n <= 1 or parts <= 1 or macs < _compiled.PARALLEL_MIN_ELEMENTS * _MACS_PER_ELEMENT:
        return 1
    if uses_blas and not _blas_cappable():
        return 1          # BLAS cannot be capped: let it thread on its own instead
    return min(n, parts)


def _blas_scope(team):
    """BLAS single-threaded while `team` threads of ours call it (restored after)."""
    if team > 1:
        return _blas_controller.limit(limits=1)
    return contextlib.nullcontext()


_local = threading.local()     # per calling thread: {dtype: flat scratch buffer}


def _scratch(team, size, dtype):
    """A (team, size) column buffer, reused from call to call (and step to step) by the
    calling thread: fresh pages each call cost page faults (~1000 per 4 MB)."""
    buffers = _local.__dict__.setdefault("buffers", {})
    buf = buffers.get(dtype)
    if buf is None or buf.size < team * size:
        buf = buffers[dtype] = np.empty(team * size, dtype=dtype)
    return buf[:team * size].reshape(team, size)


def _tile(rows, team, kc):
    return max(1, min(-(-rows // team), TILE_ELEMENTS // max(kc, 1)))


def _contig(a):
    return a if type(a) is np.ndarray and a.flags.c_contiguous else np.ascontiguousarray(a)


def _pointwise(kernel_shape, strides, pads):
    return kernel_shape[:2] == (1, 1) and strides == (1, 1) and pads == ((0, 0), (0, 0))


def _args(strides, pads, dilation):
    return (strides[0], strides[1], pads[0][0], pads[1][0], dilation[0], dilation[1])


def conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    strides, dilation, pads, out_hw = _ref.check_conv2d(x, kernel, strides, padding, dilation)
    return _forward(_contig(x), _contig(kernel), strides, pads, dilation, out_hw)


def _full_padding(input_shape, kernel_shape, pads, dilation, out_hw):
    """Pads under which the stride-1 input gradient is a forward convolution of dy with
    the flipped kernel, or None when one would be negative (pads beyond the kernel)."""
    full = []
    for a in range(2):
        before = (kernel_shape[a] - 1) * dilation[a] - pads[a][0]
        after = input_shape[1 + a] - out_hw[a] + pads[a][0]
        if before < 0 or after < 0:
            return None
        full.append((before, after))
    return tuple(full)


def _forward(x, kernel, strides, pads, dilation, out_hw):
    n, _, _, c = x.shape
    kh, kw, _, k = kernel.shape
    if x.size == 0 or kernel.size == 0:
        return np.zeros((n,) + out_hw + (k,), dtype=x.dtype)
    if _pointwise(kernel.shape, strides, pads):
        return _compiled.gemm(x.reshape(-1, c), kernel.reshape(c, k)).reshape(x.shape[:3] + (k,))
    y = np.empty((n,) + out_hw + (k,), dtype=x.dtype)
    rows, kc = n * out_hw[0] * out_hw[1], kh * kw * c
    geo = _args(strides, pads, dilation)
    if c <= DIRECT_MAX_CHANNELS:
        _conv.direct_forward(x, kernel, y, *geo, _team(rows * kc * k, rows, False))
        return y
    team = _team(rows * kc * k, rows, True)
    tile = _tile(rows, team, kc)
    scratch = _scratch(team, tile * kc, x.dtype)
    with _blas_scope(team):
        _conv.conv2d_forward(x, kernel, y, *geo, scratch, tile, team)
    return y


def conv2d_backward_input(dy, kernel, input_shape, strides=(1, 1), padding="valid",
                          dilation=(1, 1)):
    input_shape, (strides, dilation, pads, out_hw) = _ref.check_backward_input(
        dy, kernel, input_shape, strides, padding, dilation)
    dy, kernel = _contig(dy), _contig(kernel)
    n, _, _, c = input_shape
    kh, kw, _, k = kernel.shape
    if dy.size == 0 or kernel.size == 0 or 0 in input_shape:
        return np.zeros(input_shape, dtype=dy.dtype)
    if _pointwise(kernel.shape, strides, pads):
        return _compiled.gemm(dy.reshape(-1, k), kernel.reshape(c, k),
                              trans_b=True).reshape(input_shape)
    full = _full_padding(input_shape, kernel.shape, pads, dilation, out_hw)
    as_conv = DX_AS_CONV is True or (DX_AS_CONV == "auto" and c == k)
    if as_conv and strides == (1, 1) and full is not None:
        flipped = np.ascontiguousarray(kernel[::-1, ::-1].transpose(0, 1, 3, 2))
        return _forward(dy, flipped, (1, 1), full, dilation, input_shape[1:3])
    dx = np.empty(input_shape, dtype=dy.dtype)
    p, kc = out_hw[0] * out_hw[1], kh * kw * c
    team = _team(n * p * kc * k, n, True)
    tile = _tile(p, 1, kc)
    scratch = _scratch(team, tile * kc, dy.dtype)
    with _blas_scope(team):
        _conv.conv2d_backward_input(dy, kernel, dx, *_args(strides, pads, dilation), scratch,
                                    tile, team)
    return dx


def conv2d_backward_kernel(x, dy, kernel_shape, strides=(1, 1), padding="valid",
                           dilation=(1, 1)):
    kernel_shape, (strides, dilation, pads, out_hw) = _ref.check_backward_kernel(
        x, dy, kernel_shape, strides, padding, dilation)
    x, dy = _contig(x), _contig(dy)
    kh, kw, c, k = kernel_shape
    if x.size == 0 or dy.size == 0 or 0 in kernel_shape:
        return np.zeros(kernel_shape, dtype=x.dtype)
    if _pointwise(kernel_shape, strides, pads):
        return _compiled.gemm(x.reshape(-1, c), dy.reshape(-1, k),
                              trans_a=True).reshape(kernel_shape)
    rows, kc = dy.shape[0] * out_hw[0] * out_hw[1], kh * kw * c
    geo = _args(strides, pads, dilation)
    direct = c <= DIRECT_MAX_CHANNELS
    team = _team(rows * kc * k, rows, not direct)
    partial = np.zeros((team, kc, k), dtype=x.dtype)
    if direct:
        _conv.direct_backward_kernel(x, dy, partial, kh, kw, *geo, team)
    else:
        tile = _tile(rows, team, kc)
        scratch = _scratch(team, tile * kc, x.dtype)
        with _blas_scope(team):
            _conv.conv2d_backward_kernel(x, dy, partial, kh, kw, *geo, scratch, tile, team)
    dk = partial[0]
    for t in range(1, team):
        dk += partial[t]
    return dk.reshape(kernel_shape)


# --- depthwise ------------------------------------------------------------------------------
def depthwise_conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    strides, dilation, pads, out_hw = _dref.check_depthwise(x, kernel, strides, padding,
                                                            dilation)
    x, kernel = _contig(x), _contig(kernel)
    kh, kw, c, m = kernel.shape
    y = np.zeros((x.shape[0],) + out_hw + (c * m,), dtype=x.dtype)
    if x.size and y.size:
        rows = y.size // (c * m)
        _dw.depthwise_forward(x, kernel, y, *_args(strides, pads, dilation),
                              _team(y.size * kh * kw, rows, False))
    return y


def depthwise_conv2d_backward_input(dy, kernel, input_shape, strides=(1, 1),
                                    padding="valid", dilation=(1, 1)):
    input_shape, (strides, dilation, pads, _) = _dref.check_depthwise_backward_input(
        dy, kernel, input_shape, strides, padding, dilation)
    dy, kernel = _contig(dy), _contig(kernel)
    dx = np.zeros(input_shape, dtype=dy.dtype)
    if dx.size and dy.size:
        team = _team(dy.size * kernel.shape[0] * kernel.shape[1], input_shape[0], False)
        _dw.depthwise_backward_input(dy, kernel, dx, *_args(strides, pads, dilation), team)
    return dx


def depthwise_conv2d_backward_kernel(x, dy, kernel_shape, strides=(1, 1), padding="valid",
                                     dilation=(1, 1)):
    kernel_shape, (strides, dilation, pads, _) = _dref.check_depthwise_backward_kernel(
        x, dy, kernel_shape, strides, padding, dilation)
    x, dy = _contig(x), _contig(dy)
    if not (x.size and dy.size):
        return np.zeros(kernel_shape, dtype=x.dtype)
    rows = dy.size // (kernel_shape[2] * kernel_shape[3])
    team = _team(dy.size * kernel_shape[0] * kernel_shape[1], rows, False)
    partial = np.zeros((team,) + kernel_shape, dtype=x.dtype)
    _dw.depthwise_backward_kernel(x, dy, partial, *_args(strides, pads, dilation), team)
    dk = partial[0]
    for t in range(1, team):
        dk += partial[t]
    return dk


for _name, _fn in (("conv2d", conv2d), ("conv2d_backward_input", conv2d_backward_input),
                   ("conv2d_backward_kernel", conv2d_backward_kernel),
                   ("depthwise_conv2d", depthwise_conv2d),
                   ("depthwise_conv2d_backward_input", depthwise_conv2d_backward_input),
                   ("depthwise_conv2d_backward_kernel", depthwise_conv2d_backward_kernel)):
    register(_name, cython=_fn)
