"""GRU over a whole sequence, forward and backward through time, with the reset gate
applied after the recurrent product (`reset_after`, Keras 3's default) or before it.
Same structure as lstm.pyx (read its docstring): the adapter's one input-projection
GEMM, then per step one recurrent GEMM (two when the reset comes first: the candidate's
product needs r) and fused gate kernels, the batch cut into per-thread chunks.
"""
from libc.limits cimport INT_MAX
from libc.string cimport memcpy, memset
from cython cimport floating
from cython.parallel cimport prange

from _rnn cimport (_check, _check_shapes, _masked_output, _merge_recurrent, _on,
                   _recurrent_gemm, _scale,
                   _sig_add, _store_next, _take_output_grad, _tanh_add, _time)


cdef void _gru_gates_after(floating* x, const floating* bi, const floating* br,
                           const floating* inner, floating* rec, Py_ssize_t U) noexcept nogil:
    """reset_after: z, r from x + inner, hh = tanh(x_h + r * inner_h); rec = inner_h."""
    cdef Py_ssize_t j
    _sig_add(x, bi, inner, br, 2 * U)
    for j in range(U):
        rec[j] = inner[2 * U + j] + br[2 * U + j]
    _tanh_add(x + 2 * U, bi + 2 * U, x + U, rec, U)


cdef void _gru_gates_zr(floating* x, const floating* bi, const floating* inner,
                        const floating* hd, floating* rec, Py_ssize_t U) noexcept nogil:
    """reset_before, first half: z, r, and rec = r * h (what meets the candidate weights)."""
    cdef Py_ssize_t j
    _sig_add(x, bi, inner, NULL, 2 * U)
    for j in range(U):
        rec[j] = x[U + j] * hd[j]


cdef void _gru_update(floating* x, const floating* bi, const floating* inner, bint candidate,
                      const floating* h, floating* y, Py_ssize_t U) noexcept nogil:
    """y = z * h + (1 - z) * hh (reset_before first computes hh from x_h + inner_h)."""
    cdef Py_ssize_t j
    cdef floating one = 1           # (a bare 1 makes Cython compute in double)
    if candidate:
        _tanh_add(x + 2 * U, bi + 2 * U, inner + 2 * U, NULL, U)
    for j in range(U):
        y[j] = x[j] * h[j] + (one - x[j]) * x[2 * U + j]


cdef void _gru_fwd_chunk(Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t T, Py_ssize_t U,
                         floating* gates, const floating* RT, const floating* bi,
                         const floating* br, floating* hprev, floating* htrue, floating* rec,
                         floating* out, floating* h, floating* inner, bint reset_after,
                         const unsigned char* mask, const floating* rm, bint backwards,
                         bint zero_output, floating* scratch) noexcept nogil:
    cdef Py_ssize_t s, t, n, G = 3 * U, rows = n1 - n0
    cdef floating *x
    cdef floating *y
    for n in range(n0, n1):
        _store_next(hprev + (n * T + _time(0, T, backwards)) * U, h + n * U,
                    rm + n * U if rm != NULL else NULL, U)
    for s in range(T):
        t = _time(s, T, backwards)
        if htrue != NULL:
            for n in range(n0, n1):
                memcpy(htrue + (n * T + t) * U, h + n * U, U * sizeof(floating))
        _recurrent_gemm(hprev + (n0 * T + t) * U, T * U, rows, U, RT, U,
                        G if reset_after else 2 * U, inner + n0 * G, G, False,
                        scratch + n0 * 4 * U)
        if not reset_after:
            for n in range(n0, n1):
                _gru_gates_zr(gates + (n * T + t) * G, bi, inner + n * G,
                              hprev + (n * T + t) * U, rec + (n * T + t) * U, U)
            _recurrent_gemm(rec + (n0 * T + t) * U, T * U, rows, U, RT + 2 * U * U, U, U,
                            inner + n0 * G + 2 * U, G, False, scratch + n0 * 4 * U)
        for n in range(n0, n1):
            x = gates + (n * T + t) * G
            y = out + (n * T + s) * U
            if _on(mask, n, T, t):
                if reset_after:
                    _gru_gates_after(x, bi, br, inner + n * G, rec + (n * T + t) * U, U)
                _gru_update(x, bi, inner + n * G, not reset_after, h + n * U, y, U)
                memcpy(h + n * U, y, U * sizeof(floating))
            else:
                _masked_output(y, s, U, zero_output)
            if s + 1 < T:
                _store_next(hprev + (n * T + _time(s + 1, T, backwards)) * U, h + n * U,
                            rm + n * U if rm != NULL else NULL, U)


