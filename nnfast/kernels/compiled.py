"""Adapters from the kernel contract to the compiled kernels in nnfast._ext.

Each adapter validates shapes and dtypes with the NumPy twin's own checks (so a bad call
raises the same clear error before compiled code touches memory), makes inputs
C-contiguous, allocates outputs, picks the thread count, and registers itself as the
"cython" implementation. Importing this module fails with ImportError when the extension
is not built; the registry then warns once and stays on NumPy.
"""
import time

import numpy as np

from nnfast._ext import _openmp_helpers as _omp
from nnfast._ext import elementwise as _ew
from nnfast._ext import gemm as _gemm
from nnfast.kernels.numpy_ref import elementwise as _ref
from nnfast.kernels.numpy_ref.gemm import check_gemm
from nnfast.kernels.registry import register
from nnfast.kernels.threads import get_num_threads

# Elementwise work below this many values runs on one thread: starting a team costs more
# than it saves (build.md §3). A module attribute so tests can force threads on small data.
PARALLEL_MIN_ELEMENTS = 32_768

KIND_CODES = {"linear": 0, "relu": 1, "leaky_relu": 2, "elu": 3, "selu": 4, "sigmoid": 5,
              "hard_sigmoid": 6, "tanh": 7, "softplus": 8, "softsign": 9, "exponential": 10,
              "gelu": 11, "gelu_approx": 12, "swish": 13}
_SOFTMAX_KINDS = ("softmax", "log_softmax")
_NDARRAY = np.ndarray


def openmp_enabled():
    """True when the extension was compiled with OpenMP."""
    return _omp.openmp_enabled()


def _threads(work):
    return get_num_threads() if work >= PARALLEL_MIN_ELEMENTS else 1


def _contig(x, dtype=None):
    if type(x) is _NDARRAY and x.flags.c_contiguous and (dtype is None or x.dtype == dtype):
        return x
    return np.ascontiguousarray(x, dtype=dtype)


def _rows(x):
    """A 2-D (rows, last axis) view of a non-empty C-contiguous array, for the row-wise
    kernels."""
    if x.ndim == 2:
        return x
    return x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)


def _same_buffer(a, b):
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.strides == b.strides)


def _target(like, out, *inputs):
    """Where a kernel writes: `out` itself when it is C-contiguous and either is exactly
    an input (every kernel here reads element i, or a whole row, before writing it) or
    does not overlap one; else a fresh buffer, copied into `out` by `_finish`."""
    if out is None:
        return np.empty_like(like)
    if out.flags.c_contiguous and out.flags.writeable and all(
            not np.may_share_memory(out, x) or _same_buffer(out, x) for x in inputs):
        return out
    return np.empty_like(like)


def _finish(buf, out):
    if out is not None and buf is not out:
        out[...] = buf
        return out
    return buf


# --- GEMM -------------------------------------------------------------------------------
def _blas_operand(x, trans):
    """(array, trans) for a non-C-contiguous `x` that BLAS can read in place: `x` when
    its rows are contiguous (the row stride becomes the leading dimension), its transpose
    with the flag flipped when its columns are (Fortran order, e.g. `w.T`), else a
    C-contiguous copy."""
    s = x.itemsize
    r, c = x.shape
    s0, s1 = x.strides
    if (c <= 1 or s1 == s) and (r <= 1 or (s0 >= c * s and s0 % s == 0)):
        return x, trans
    if (r <= 1 or s0 == s) and (c <= 1 or (s1 >= r * s and s1 % s == 0)):
        return x.T, not trans
    return np.ascontiguousarray(x), trans


def _blas_out_ok(out):
    s = out.itemsize
    s0, s1 = out.strides
    r, c = out.shape
    return out.flags.writeable and (c <= 1 or s1 == s) and (
        r <= 1 or (s0 >= c * s and s0 % s == 0))


# Which BLAS runs a Python-level product: NumPy's bundled OpenBLAS (0.3.31) or scipy's
# (0.3.30, through cython_blas). Neither wins everywhere on this EPYC: NumPy's measured 9x
# faster at M=1 (its gemv path) and 1.5x on the MLP's (32, 784) x (784, 300) forward, but
# scipy's 1.7x faster on the weight gradient (784, 32) x (32, 300) (BENCHMARKS.md). So the
# first product of each shape times both (best of 2, alternating) and keeps the faster;
# later products of that shape go straight to it. "numpy"/"scipy" pins one (benchmarks).
BLAS_CHOICE = "auto"
_TUNE_MIN_WORK = 32 * 1024          # m*n*k below this: NumPy (call overhead dominates)
_blas_by_shape = {}                 # (m, n, k, trans_a, trans_b, dtype) -> "numpy"|"scipy"


