"""Adapters from the kernel contract to the compiled kernels in nnfast._ext.

Each adapter validates shapes and dtypes with the NumPy twin's own checks (so a bad call
raises a clear error before compiled code touches memory), makes inputs C-contiguous,
allocates outputs, picks the thread count, and registers itself as the "cython"
implementation. Importing this module fails with ImportError when the extension is not
built; the registry then warns once and stays on NumPy.
"""
import numpy as np

from nnfast._ext import elementwise as _ew
from nnfast._ext import gemm as _gemm
from nnfast._ext import openmp_info as _omp
from nnfast.kernels.numpy_ref import elementwise as _ref_ew
from nnfast.kernels.numpy_ref.gemm import check_gemm
from nnfast.kernels.registry import register
from nnfast.kernels.threads import get_num_threads

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# Elementwise work below this many values runs on one thread: starting a team costs more.
PARALLEL_MIN_ELEMENTS = 32_768

KIND_CODES = {"linear": 0, "relu": 1, "leaky_relu": 2, "elu": 3, "selu": 4, "sigmoid": 5,
              "hard_sigmoid": 6, "tanh": 7, "softplus": 8, "softsign": 9, "exponential": 10,
              "gelu": 11, "gelu_approx": 12, "swish": 13}
_SOFTMAX_KINDS = ("softmax", "log_softmax")


def openmp_enabled():
    return _omp.openmp_enabled()


def _threads(work):
    return get_num_threads() if work >= PARALLEL_MIN_ELEMENTS else 1


def _float_array(x, name):
    x = np.ascontiguousarray(x)
    if x.dtype not in _FLOATS:
        raise TypeError(f"{name} expects float32 or float64 arrays. Received dtype {x.dtype}")
    return x


def _out_like(x, out, name):
    if out is None:
        return np.empty_like(x)
    if out.shape != x.shape or out.dtype != x.dtype or not out.flags.c_contiguous:
        raise ValueError(
            f"{name}: `out` must be C-contiguous with shape {x.shape} and dtype {x.dtype}. "
            f"Received shape={out.shape}, dtype={out.dtype}")
    return out


def _rows(x):
    """A 2-D (rows, last axis) view, for the row-wise kernels."""
    return x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x


def gemm(a, b, trans_a=False, trans_b=False, out=None, alpha=1.0, beta=0.0):
    a, b = np.asarray(a), np.asarray(b)
    m, n, k = check_gemm(a, b, trans_a, trans_b, out)
    if out is not None and not out.flags.c_contiguous:
        raise ValueError("gemm: `out` must be C-contiguous.")
    if out is None:
        out = np.empty((m, n), dtype=a.dtype)
        beta = 0.0
    if m == 0 or n == 0:
        return out
    if k == 0:
        out *= beta
        return out
    _gemm.gemm_blas(np.ascontiguousarray(a), np.ascontiguousarray(b), bool(trans_a),
                    bool(trans_b), out, float(alpha), float(beta))
    return out