def gru_forward(floating[:, :, ::1] gates, const floating[:, ::1] RT, const floating[::1] bi,
                const floating[::1] br, floating[:, :, ::1] hprev, floating[:, :, ::1] htrue,
                floating[:, :, ::1] rec, floating[:, :, ::1] out, floating[:, ::1] h,
                floating[:, ::1] inner, bint reset_after, const unsigned char[:, ::1] mask,
                const floating[:, ::1] rmask, bint go_backwards, bint zero_output,
                floating[:, ::1] scratch, int num_threads):
    """The recurrence of a GRU forward pass (see `lstm_forward`). `RT` is the recurrent
    kernel transposed, (3U, U); `bi`/`br` are the input and recurrent biases (3U each;
    `br` is unused without `reset_after`); `rec` receives the recurrent candidate
    (reset_after) or r * h (reset before); `htrue` (None without a recurrent mask) the
    state before each step; `inner` (N, 3U) and `scratch` (N, 4U) are scratch."""
    cdef Py_ssize_t N = gates.shape[0], T = gates.shape[1], U = RT.shape[1], ci
    _check(gates.shape[2] == 3 * U and RT.shape[0] == 3 * U and bi.shape[0] == 3 * U
           and br.shape[0] == 3 * U, "weights")
    _check_shapes([hprev, rec, out, htrue], (N, T, U), "sequences")
    _check_shapes([h, rmask], (N, U), "states")
    _check_shapes([inner], (N, 3 * U), "inner")
    _check_shapes([scratch], (N, 4 * U), "scratch")
    _check_shapes([mask], (N, T), "mask")
    _check(N >= 1 and T >= 1 and U >= 1 and T * 3 * U < INT_MAX, "sizes")
    cdef const unsigned char* mp = &mask[0, 0] if mask is not None else NULL
    cdef const floating* rp = &rmask[0, 0] if rmask is not None else NULL
    cdef floating* hp = &htrue[0, 0, 0] if htrue is not None else NULL
    cdef int chunks = max(1, min(num_threads, N))
    with nogil:
        for ci in prange(chunks, schedule="static", num_threads=chunks,
                         use_threads_if=chunks > 1):
            _gru_fwd_chunk(ci * N // chunks, (ci + 1) * N // chunks, T, U, &gates[0, 0, 0],
                           &RT[0, 0], &bi[0], &br[0], &hprev[0, 0, 0], hp, &rec[0, 0, 0],
                           &out[0, 0, 0], &h[0, 0], &inner[0, 0], reset_after, mp, rp,
                           go_backwards, zero_output, &scratch[0, 0])


cdef void _gru_grad_zh(const floating* x, const floating* hp, const floating* rec,
                       const floating* dh, floating* dx, bint reset_after,
                       Py_ssize_t U) noexcept nogil:
    """Gradients of the z and candidate pre-activations (and, reset_after, of r)."""
    cdef Py_ssize_t j
    cdef floating z, hh, one = 1
    for j in range(U):
        z = x[j]
        hh = x[2 * U + j]
        dx[j] = dh[j] * (hp[j] - hh) * z * (one - z)
        dx[2 * U + j] = dh[j] * (one - z) * (one - hh * hh)
    if reset_after:
        for j in range(U):
            dx[U + j] = dx[2 * U + j] * rec[j] * x[U + j] * (one - x[U + j])


