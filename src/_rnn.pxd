# Pieces shared by the recurrent kernels (lstm.pyx, gru.pyx): activations, argument
# re-checks, step/time bookkeeping, masked outputs and the gradient routing of masked steps.
# Step s reads input time t = s, or T-1-s when going backwards; `mask` is (N, T) uint8 or
# NULL, `rm` (a row of the recurrent-dropout mask) may be NULL.
from libc.math cimport exp, tanh
from libc.string cimport memcpy, memset
from cython cimport floating

from _blas cimport gemm_rowmajor
from _fastmath cimport (nnf_sig_add_f, nnf_sigmoidf, nnf_tanh_add_f, nnf_tanh_f, nnf_tanhf,
                       nnf_transpose_f)


cdef inline floating _sig(floating x) noexcept nogil:
    if floating is float:
        return nnf_sigmoidf(x)
    else:
        return 1.0 / (1.0 + exp(-x))


cdef inline floating _tanh(floating x) noexcept nogil:
    if floating is float:
        return nnf_tanhf(x)
    else:
        return tanh(x)


cdef inline int _check(bint ok, str what) except -1:
    """The adapters validate everything; this re-check (with the GIL) keeps a direct
    call with inconsistent arrays from touching memory out of bounds."""
    if not ok:
        raise ValueError(f"rnn kernel: inconsistent arrays ({what})")
    return 0


cdef inline int _check_shapes(list arrays, tuple want, str what) except -1:
    """Each array (None entries skipped) has the shape `want`."""
    for a in arrays:
        if a is not None and tuple(a.shape) != want:
            raise ValueError(f"rnn kernel: {what} must have shape {want}. Received: "
                             f"{tuple(a.shape)}")
    return 0


cdef inline Py_ssize_t _time(Py_ssize_t s, Py_ssize_t T, bint backwards) noexcept nogil:
    return T - 1 - s if backwards else s


cdef inline bint _on(const unsigned char* mask, Py_ssize_t n, Py_ssize_t T,
                     Py_ssize_t t) noexcept nogil:
    return mask == NULL or mask[n * T + t] != 0


cdef inline void _store_next(floating* hn, const floating* h, const floating* rm,
                             Py_ssize_t U) noexcept nogil:
    """The state fed to the next recurrent GEMM: h, times the recurrent-dropout mask."""
    cdef Py_ssize_t j
    if rm == NULL:
        memcpy(hn, h, U * sizeof(floating))
    else:
        for j in range(U):
            hn[j] = h[j] * rm[j]


cdef inline void _masked_output(floating* y, Py_ssize_t s, Py_ssize_t U,
                                bint zero_output) noexcept nogil:
    """A masked step repeats the previous output (zeros before the first step)."""
    if zero_output or s == 0:
        memset(y, 0, U * sizeof(floating))
    else:
        memcpy(y, y - U, U * sizeof(floating))


cdef inline void _sig_add(floating* z, const floating* a, const floating* b,
                          const floating* c, Py_ssize_t n) noexcept nogil:
    """z = sigmoid(z + a [+ b [+ c]]) in place (b, c may be NULL)."""
    cdef Py_ssize_t j
    if floating is float:
        nnf_sig_add_f(z, a, b, c, n)
    elif b == NULL:
        for j in range(n):
            z[j] = _sig(z[j] + a[j])
    elif c == NULL:
        for j in range(n):
            z[j] = _sig(z[j] + a[j] + b[j])
    else:
        for j in range(n):
            z[j] = _sig(z[j] + a[j] + b[j] + c[j])


cdef inline void _tanh_add(floating* z, const floating* a, const floating* b,
                           const floating* c, Py_ssize_t n) noexcept nogil:
    """z = tanh(z + a [+ b [* c]]) in place (b, c may be NULL); z must not overlap the
    others."""
    cdef Py_ssize_t j
    if floating is float:
        nnf_tanh_add_f(z, a, b, c, n)
    elif b == NULL:
        for j in range(n):
            z[j] = _tanh(z[j] + a[j])
    elif c == NULL:
        for j in range(n):
            z[j] = _tanh(z[j] + a[j] + b[j])
    else:
        for j in range(n):
            z[j] = _tanh(z[j] + a[j] + b[j] * c[j])


