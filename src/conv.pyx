"""2-D convolution kernels, NHWC, kernel (kh, kw, C, K) as Keras stores it.

im2col + GEMM: the rows of the output (n, oh, ow), flattened over the batch, are cut
into tiles; a tile's im2col columns (rows x kh*kw*C) go into a per-thread scratch
buffer and one BLAS call multiplies them with the kernel seen as (kh*kw*C, K).
  forward          y[tile]  = col @ W
  kernel gradient  dW_t    += col^T @ dy[tile]   (one partial per thread, summed after)
  input gradient   dcol     = dy[tile] @ W^T, then col2im adds it into dx
Threads: thread t takes the t-th contiguous share of the rows (of the samples, for the
input gradient, so no two threads add into one dx). Inside the parallel loop BLAS must
run single-threaded; the adapter (nnfast/kernels/compiled_conv.py) arranges that.
`direct_*`: loops without BLAS for few input channels (a first layer on gray/RGB
images), where the GEMM's inner dimension kh*kw*C is too short for BLAS to shine.

Arrays arrive C-contiguous and shape-checked by the adapter; `_check` re-checks what
memory safety depends on.
"""
from libc.string cimport memcpy, memset
from cython cimport floating
from cython.parallel cimport prange

from _blas cimport gemm_rowmajor


cdef struct Geom:
    Py_ssize_t N, H, W, C, K, kh, kw, sh, sw, pt, pl, dh, dw, Ho, Wo, P, Kc


cdef int _check(bint ok, str name) except -1:
    if not ok:
        raise ValueError(f"{name}: the arrays' shapes do not match the geometry")
    return 0


cdef int _geom(Geom* g, Py_ssize_t* xs, Py_ssize_t* ws, Py_ssize_t* ys,
               int sh, int sw, int pt, int pl, int dh, int dw, str name) except -1:
    g.N, g.H, g.W, g.C = xs[0], xs[1], xs[2], xs[3]
    g.kh, g.kw, g.K = ws[0], ws[1], ws[3]
    g.Ho, g.Wo = ys[1], ys[2]
    g.sh, g.sw, g.pt, g.pl, g.dh, g.dw = sh, sw, pt, pl, dh, dw
    g.P = g.Ho * g.Wo
    g.Kc = g.kh * g.kw * g.C
    # Every read of x is bounds-tested against H and W, so only the sizes that index
    # the arrays directly must agree.
    _check(ws[2] == g.C and ys[0] == g.N and ys[3] == g.K and sh >= 1 and sw >= 1
           and dh >= 1 and dw >= 1 and g.kh >= 1 and g.kw >= 1, name)
    return 0


cdef void _im2col(const floating* x, const Geom* g, Py_ssize_t r0, Py_ssize_t r1,
                  floating* col) noexcept nogil:
    """Columns of output rows r0..r1 (flat over the batch): row r holds the kh*kw*C
    input values its window reads, zeros where the window lies in the padding."""
    cdef Py_ssize_t r, n, p, oh, ow, i, j, ih, iw, iw0
    cdef Py_ssize_t C = g.C, run = g.kw * g.C
    cdef size_t cbytes = C * sizeof(floating)
    cdef const floating* xn
    cdef floating* dst = col
    for r in range(r0, r1):
        n = r // g.P
        p = r - n * g.P
        oh = p // g.Wo
        ow = p - oh * g.Wo
        xn = x + n * g.H * g.W * C
        iw0 = ow * g.sw - g.pl
        for i in range(g.kh):
            ih = oh * g.sh - g.pt + i * g.dh
            if ih < 0 or ih >= g.H:
                memset(dst, 0, run * sizeof(floating))
            elif g.dw == 1 and iw0 >= 0 and iw0 + g.kw <= g.W:
                memcpy(dst, xn + (ih * g.W + iw0) * C, run * sizeof(floating))
            else:
                for j in range(g.kw):
                    iw = iw0 + j * g.dw
                    if 0 <= iw < g.W:
                        memcpy(dst + j * C, xn + (ih * g.W + iw) * C, cbytes)
                    else:
                        memset(dst + j * C, 0, cbytes)
            dst += run