def _numpy_product(a, b, trans_a, trans_b, out):
    return np.matmul(a.T if trans_a else a, b.T if trans_b else b, out=out)


def _pick_blas(key, a, b, trans_a, trans_b, m, n, k):
    choice = BLAS_CHOICE
    if choice != "auto":
        return choice
    choice = _blas_by_shape.get(key)
    if choice is None:
        if m * n * k < _TUNE_MIN_WORK:
            choice = "numpy"
        else:
            best = {"numpy": float("inf"), "scipy": float("inf")}
            for _ in range(2):
                for name in best:
                    t0 = time.perf_counter()
                    if name == "numpy":
                        _numpy_product(a, b, trans_a, trans_b, None)
                    else:
                        _scipy_gemm(a, b, trans_a, trans_b, np.empty((m, n), a.dtype), 1.0, 0.0)
                    best[name] = min(best[name], time.perf_counter() - t0)
            choice = min(best, key=best.get)
        _blas_by_shape[key] = choice
    return choice


def gemm(a, b, trans_a=False, trans_b=False, out=None, alpha=1.0, beta=0.0):
    """alpha * op(a) @ op(b) + beta * out, one BLAS call (BLAS threads itself)."""
    if type(a) is not _NDARRAY:
        a = np.asarray(a)
    if type(b) is not _NDARRAY:
        b = np.asarray(b)
    m, n, k = check_gemm(a, b, trans_a, trans_b, out)
    if beta == 0.0 and alpha == 1.0 and k and m and n and (
            out is None or not (np.may_share_memory(out, a) or np.may_share_memory(out, b))):
        key = (m, n, k, trans_a, trans_b, a.dtype.char)
        if _pick_blas(key, a, b, trans_a, trans_b, m, n, k) == "numpy":
            return _numpy_product(a, b, trans_a, trans_b, out)
    target = out
    if out is None:
        target = np.empty((m, n), dtype=a.dtype)
        beta = 0.0
    elif not _blas_out_ok(out) or np.may_share_memory(out, a) or np.may_share_memory(out, b):
        # BLAS must not write where it reads: compute aside, then copy into `out`.
        target = np.empty((m, n), dtype=a.dtype) if beta == 0 else out.copy()
    if m and n:
        if k == 0:     # op(a) @ op(b) is all zeros; BLAS would get no valid pointer
            if beta == 0:
                target.fill(0)
            else:
                target *= beta
        else:
            _scipy_gemm(a, b, trans_a, trans_b, target, alpha, beta)
    return _finish(target, out)


def _scipy_gemm(a, b, trans_a, trans_b, target, alpha, beta):
    if not a.flags.c_contiguous:
        a, trans_a = _blas_operand(a, trans_a)
    if not b.flags.c_contiguous:
        b, trans_b = _blas_operand(b, trans_b)
    _gemm.gemm(a, b, trans_a, trans_b, target, alpha, beta)


