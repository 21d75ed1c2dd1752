"""Depthwise 2-D convolution kernels, NHWC, kernel (kh, kw, C, M) as Keras stores it;
output channel c*M + m is input channel c through filter m.

Direct loops (each output pixel reads kh*kw input pixels of C values; there is no
reduction over channels, so a GEMM has nothing to gain). Threads split the output rows
(forward, kernel gradient with one partial per thread) or the samples (input gradient,
so no two threads add into one dx). With M == 1 the inner loops run over contiguous
channels and vectorise. Arrays arrive C-contiguous and shape-checked by the adapter
(nnfast/kernels/compiled_conv.py); `_check` re-checks what memory safety depends on.
"""
from libc.string cimport memset
from cython cimport floating
from cython.parallel cimport prange


cdef int _check(bint ok, str name) except -1:
    if not ok:
        raise ValueError(f"{name}: the arrays' shapes do not match the geometry")
    return 0


def depthwise_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] w,
                      floating[:, :, :, ::1] y, int sh, int sw, int pt, int pl, int dh,
                      int dw, int num_threads):
    cdef Py_ssize_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3]
    cdef Py_ssize_t kh = w.shape[0], kw = w.shape[1], M = w.shape[3]
    cdef Py_ssize_t Ho = y.shape[1], Wo = y.shape[2], CM = C * M, P = Ho * Wo
    _check(w.shape[2] == C and y.shape[0] == N and y.shape[3] == CM and num_threads >= 1
           and sh >= 1 and sw >= 1 and dh >= 1 and dw >= 1, "depthwise_forward")
    cdef Py_ssize_t t, start, stop, r, n, p, oh, ow, i, j, c, m, ih, iw, rows = N * P
    cdef floating* yr
    cdef const floating* xp
    cdef const floating* wp
    if rows == 0 or CM == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = rows * t // num_threads
        stop = rows * (t + 1) // num_threads
        for r in range(start, stop):
            n = r // P
            p = r - n * P
            oh = p // Wo
            ow = p - oh * Wo
            yr = &y[0, 0, 0, 0] + r * CM
            memset(yr, 0, CM * sizeof(floating))
            for i in range(kh):
                ih = oh * sh - pt + i * dh
                if ih < 0 or ih >= H:
                    continue
                for j in range(kw):
                    iw = ow * sw - pl + j * dw
                    if iw < 0 or iw >= W:
                        continue
                    xp = &x[n, ih, iw, 0]
                    wp = &w[i, j, 0, 0]
                    if M == 1:
                        for c in range(C):
                            yr[c] += xp[c] * wp[c]
                    else:
                        for c in range(C):
                            for m in range(M):
                                yr[c * M + m] += xp[c] * wp[c * M + m]


def depthwise_backward_kernel(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] dy,
                              floating[:, :, :, :, ::1] partial, int sh, int sw, int pt,
                              int pl, int dh, int dw, int num_threads):
    """partial[t] (threads, kh, kw, C, M), zeroed by the caller, += thread t's share of
    the kernel gradient."""
    cdef Py_ssize_t N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3]
    cdef Py_ssize_t kh = partial.shape[1], kw = partial.shape[2], M = partial.shape[4]
    cdef Py_ssize_t Ho = dy.shape[1], Wo = dy.shape[2], CM = C * M, P = Ho * Wo
    _check(partial.shape[0] >= num_threads and partial.shape[3] == C and dy.shape[0] == N
           and dy.shape[3] == CM and num_threads >= 1 and sh >= 1 and sw >= 1 and dh >= 1
           and dw >= 1, "depthwise_backward_kernel")
    cdef Py_ssize_t t, start, stop, r, n, p, oh, ow, i, j, c, m, ih, iw, rows = N * P
    cdef const floating* dr
    cdef const floating* xp
    cdef floating* acc
    if rows == 0 or CM == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = rows * t // num_threads
        stop = rows * (t + 1) // num_threads
        for r in range(start, stop):
            n = r // P
            p = r - n * P
            oh = p // Wo
            ow = p - oh * Wo
            dr = &dy[0, 0, 0, 0] + r * CM
            for i in range(kh):
                ih = oh * sh - pt + i * dh
                if ih < 0 or ih >= H:
                    continue
                for j in range(kw):
                    iw = ow * sw - pl + j * dw
                    if iw < 0 or iw >= W:
                        continue
                    xp = &x[n, ih, iw, 0]
                    acc = &partial[t, i, j, 0, 0]
                    if M == 1:
                        for c in range(C):
                            acc[c] += xp[c] * dr[c]
                    else:
                        for c in range(C):
                            for m in range(M):
                                acc[c * M + m] += xp[c] * dr[c * M + m]


def depthwise_backward_input(const floating[:, :, :, ::1] dy, const floating[:, :, :, ::1] w,
                             floating[:, :, :, ::1] dx, int sh, int sw, int pt, int pl,
                             int dh, int dw, int num_threads):
    """dx, written whole; threads split the samples."""
    cdef Py_ssize_t N = dx.shape[0], H = dx.shape[1], W = dx.shape[2], C = dx.shape[3]
    cdef Py_ssize_t kh = w.shape[0], kw = w.shape[1], M = w.shape[3]
    cdef Py_ssize_t Ho = dy.shape[1], Wo = dy.shape[2], CM = C * M
    _check(w.shape[2] == C and dy.shape[0] == N and dy.shape[3] == CM and num_threads >= 1
           and sh >= 1 and sw >= 1 and dh >= 1 and dw >= 1, "depthwise_backward_input")
    cdef Py_ssize_t t, start, stop, n, oh, ow, i, j, c, m, ih, iw, sample = H * W * C
    cdef const floating* dr
    cdef const floating* wp
    cdef floating* xp
    cdef floating s
    if N == 0 or sample == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = N * t // num_threads
        stop = N * (t + 1) // num_threads
        for n in range(start, stop):
            memset(&dx[n, 0, 0, 0], 0, sample * sizeof(floating))
            if M == 0:
                continue
            for oh in range(Ho):
                for ow in range(Wo):
                    dr = &dy[n, oh, ow, 0]
                    for i in range(kh):
                        ih = oh * sh - pt + i * dh
                        if ih < 0 or ih >= H:
                            continue
                        for j in range(kw):
                            iw = ow * sw - pl + j * dw
                            if iw < 0 or iw >= W:
                                continue
                            xp = &dx[n, ih, iw, 0]
                            wp = &w[i, j, 0, 0]
                            if M == 1:
                                for c in range(C):
                                    xp[c] += dr[c] * wp[c]
                            else:
                                for c in range(C):
                                    s = 0
                                    for m in range(M):
                                        s = s + dr[c * M + m] * wp[c * M + m]
                                    xp[c] += s