cdef void _col2im(const floating* dcol, const Geom* g, Py_ssize_t p0, Py_ssize_t p1,
                  floating* dxn) noexcept nogil:
    """Add the columns of rows p0..p1 of one sample back into its input gradient."""
    cdef Py_ssize_t p, oh, ow, i, j, c, ih, iw, iw0
    cdef Py_ssize_t C = g.C, run = g.kw * g.C
    cdef const floating* src = dcol
    cdef floating* dst
    for p in range(p0, p1):
        oh = p // g.Wo
        ow = p - oh * g.Wo
        iw0 = ow * g.sw - g.pl
        for i in range(g.kh):
            ih = oh * g.sh - g.pt + i * g.dh
            if 0 <= ih < g.H:
                if g.dw == 1 and iw0 >= 0 and iw0 + g.kw <= g.W:
                    dst = dxn + (ih * g.W + iw0) * C
                    for c in range(run):
                        dst[c] += src[c]
                else:
                    for j in range(g.kw):
                        iw = iw0 + j * g.dw
                        if 0 <= iw < g.W:
                            dst = dxn + (ih * g.W + iw) * C
                            for c in range(C):
                                dst[c] += src[j * C + c]
            src += run


def conv2d_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] w,
                   floating[:, :, :, ::1] y, int sh, int sw, int pt, int pl, int dh, int dw,
                   floating[:, ::1] scratch, Py_ssize_t tile, int num_threads):
    """y = conv(x, w) by im2col tiles of `tile` rows; scratch is (threads, tile*kh*kw*C)."""
    cdef Geom g
    _geom(&g, x.shape, w.shape, y.shape, sh, sw, pt, pl, dh, dw, "conv2d_forward")
    _check(num_threads >= 1 and tile >= 1 and scratch.shape[0] >= num_threads
           and scratch.shape[1] >= tile * g.Kc, "conv2d_forward")
    cdef Py_ssize_t t, start, stop, r0, r1, rows = g.N * g.P
    if rows == 0 or g.K == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = rows * t // num_threads
        stop = rows * (t + 1) // num_threads
        r0 = start
        while r0 < stop:
            r1 = min(r0 + tile, stop)
            _im2col(&x[0, 0, 0, 0], &g, r0, r1, &scratch[t, 0])
            gemm_rowmajor(False, False, <int> (r1 - r0), <int> g.K, <int> g.Kc, 1,
                          &scratch[t, 0], <int> g.Kc, &w[0, 0, 0, 0], <int> g.K, 0,
                          &y[0, 0, 0, 0] + r0 * g.K, <int> g.K)
            r0 = r1


def conv2d_backward_kernel(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] dy,
                           floating[:, :, ::1] partial, Py_ssize_t kh, Py_ssize_t kw,
                           int sh, int sw, int pt, int pl, int dh, int dw,
                           floating[:, ::1] scratch, Py_ssize_t tile, int num_threads):
    """partial[t] += col^T @ dy over thread t's rows; the caller zeroes `partial`
    (threads, kh*kw*C, K) and sums it over its first axis."""
    cdef Geom g
    cdef Py_ssize_t[4] ws = [kh, kw, x.shape[3], dy.shape[3]]
    _geom(&g, x.shape, ws, dy.shape, sh, sw, pt, pl, dh, dw, "conv2d_backward_kernel")
    _check(num_threads >= 1 and tile >= 1 and scratch.shape[0] >= num_threads
           and scratch.shape[1] >= tile * g.Kc and partial.shape[0] >= num_threads
           and partial.shape[1] == g.Kc and partial.shape[2] == g.K, "conv2d_backward_kernel")
    cdef Py_ssize_t t, start, stop, r0, r1, rows = g.N * g.P
    if rows == 0 or g.K == 0 or g.Kc == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = rows * t // num_threads
        stop = rows * (t + 1) // num_threads
        r0 = start
        while r0 < stop:
            r1 = min(r0 + tile, stop)
            _im2col(&x[0, 0, 0, 0], &g, r0, r1, &scratch[t, 0])
            gemm_rowmajor(True, False, <int> g.Kc, <int> g.K, <int> (r1 - r0), 1,
                          &scratch[t, 0], <int> g.Kc, &dy[0, 0, 0, 0] + r0 * g.K, <int> g.K,
                          1, &partial[t, 0, 0], <int> g.K)
            r0 = r1


def conv2d_backward_input(const floating[:, :, :, ::1] dy, const floating[:, :, :, ::1] w,
                          floating[:, :, :, ::1] dx, int sh, int sw, int pt, int pl,
                          int dh, int dw, floating[:, ::1] scratch, Py_ssize_t tile,
                          int num_threads):
    """dx = col2im(dy @ W^T), written whole (dx need not be zeroed); threads split the
    samples."""
    cdef Geom g
    _geom(&g, dx.shape, w.shape, dy.shape, sh, sw, pt, pl, dh, dw, "conv2d_backward_input")
    _check(num_threads >= 1 and tile >= 1 and scratch.shape[0] >= num_threads
           and scratch.shape[1] >= tile * g.Kc, "conv2d_backward_input")
    cdef Py_ssize_t t, n, start, stop, p0, p1, sample = g.H * g.W * g.C
    if g.N == 0 or sample == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = g.N * t // num_threads
        stop = g.N * (t + 1) // num_threads
        for n in range(start, stop):
            memset(&dx[n, 0, 0, 0], 0, sample * sizeof(floating))
            if g.K == 0 or g.P == 0:
                continue
            p0 = 0
            while p0 < g.P:
                p1 = min(p0 + tile, g.P)
                gemm_rowmajor(False, True, <int> (p1 - p0), <int> g.Kc, <int> g.K, 1,
                              &dy[n, 0, 0, 0] + p0 * g.K, <int> g.K, &w[0, 0, 0, 0],
                              <int> g.K, 0, &scratch[t, 0], <int> g.Kc)
                _col2im(&scratch[t, 0], &g, p0, p1, &dx[n, 0, 0, 0])
                p0 = p1


