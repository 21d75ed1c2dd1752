"""Pooling kernels, NHWC: max and average, forward and backward.

Arrays arrive C-contiguous and shape-checked (nnfast/kernels/compiled_pool.py). Forward
loops run in parallel over output rows (n, ho); backward loops over samples n, so no two
threads ever add into the same input gradient. The channel axis is innermost: every
window tap is one contiguous, vectorisable pass over C values.
"""
from cython cimport floating
from cython.parallel cimport prange


cdef int _check(bint ok, str name) except -1:
    if not ok:
        raise ValueError(f"{name}: the arrays' shapes do not match")
    return 0


# A window's real (non-padded) input range [lo, hi) on one axis. Returned by value: a
# prange's private variables must not be passed by address (threads would share them).
cdef inline Py_ssize_t _lo(Py_ssize_t o, int s, int pad) noexcept nogil:
    cdef Py_ssize_t v = o * s - pad
    return v if v > 0 else 0


cdef inline Py_ssize_t _hi(Py_ssize_t o, int k, int s, int pad, Py_ssize_t size) noexcept nogil:
    cdef Py_ssize_t v = o * s - pad + k
    return v if v < size else size


cdef inline void _take_tap(const floating* x, floating* y, int* arg, Py_ssize_t c,
                           int idx) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(c):
        y[k] = x[k]
        arg[k] = idx


cdef inline void _max_tap(const floating* x, floating* y, int* arg, Py_ssize_t c,
                          int idx) noexcept nogil:
    """One window tap over the C channels: a plain loop GCC turns into SIMD compares and
    blends. Strictly greater keeps the first maximum (TensorFlow, NumPy); the first NaN
    wins and stays (NumPy's argmax)."""
    cdef Py_ssize_t k
    cdef floating v, best
    cdef int a
    cdef bint take
    for k in range(c):
        v = x[k]
        best = y[k]
        a = arg[k]
        take = v > best or (v != v and best == best)
        # Unconditional stores: a conditional store is never if-converted, and with random
        # data the branch mispredicts half the time.
        y[k] = v if take else best
        arg[k] = idx if take else a


def max_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y,
               int[:, :, :, ::1] argmax, int kh, int kw, int sh, int sw, int pt, int pl,
               int num_threads):
    """argmax: the flat input index h * W + w of each output's maximum (int32)."""
    cdef Py_ssize_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
    cdef Py_ssize_t ho = y.shape[1], wo = y.shape[2]
    cdef Py_ssize_t r, b, oi, oj, i0, i1, j0, j1, ii, jj
    _check(y.shape[0] == n and y.shape[3] == c and argmax.shape[0] == n
           and argmax.shape[1] == ho and argmax.shape[2] == wo and argmax.shape[3] == c,
           "max_pool2d")
    if n == 0 or c == 0 or ho == 0 or wo == 0:
        return
    for r in prange(n * ho, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        b = r // ho
        oi = r % ho
        i0 = _lo(oi, sh, pt)
        i1 = _hi(oi, kh, sh, pt, h)
        for oj in range(wo):
            j0 = _lo(oj, sw, pl)
            j1 = _hi(oj, kw, sw, pl, w)
            # The first real tap seeds the result; the others compete with it.
            _take_tap(&x[b, i0, j0, 0], &y[b, oi, oj, 0], &argmax[b, oi, oj, 0], c,
                      <int> (i0 * w + j0))
            for ii in range(i0, i1):
                for jj in range(j0, j1):
                    if ii != i0 or jj != j0:
                        _max_tap(&x[b, ii, jj, 0], &y[b, oi, oj, 0], &argmax[b, oi, oj, 0], c,
                                 <int> (ii * w + jj))


def max_pool2d_backward(const floating[:, :, :, ::1] dy, const int[:, :, :, ::1] argmax,
                        floating[:, :, ::1] dx, int num_threads):
    """dx (N, H*W, C) must be zeroed by the caller."""
    cdef Py_ssize_t n = dy.shape[0], ho = dy.shape[1], wo = dy.shape[2], c = dy.shape[3]
    cdef Py_ssize_t hw = dx.shape[1], b, oi, oj, k
    cdef int idx
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


cdef inline void _add_into(const floating* src, floating* dst, Py_ssize_t c,
                           floating scale) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(c):
        dst[k] += src[k] * scale


def avg_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y, int kh, int kw,
               int sh, int sw, int pt, int pl, int num_threads):
    cdef Py_ssize_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
    cdef Py_ssize_t ho = y.shape[1], wo = y.shape[2]
    cdef Py_ssize_t r, b, oi, oj, i0, i1, j0, j1, ii, jj, k
    cdef floating scale
    _check(y.shape[0] == n and y.shape[3] == c, "avg_pool2d")
    if n == 0 or c == 0 or ho == 0 or wo == 0:
        return
    for r in prange(n * ho, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        b = r // ho
        oi = r % ho
        i0 = _lo(oi, sh, pt)
        i1 = _hi(oi, kh, sh, pt, h)
        for oj in range(wo):
            j0 = _lo(oj, sw, pl)
            j1 = _hi(oj, kw, sw, pl, w)
            for k in range(c):
                y[b, oi, oj, k] = 0
            # Only real values count: TensorFlow's "same" average ignores the padding.
            scale = 1.0 / ((i1 - i0) * (j1 - j0))
            for ii in range(i0, i1):
                for jj in range(j0, j1):
                    _add_into(&x[b, ii, jj, 0], &y[b, oi, oj, 0], c, scale)


def avg_pool2d_backward(const floating[:, :, :, ::1] dy, floating[:, :, :, ::1] dx, int kh,
                        int kw, int sh, int sw, int pt, int pl, int num_threads):
    """dx (N, H, W, C) must be zeroed by the caller."""
    cdef Py_ssize_t n = dx.shape[0], h = dx.shape[1], w = dx.shape[2], c = dx.shape[3]
    cdef Py_ssize_t ho = dy.shape[1], wo = dy.shape[2]
    cdef Py_ssize_t b, oi, oj, i0, i1, j0, j1, ii, jj
    cdef floating scale
    _check(dy.shape[0] == n and dy.shape[3] == c, "avg_pool2d_backward")
    if n == 0 or c == 0 or ho == 0 or wo == 0:
        return
    for b in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        for oi in range(ho):
            i0 = _lo(oi, sh, pt)
            i1 = _hi(oi, kh, sh, pt, h)
            for oj in range(wo):
                j0 = _lo(oj, sw, pl)
                j1 = _hi(oj, kw, sw, pl, w)
                scale = 1.0 / ((i1 - i0) * (j1 - j0))
                for ii in range(i0, i1):
                    for jj in range(j0, j1):
                        _add_into(&dy[b, oi, oj, 0], &dx[b, ii, jj, 0], c, scale)