def gemm_blocked(a, b):
    """The hand-written blocked GEMM (benchmark baseline only, never the default)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    m, n, _ = check_gemm(a, b, False, False, None)
    out = np.empty((m, n), dtype=a.dtype)
    _gemm.gemm_blocked(a, b, out, get_num_threads())
    return out


# --- activations ------------------------------------------------------------------------
def activation_forward(kind, x, alpha=0.0, out=None):
    _ref.check_kind(kind)
    _ref.check_float(x, "activation_forward")
    _ref.check_out(x, out, "activation_forward")
    x = _contig(x)
    y = _target(x, out, x)
    if x.size:
        if kind in _SOFTMAX_KINDS:
            _ref.check_rows(x, "activation_forward")
            _ew.softmax(_rows(x), _rows(y), kind == "log_softmax", _threads(x.size))
        else:
            _ew.activation_forward(KIND_CODES[kind], x.reshape(-1), y.reshape(-1),
                                   float(alpha), _threads(x.size))
    return _finish(y, out)


def activation_backward(kind, dy, x, y, alpha=0.0, out=None):
    _ref.check_activation_backward(kind, dy, x, y, alpha, out)
    dy = _contig(dy)
    y = _contig(y, dy.dtype)
    # Kinds that do not read x get y in its place: any array of the right length will do.
    x = y if x is None or not _ref.needs_input(kind) else _contig(x, dy.dtype)
    dx = _target(dy, out, dy, x, y)
    if dy.size:
        if kind in _SOFTMAX_KINDS:
            _ew.softmax_backward(_rows(dy), _rows(y), _rows(dx), kind == "log_softmax",
                                 _threads(dy.size))
        else:
            _ew.activation_backward(KIND_CODES[kind], dy.reshape(-1), x.reshape(-1),
                                    y.reshape(-1), dx.reshape(-1), float(alpha),
                                    _threads(dy.size))
    return _finish(dx, out)


# --- bias -------------------------------------------------------------------------------
def bias_add(x, bias, out=None):
    _ref.check_bias(x, bias, "bias_add")
    _ref.check_out(x, out, "bias_add")
    x = _contig(x)
    bias = _contig(bias, x.dtype)
    y = _target(x, out, x, bias)
    if x.size:
        _ew.bias_add(_rows(x), bias, _rows(y), _threads(x.size))
    return _finish(y, out)


def bias_grad(dy):
    _ref.check_bias_grad(dy)
    dy = _contig(dy)
    acc = np.zeros(dy.shape[-1], dtype=np.float64)
    if dy.size:
        _ew.bias_grad(_rows(dy), acc, _threads(dy.size))
    return acc.astype(dy.dtype, copy=False)


def bias_activation_forward(kind, z, bias, alpha=0.0):
    """y = act(z + bias) in one pass over z (which may be overwritten); returns (y, pre)
    with pre = z + bias when the kind's backward needs it, else None."""
    _ref.check_kind(kind)
    _ref.check_float(z, "bias_activation_forward", "z")
    if bias is not None:
        _ref.check_bias(z, bias, "bias_activation_forward")
        bias = _contig(bias, z.dtype)
    if kind in _SOFTMAX_KINDS:
        z = bias_add(z, bias, out=z) if bias is not None else z
        return activation_forward(kind, z, alpha, out=z), None
    if not (z.flags.c_contiguous and z.flags.writeable):
        z = np.ascontiguousarray(z)      # a private copy we may overwrite
    keep_pre = _ref.needs_input(kind)
    y = np.empty_like(z) if keep_pre else z
    if z.size:
        _ew.bias_activation_forward(KIND_CODES[kind], _rows(z),
                                    bias if bias is not None else _rows(z)[0],
                                    bias is not None, _rows(y), float(alpha),
                                    _threads(z.size))
    return y, (z if keep_pre else None)


# --- softmax + cross-entropy ------------------------------------------------------------
def softmax_cross_entropy(logits, labels, sparse):
    _ref.check_softmax_xent(logits, labels, sparse)
    logits = _contig(logits)
    n = logits.shape[0]
    loss = np.empty(n, dtype=logits.dtype)
    probs = np.empty_like(logits)
    if n:
        if sparse:
            _ew.softmax_cross_entropy_sparse(logits, _contig(labels, np.int64), loss, probs,
                                             _threads(logits.size))
        else:
            _ew.softmax_cross_entropy_dense(logits, _contig(labels, logits.dtype), loss,
                                            probs, _threads(logits.size))
    return loss, probs


def softmax_cross_entropy_backward(probs, labels, sparse, dloss):
    _ref.check_softmax_xent_backward(probs, labels, sparse, dloss)
    probs = _contig(probs)
    dloss = _contig(dloss, probs.dtype)
    out = np.empty_like(probs)
    if probs.size:
        if sparse:
            _ew.softmax_cross_entropy_backward_sparse(
                probs, _contig(labels, np.int64), dloss, out, _threads(probs.size))
        else:
            _ew.softmax_cross_entropy_backward_dense(
                probs, _contig(labels, probs.dtype), dloss, out, _threads(probs.size))
    return out


for _name, _fn in (("gemm", gemm), ("activation_forward", activation_forward),
                   ("activation_backward", activation_backward), ("bias_add", bias_add),
                   ("bias_grad", bias_grad), ("bias_activation_forward", bias_activation_forward),
                   ("softmax_cross_entropy", softmax_cross_entropy),
                   ("softmax_cross_entropy_backward", softmax_cross_entropy_backward)):
    register(_name, cython=_fn)
from nnfast.kernels import compiled_conv  # noqa: E402,F401  (convolution adapters)
from nnfast.kernels import compiled_pool  # noqa: E402,F401  (registers the pooling kernels)
from nnfast.kernels import compiled_optim  # noqa: E402,F401  (fused optimizer updates)
from nnfast.kernels import compiled_rnn  # noqa: E402,F401  (registers the recurrent kernels)
