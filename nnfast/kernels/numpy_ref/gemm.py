"""NumPy twin of the GEMM kernel: `alpha * op(a) @ op(b) + beta * out`."""
import numpy as np

from nnfast.kernels.registry import register

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def check_gemm(a, b, trans_a, trans_b, out):
    """Shapes and dtypes, checked before any kernel touches memory; returns (m, n, k)."""
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"gemm expects 2-D operands. Received shapes a={a.shape}, b={b.shape}")
    if a.dtype != b.dtype or a.dtype not in _FLOATS:
        raise TypeError(
            f"gemm expects two float32 or two float64 operands. Received a.dtype={a.dtype}, "
            f"b.dtype={b.dtype}"
        )
    m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
    k2, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
    if k != k2:
        raise ValueError(
            f"gemm: inner dimensions differ: op(a) is {(m, k)}, op(b) is {(k2, n)} "
            f"(a={a.shape}, trans_a={trans_a}; b={b.shape}, trans_b={trans_b})"
        )
    if out is not None and (not isinstance(out, np.ndarray) or out.shape != (m, n)
                            or out.dtype != a.dtype):
        raise ValueError(
            f"gemm: `out` must have shape {(m, n)} and dtype {a.dtype}. Received "
            f"shape={getattr(out, 'shape', None)}, dtype={getattr(out, 'dtype', None)}"
        )
    return m, n, k


def gemm(a, b, trans_a=False, trans_b=False, out=None, alpha=1.0, beta=0.0):
    """alpha * op(a) @ op(b) + beta * out (BLAS semantics: beta == 0 never reads out).

    Args:
        a, b: 2-D arrays, both float32 or both float64, any layout.
        trans_a, trans_b: op(x) = x.T when set.
        out: optional (m, n) array written in place and returned.
    """
    a, b = np.asarray(a), np.asarray(b)
    check_gemm(a, b, trans_a, trans_b, out)
    prod = (a.T if trans_a else a) @ (b.T if trans_b else b)
    if alpha != 1.0:
        prod *= alpha
    if out is None:
        return prod
    if beta == 0.0:
        out[...] = prod
    else:
        out *= beta
        out += prod
    return out


register("gemm", numpy=gemm)