# --- direct loops for few input channels ---------------------------------------------------
def direct_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] w,
                   floating[:, :, :, ::1] y, int sh, int sw, int pt, int pl, int dh, int dw,
                   int num_threads):
    """y = conv(x, w) without im2col: per output pixel, a K-wide multiply-add per tap
    and input channel (vectorised over K)."""
    cdef Geom g
    _geom(&g, x.shape, w.shape, y.shape, sh, sw, pt, pl, dh, dw, "direct_forward")
    _check(num_threads >= 1, "direct_forward")
    cdef Py_ssize_t t, start, stop, r, n, p, oh, ow, i, j, c, k, ih, iw
    cdef Py_ssize_t rows = g.N * g.P, K = g.K
    cdef floating* yr
    cdef const floating* xp
    cdef const floating* wp
    cdef floating v
    if rows == 0 or K == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = rows * t // num_threads
        stop = rows * (t + 1) // num_threads
        for r in range(start, stop):
            n = r // g.P
            p = r - n * g.P
            oh = p // g.Wo
            ow = p - oh * g.Wo
            yr = &y[0, 0, 0, 0] + r * K
            memset(yr, 0, K * sizeof(floating))
            for i in range(g.kh):
                ih = oh * g.sh - g.pt + i * g.dh
                if ih < 0 or ih >= g.H:
                    continue
                for j in range(g.kw):
                    iw = ow * g.sw - g.pl + j * g.dw
                    if iw < 0 or iw >= g.W:
                        continue
                    xp = &x[n, ih, iw, 0]
                    wp = &w[i, j, 0, 0]
                    for c in range(g.C):
                        v = xp[c]
                        for k in range(K):
                            yr[k] += v * wp[c * K + k]


def direct_backward_kernel(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] dy,
                           floating[:, :, ::1] partial, Py_ssize_t kh, Py_ssize_t kw,
                           int sh, int sw, int pt, int pl, int dh, int dw, int num_threads):
    """partial[t] += the kernel gradient of thread t's output rows (zeroed by the caller,
    shape (threads, kh*kw*C, K)), accumulated pixel by pixel without im2col."""
    cdef Geom g
    cdef Py_ssize_t[4] ws = [kh, kw, x.shape[3], dy.shape[3]]
    _geom(&g, x.shape, ws, dy.shape, sh, sw, pt, pl, dh, dw, "direct_backward_kernel")
    _check(num_threads >= 1 and partial.shape[0] >= num_threads and partial.shape[1] == g.Kc
           and partial.shape[2] == g.K, "direct_backward_kernel")
    cdef Py_ssize_t t, start, stop, r, n, p, oh, ow, i, j, c, k, ih, iw
    cdef Py_ssize_t rows = g.N * g.P, K = g.K
    cdef const floating* dr
    cdef const floating* xp
    cdef floating* acc
    cdef floating v
    if rows == 0 or K == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", chunksize=1,
                    num_threads=num_threads, use_threads_if=num_threads > 1):
        start = rows * t // num_threads
        stop = rows * (t + 1) // num_threads
        for r in range(start, stop):
            n = r // g.P
            p = r - n * g.P
            oh = p // g.Wo
            ow = p - oh * g.Wo
            dr = &dy[0, 0, 0, 0] + r * K
            for i in range(g.kh):
                ih = oh * g.sh - g.pt + i * g.dh
                if ih < 0 or ih >= g.H:
                    continue
                for j in range(g.kw):
                    iw = ow * g.sw - g.pl + j * g.dw
                    if iw < 0 or iw >= g.W:
                        continue
                    xp = &x[n, ih, iw, 0]
                    acc = &partial[t, 0, 0] + (i * g.kw + j) * g.C * K
                    for c in range(g.C):
                        v = xp[c]
                        for k in range(K):
                            acc[c * K + k] += v * dr[k]