cdef void _gru_bwd_chunk(Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t T, Py_ssize_t U,
                         const floating* gates, const floating* R, const floating* hprev,
                         const floating* htrue, const floating* rec, const floating* dout,
                         floating* dxs, floating* dins, floating* dh, floating* carry,
                         floating* dhr, bint reset_after, const unsigned char* mask,
                         const floating* rm, bint backwards, bint zero_output,
                         floating* scratch) noexcept nogil:
    cdef Py_ssize_t s, t, n, j, G = 3 * U, rows = n1 - n0, row
    cdef const floating* hp
    cdef const floating* x
    cdef floating* dx
    cdef floating* di
    cdef bint on
    cdef floating one = 1
    for s in range(T - 1, -1, -1):
        t = _time(s, T, backwards)
        for n in range(n0, n1):
            row = (n * T + t)
            if s + 1 < T and _on(mask, n, T, _time(s + 1, T, backwards)):
                _merge_recurrent(dh + n * U, dhr + n * U, rm + n * U if rm != NULL else NULL,
                                 True, U)
            on = _on(mask, n, T, t)
            _take_output_grad(dh + n * U, carry + n * U if carry != NULL else NULL,
                              dout + (n * T + s) * U if dout != NULL else NULL, on,
                              zero_output, U)
            dx = dxs + row * G
            if not on:
                memset(dx, 0, G * sizeof(floating))
                if reset_after:
                    memset(dins + row * G, 0, G * sizeof(floating))
                continue
            x = gates + row * G
            hp = (htrue if htrue != NULL else hprev) + row * U
            _gru_grad_zh(x, hp, rec + row * U, dh + n * U, dx, reset_after, U)
            if reset_after:
                di = dins + row * G
                memcpy(di, dx, 2 * U * sizeof(floating))
                for j in range(U):
                    di[2 * U + j] = dx[2 * U + j] * x[U + j]
            _scale(dh + n * U, x, U)          # the direct path: dh_prev = dh * z + ...
        if reset_after:
            _recurrent_gemm(dins + (n0 * T + t) * G, T * G, rows, G, R, G, U, dhr + n0 * U,
                            U, False, scratch + n0 * 4 * U)
            continue
        # reset before: d(r * h) = d_candidate @ R_h^T, then r's gradient, then the rest.
        _recurrent_gemm(dxs + (n0 * T + t) * G + 2 * U, T * G, rows, U, R + 2 * U, G, U,
                        dhr + n0 * U, U, False, scratch + n0 * 4 * U)
        for n in range(n0, n1):
            if _on(mask, n, T, t):
                row = (n * T + t)
                x = gates + row * G
                dx = dxs + row * G
                hp = hprev + row * U
                for j in range(U):
                    dx[U + j] = dhr[n * U + j] * hp[j] * x[U + j] * (one - x[U + j])
                _scale(dhr + n * U, x + U, U)
        _recurrent_gemm(dxs + (n0 * T + t) * G, T * G, rows, 2 * U, R, G, U, dhr + n0 * U,
                        U, True, scratch + n0 * 4 * U)
    for n in range(n0, n1):
        if _on(mask, n, T, _time(0, T, backwards)):
            _merge_recurrent(dh + n * U, dhr + n * U, rm + n * U if rm != NULL else NULL,
                             True, U)


def gru_backward(const floating[:, :, ::1] gates, const floating[:, ::1] R,
                 const floating[:, :, ::1] hprev, const floating[:, :, ::1] htrue,
                 const floating[:, :, ::1] rec, const floating[:, :, ::1] dout,
                 floating[:, :, ::1] dxs, floating[:, :, ::1] dins, floating[:, ::1] dh,
                 floating[:, ::1] carry, floating[:, ::1] dhr, bint reset_after,
                 const unsigned char[:, ::1] mask, const floating[:, ::1] rmask,
                 bint go_backwards, bint zero_output, floating[:, ::1] scratch,
                 int num_threads):
    """Backward through time of `gru_forward`: fills `dxs` (N, T, 3U) with the gradient of
    the input-side pre-activations and, with `reset_after`, `dins` with that of the
    recurrent-side ones (None otherwise); `dh` enters as the last state's gradient and
    leaves as the initial state's. `scratch` is (N, 4U)."""
    cdef Py_ssize_t N = gates.shape[0], T = gates.shape[1], U = R.shape[0], ci
    _check(gates.shape[2] == 3 * U and R.shape[1] == 3 * U, "gates")
    _check(dxs is not None and (dins is not None or not reset_after), "grads")
    _check_shapes([dxs, dins], (N, T, 3 * U), "grads")
    _check_shapes([hprev, rec, htrue, dout], (N, T, U), "sequences")
    _check_shapes([dh, dhr] + ([carry] if mask is not None else []), (N, U), "states")
    _check(mask is None or carry is not None, "carry")
    _check_shapes([rmask], (N, U), "rmask")
    _check_shapes([mask], (N, T), "mask")
    _check_shapes([scratch], (N, 4 * U), "scratch")
    _check(N >= 1 and T >= 1 and U >= 1 and T * 3 * U < INT_MAX, "sizes")
    cdef const unsigned char* mp = &mask[0, 0] if mask is not None else NULL
    cdef const floating* rp = &rmask[0, 0] if rmask is not None else NULL
    cdef const floating* dp = &dout[0, 0, 0] if dout is not None else NULL
    cdef const floating* hp = &htrue[0, 0, 0] if htrue is not None else NULL
    cdef floating* dip = &dins[0, 0, 0] if reset_after else NULL
    cdef floating* cy = &carry[0, 0] if mask is not None else NULL
    cdef int chunks = max(1, min(num_threads, N))
    with nogil:
        for ci in prange(chunks, schedule="static", num_threads=chunks,
                         use_threads_if=chunks > 1):
            _gru_bwd_chunk(ci * N // chunks, (ci + 1) * N // chunks, T, U, &gates[0, 0, 0],
                           &R[0, 0], &hprev[0, 0, 0], hp, &rec[0, 0, 0], dp, &dxs[0, 0, 0],
                           dip, &dh[0, 0], cy, &dhr[0, 0], reset_after, mp, rp,
                           go_backwards, zero_output, &scratch[0, 0])