def gemm_blocked(a, b):
    """The hand-written blocked GEMM (benchmark baseline only, never the default)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    m, n, _ = check_gemm(a, b, False, False, None)
    out = np.empty((m, n), dtype=a.dtype)
    _gemm.gemm_blocked(a, b, out, get_num_threads())
    return out


def activation_forward(kind, x, alpha=0.0, out=None):
    _ref_ew.check_kind(kind)
    x = _float_array(x, "activation_forward")
    out = _out_like(x, out, "activation_forward")
    if x.size == 0:
        return out
    if kind in _SOFTMAX_KINDS:
        _ew.softmax(_rows(x), _rows(out), kind == "log_softmax", _threads(x.size))
    else:
        _ew.activation_forward(KIND_CODES[kind], x.reshape(-1), out.reshape(-1), float(alpha),
                               _threads(x.size))
    return out


def activation_backward(kind, dy, x, y, alpha=0.0, out=None):
    _ref_ew.check_kind(kind)
    if kind in _ref_ew._NEEDS_INPUT and x is None:
        raise ValueError(f"activation_backward({kind!r}) needs the pre-activation input x.")
    if kind == "leaky_relu" and alpha < 0:
        raise ValueError(f"leaky_relu backward needs alpha >= 0. Received alpha={alpha}")
    dy = _float_array(dy, "activation_backward")
    y = np.ascontiguousarray(y, dtype=dy.dtype)
    if y.shape != dy.shape:
        raise ValueError(f"activation_backward: dy {dy.shape} and y {y.shape} differ in shape")
    x = y if x is None else np.ascontiguousarray(x, dtype=dy.dtype)
    if x.shape != dy.shape:
        raise ValueError(f"activation_backward: dy {dy.shape} and x {x.shape} differ in shape")
    out = _out_like(dy, out, "activation_backward")
    if dy.size == 0:
        return out
    if kind in _SOFTMAX_KINDS:
        _ew.softmax_backward(_rows(dy), _rows(y), _rows(out), kind == "log_softmax",
                             _threads(dy.size))
    else:
        _ew.activation_backward(KIND_CODES[kind], dy.reshape(-1), x.reshape(-1), y.reshape(-1),
                                out.reshape(-1), float(alpha), _threads(dy.size))
    return out


def bias_add(x, bias, out=None):
    x = _float_array(x, "bias_add")
    _ref_ew.check_bias(x, bias, "bias_add")
    bias = np.ascontiguousarray(bias, dtype=x.dtype)
    out = _out_like(x, out, "bias_add")
    if x.size:
        _ew.bias_add(_rows(x), bias, _rows(out), _threads(x.size))
    return out


def bias_grad(dy):
    dy = _float_array(dy, "bias_grad")
    if dy.ndim < 1:
        raise ValueError(f"bias_grad expects an array of rank >= 1. Received shape {dy.shape}")
    acc = np.zeros(dy.shape[-1], dtype=np.float64)
    if dy.size:
        _ew.bias_grad(_rows(dy), acc, _threads(dy.size))
    return acc.astype(dy.dtype)


def bias_activation_forward(kind, z, bias, alpha=0.0):
    _ref_ew.check_kind(kind)
    if kind in _SOFTMAX_KINDS:
        if bias is not None:
            z = bias_add(z, bias, out=z)
        return activation_forward(kind, z, alpha), None
    if not (isinstance(z, np.ndarray) and z.flags.c_contiguous and z.dtype in _FLOATS and z.ndim == 2):
        raise TypeError("bias_activation_forward expects a C-contiguous 2-D float array z")
    if bias is not None:
        _ref_ew.check_bias(z, bias, "bias_activation_forward")
        bias = np.ascontiguousarray(bias, dtype=z.dtype)
    keep_pre = kind in _ref_ew._NEEDS_INPUT
    y = np.empty_like(z) if keep_pre else z
    if z.size:
        _ew.bias_activation_forward(KIND_CODES[kind], z, bias if bias is not None else z[0],
                                    bias is not None, y, float(alpha), _threads(z.size))
    return y, (z if keep_pre else None)


def softmax_cross_entropy(logits, labels, sparse):
    logits = _float_array(logits, "softmax_cross_entropy")
    labels = np.asarray(labels)
    _ref_ew.check_softmax_xent(logits, labels, sparse)
    n = logits.shape[0]
    loss = np.empty(n, dtype=logits.dtype)
    probs = np.empty_like(logits)
    if n and logits.shape[1]:
        if sparse:
            _ew.softmax_cross_entropy_sparse(logits, np.ascontiguousarray(labels, dtype=np.int64),
                                             loss, probs, _threads(logits.size))
        else:
            _ew.softmax_cross_entropy_dense(logits, np.ascontiguousarray(labels, dtype=logits.dtype),
                                            loss, probs, _threads(logits.size))
    return loss, probs


def softmax_cross_entropy_backward(probs, labels, sparse, dloss):
    probs = _float_array(probs, "softmax_cross_entropy_backward")
    dloss = np.ascontiguousarray(dloss, dtype=probs.dtype)
    out = np.empty_like(probs)
    if probs.size:
        if sparse:
            _ew.softmax_cross_entropy_backward_sparse(
                probs, np.ascontiguousarray(labels, dtype=np.int64), dloss, out,
                _threads(probs.size))
        else:
            _ew.softmax_cross_entropy_backward_dense(
                probs, np.ascontiguousarray(labels, dtype=probs.dtype), dloss, out,
                _threads(probs.size))
    return out


for _name, _fn in (("gemm", gemm), ("activation_forward", activation_forward),
                   ("activation_backward", activation_backward), ("bias_add", bias_add),
                   ("bias_grad", bias_grad), ("bias_activation_forward", bias_activation_forward),
                   ("softmax_cross_entropy", softmax_cross_entropy),
                   ("softmax_cross_entropy_backward", softmax_cross_entropy_backward)):
    register(_name, cython=_fn)
