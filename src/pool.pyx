"""Pooling kernels, NHWC: max and average, forward and backward.

Arrays arrive C-contiguous and shape-checked (nnfast/kernels/compiled_pool.py). Forward
loops run in parallel over output rows (n, ho); backward loops over samples n, so no two
threads ever add into the same input gradient. The channel axis is innermost: every
window tap is one contiguous, vectorisable pass over C values.
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport INFINITY
from libc.stdint cimport int64_t


cdef int _check(bint ok, str name) except -1:
    if not ok:
        raise ValueError(f"{name}: the arrays' shapes do not match")
    return 0


def max_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y,
               int64_t[:, :, :, ::1] argmax, int kh, int kw, int sh, int sw, int pt, int pl,
               int num_threads):
    cdef Py_ssize_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
    cdef Py_ssize_t ho = y.shape[1], wo = y.shape[2]
    cdef Py_ssize_t r, b, oi, oj, i, j, ii, jj, k
    cdef floating v
    _check(y.shape[0] == n and y.shape[3] == c and argmax.shape[0] == n
           and argmax.shape[1] == ho and argmax.shape[2] == wo and argmax.shape[3] == c,
           "max_pool2d")
    for r in prange(n * ho, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        b = r // ho
        oi = r % ho
        for oj in range(wo):
            for k in range(c):
                y[b, oi, oj, k] = -INFINITY
                argmax[b, oi, oj, k] = 0
            for i in range(kh):
                ii = oi * sh - pt + i
                if ii < 0 or ii >= h:
                    continue
                for j in range(kw):
                    jj = oj * sw - pl + j
                    if jj < 0 or jj >= w:
                        continue
                    for k in range(c):
                        v = x[b, ii, jj, k]
                        # Strictly greater: ties keep the first maximum (TensorFlow, NumPy);
                        # the first NaN wins and stays (NumPy's argmax).
                        if v > y[b, oi, oj, k] or (v != v and y[b, oi, oj, k] == y[b, oi, oj, k]):
                            y[b, oi, oj, k] = v
                            argmax[b, oi, oj, k] = ii * w + jj
            # A window of -inf values must still point at its first real input value.
            for k in range(c):
                if y[b, oi, oj, k] == -INFINITY:
                    argmax[b, oi, oj, k] = _first_tap(oi, oj, kh, kw, sh, sw, pt, pl, h, w)


cdef inline int64_t _first_tap(Py_ssize_t oi, Py_ssize_t oj, int kh, int kw, int sh, int sw,
                               int pt, int pl, Py_ssize_t h, Py_ssize_t w) noexcept nogil:
    """Flat index of the first non-padded tap of window (oi, oj)."""
    cdef Py_ssize_t ii = oi * sh - pt, jj = oj * sw - pl
    if ii < 0:
        ii = 0
    if jj < 0:
        jj = 0
    return ii * w + jj


def max_pool2d_backward(const floating[:, :, :, ::1] dy, const int64_t[:, :, :, ::1] argmax,
                        floating[:, :, ::1] dx, int num_threads):
    """dx (N, H*W, C) must be zeroed by the caller."""
    cdef Py_ssize_t n = dy.shape[0], ho = dy.shape[1], wo = dy.shape[2], c = dy.shape[3]
    cdef Py_ssize_t hw = dx.shape[1], b, oi, oj, k
    cdef int64_t idx
    _check(argmax.shape[0] == n and argmax.shape[1] == ho and argmax.shape[2] == wo
           and argmax.shape[3] == c and dx.shape[0] == n and dx.shape[2] == c,
           "max_pool2d_backward")
    for b in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        for oi in range(ho):
            for oj in range(wo):
                for k in range(c):
                    idx = argmax[b, oi, oj, k]
                    if 0 <= idx < hw:
                        dx[b, idx, k] += dy[b, oi, oj, k]


def avg_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y, int kh, int kw,
               int sh, int sw, int pt, int pl, int num_threads):
    cdef Py_ssize_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
    cdef Py_ssize_t ho = y.shape[1], wo = y.shape[2]
    cdef Py_ssize_t r, b, oi, oj, i, j, ii, jj, k, count
    cdef floating scale
    _check(y.shape[0] == n and y.shape[3] == c, "avg_pool2d")
    for r in prange(n * ho, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        b = r // ho
        oi = r % ho
        for oj in range(wo):
            for k in range(c):
                y[b, oi, oj, k] = 0
            count = 0
            for i in range(kh):
                ii = oi * sh - pt + i
                if ii < 0 or ii >= h:
                    continue
                for j in range(kw):
                    jj = oj * sw - pl + j
                    if jj < 0 or jj >= w:
                        continue
                    count = count + 1
                    for k in range(c):
                        y[b, oi, oj, k] += x[b, ii, jj, k]
            scale = 1.0 / count if count > 0 else 0
            for k in range(c):
                y[b, oi, oj, k] *= scale


def avg_pool2d_backward(const floating[:, :, :, ::1] dy, floating[:, :, :, ::1] dx, int kh,
                        int kw, int sh, int sw, int pt, int pl, int num_threads):
    """dx (N, H, W, C) must be zeroed by the caller."""
    cdef Py_ssize_t n = dx.shape[0], h = dx.shape[1], w = dx.shape[2], c = dx.shape[3]
    cdef Py_ssize_t ho = dy.shape[1], wo = dy.shape[2]
    cdef Py_ssize_t b, oi, oj, i, j, ii, jj, k, count
    cdef floating share
    _check(dy.shape[0] == n and dy.shape[3] == c, "avg_pool2d_backward")
    for b in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        for oi in range(ho):
            for oj in range(wo):
                count = 0
                for i in range(kh):
                    ii = oi * sh - pt + i
                    if 0 <= ii < h:
                        for j in range(kw):
                            jj = oj * sw - pl + j
                            if 0 <= jj < w:
                                count = count + 1
                if count == 0:
                    continue
                for i in range(kh):
                    ii = oi * sh - pt + i
                    if ii < 0 or ii >= h:
                        continue
                    for j in range(kw):
                        jj = oj * sw - pl + j
                        if jj < 0 or jj >= w:
                            continue
                        for k in range(c):
                            dx[b, ii, jj, k] += dy[b, oi, oj, k] / count