cdef inline void _tanh_of(floating* y, const floating* x, Py_ssize_t n) noexcept nogil:
    """y = tanh(x) (y must not overlap x)."""
    cdef Py_ssize_t j
    if floating is float:
        nnf_tanh_f(y, x, n)
    else:
        for j in range(n):
            y[j] = _tanh(x[j])


cdef inline void _take_output_grad(floating* dh, floating* carry, const floating* dy,
                                   bint on, bint zero_output, Py_ssize_t U) noexcept nogil:
    """Route the gradient of this step's output: into dh (the state's gradient) when the
    step counts, else back to the previous output (which a masked step repeats)."""
    cdef Py_ssize_t j
    if carry == NULL:               # no mask: every step counts
        if dy != NULL:
            for j in range(U):
                dh[j] += dy[j]
        return
    if dy != NULL:
        for j in range(U):
            carry[j] += dy[j]
    if on:
        for j in range(U):
            dh[j] += carry[j]
    if on or zero_output:
        memset(carry, 0, U * sizeof(floating))


cdef inline void _merge_recurrent(floating* dh, const floating* dhr, const floating* rm,
                                  bint add, Py_ssize_t U) noexcept nogil:
    """dh (=|+=) dhr * rm: the gradient that reached the state through the GEMM."""
    cdef Py_ssize_t j
    if add:
        if rm == NULL:
            for j in range(U):
                dh[j] += dhr[j]
        else:
            for j in range(U):
                dh[j] += dhr[j] * rm[j]
    elif rm == NULL:
        memcpy(dh, dhr, U * sizeof(floating))
    else:
        for j in range(U):
            dh[j] = dhr[j] * rm[j]


cdef inline void _scale(floating* a, const floating* b, Py_ssize_t U) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(U):
        a[j] *= b[j]


cdef inline void _transpose(const floating* src, Py_ssize_t lds, Py_ssize_t rows,
                            Py_ssize_t cols, floating* dst, Py_ssize_t ldd, bint add,
                            bint dst_wide) noexcept nogil:
    """dst[j, i] (=|+=) src[i, j] for a (rows, cols) src. One side is the wide, strided
    matrix (dst when `dst_wide`), walked along its rows so it streams; the other is the
    small scratch in cache. float32: 4 x 4 register blocks."""
    cdef Py_ssize_t i, j
    if floating is float:
        nnf_transpose_f(src, lds, rows, cols, dst, ldd, add, dst_wide)
    elif not dst_wide:
        for i in range(rows):
            for j in range(cols):
                dst[j * ldd + i] = src[i * lds + j] + (dst[j * ldd + i] if add else 0)
    else:
        for j in range(cols):
            for i in range(rows):
                dst[j * ldd + i] = src[i * lds + j] + (dst[j * ldd + i] if add else 0)


cdef inline void _recurrent_gemm(const floating* a, Py_ssize_t lda, Py_ssize_t rows,
                                 Py_ssize_t K, const floating* wt, Py_ssize_t ldw,
                                 Py_ssize_t G, floating* c, Py_ssize_t ldc, bint add,
                                 floating* scratch) noexcept nogil:
    """c[rows, G] (=|+=) a[rows, K] @ wt^T, where wt is (G, K) with row stride ldw.

    Computed as (wt @ a^T)^T through `scratch` ((K + G) * rows values): with the batch as
    BLAS's small n dimension OpenBLAS packs the weights in its cheaper layout, ~30% less
    time per step than a @ wt^T for a (32, 128) x (128, 512) step (58 vs 86 us here).
    """
    cdef floating* at = scratch
    cdef floating* ct = scratch + K * rows
    _transpose(a, lda, rows, K, at, rows, False, False)
    gemm_rowmajor(False, False, <int> G, <int> rows, <int> K, 1, wt, <int> ldw, at,
                  <int> rows, 0, ct, <int> rows)
    _transpose(ct, rows, G, rows, c, ldc, add, True)
