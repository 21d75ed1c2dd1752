"""LSTM over a whole sequence, forward and backward through time (tanh / sigmoid; the
adapters, nnfast/kernels/compiled_rnn.py, send other activations to the NumPy twin in
nnfast/kernels/numpy_ref/rnn.py, whose cache layout these kernels share).

The input projection x @ kernel for all steps is one GEMM done by the adapter into
`gates` (N, T, 4U); these loops then run, per step, the recurrent GEMM on the previous
state and the fused gate kernel. Batch rows never interact, so the batch is cut into
`num_threads` chunks that each run the whole sequence with their own single-threaded
GEMMs: no barrier per step, and no OpenMP team alternating with BLAS's thread pool (the
adapter caps BLAS at one thread meanwhile).

Step s reads input time t = s, or T-1-s with `go_backwards`; per-step buffers are indexed
by t, `outputs` by s. `mask` (N, T) uint8 and `rmask` (N, U) may be None. Inner loops
touch few arrays each so that GCC vectorises them despite possible aliasing.
"""
from libc.limits cimport INT_MAX
from libc.string cimport memcpy, memset
from cython cimport floating
from cython.parallel cimport prange

from _fastmath cimport nnf_lstm_grad_f
from _rnn cimport (_check, _check_shapes, _masked_output, _merge_recurrent, _on,
                   _recurrent_gemm, _sig_add,
                   _store_next, _take_output_grad, _tanh_add, _tanh_of, _time)


cdef void _lstm_cell(floating* z, const floating* b, const floating* cp, floating* cs,
                     floating* ca, Py_ssize_t U) noexcept nogil:
    # Several short loops rather than one: each touches few arrays, so GCC's run-time
    # alias checks stay within its limit and every loop is vectorised.
    cdef Py_ssize_t j
    _sig_add(z, b, NULL, NULL, 2 * U)                  # i, f
    _tanh_add(z + 2 * U, b + 2 * U, NULL, NULL, U)     # c candidate
    _sig_add(z + 3 * U, b + 3 * U, NULL, NULL, U)      # o
    for j in range(U):
        cs[j] = z[U + j] * cp[j] + z[j] * z[2 * U + j]
    _tanh_of(ca, cs, U)


cdef void _lstm_fwd_chunk(Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t T, Py_ssize_t U,
                          floating* gates, const floating* RT, const floating* b,
                          floating* hprev, floating* cstate, floating* cact, floating* out,
                          floating* h, const floating* c0, const unsigned char* mask,
                          const floating* rm, bint backwards, bint zero_output,
                          floating* scratch) noexcept nogil:
    cdef Py_ssize_t s, t, n, j, G = 4 * U
    cdef floating *z
    cdef floating *y
    cdef const floating* cp
    for n in range(n0, n1):
        _store_next(hprev + (n * T + _time(0, T, backwards)) * U, h + n * U,
                    rm + n * U if rm != NULL else NULL, U)
    for s in range(T):
        t = _time(s, T, backwards)
        _recurrent_gemm(hprev + (n0 * T + t) * U, T * U, n1 - n0, U, RT, U, G,
                        gates + (n0 * T + t) * G, T * G, True, scratch + n0 * 5 * U)
        for n in range(n0, n1):
            z = gates + (n * T + t) * G
            y = out + (n * T + s) * U
            cp = c0 + n * U if s == 0 else cstate + (n * T + _time(s - 1, T, backwards)) * U
            if _on(mask, n, T, t):
                _lstm_cell(z, b, cp, cstate + (n * T + t) * U, cact + (n * T + t) * U, U)
                cp = cact + (n * T + t) * U
                for j in range(U):
                    y[j] = z[3 * U + j] * cp[j]
                memcpy(h + n * U, y, U * sizeof(floating))
            else:
                memcpy(cstate + (n * T + t) * U, cp, U * sizeof(floating))
                _masked_output(y, s, U, zero_output)
            if s + 1 < T:
                _store_next(hprev + (n * T + _time(s + 1, T, backwards)) * U, h + n * U,
                            rm + n * U if rm != NULL else NULL, U)


def lstm_forward(floating[:, :, ::1] gates, const floating[:, ::1] RT, const floating[::1] b,
                 floating[:, :, ::1] hprev, floating[:, :, ::1] cstate,
                 floating[:, :, ::1] cact, floating[:, :, ::1] out, floating[:, ::1] h,
                 const floating[:, ::1] c0, const unsigned char[:, ::1] mask,
                 const floating[:, ::1] rmask, bint go_backwards, bint zero_output,
                 floating[:, ::1] scratch, int num_threads):
    """The recurrence of an LSTM forward pass. On entry `gates` holds x @ kernel and `h`
    the initial state; on exit `gates` holds the activated gates i, f, c, o, `h` the last
    state, `hprev` the (masked) state fed to each step's GEMM, `cstate`/`cact` the carry
    after each step and its tanh, `out` the outputs. `RT` is the recurrent kernel
    transposed, (4U, U); `scratch` is (N, 5U)."""
    cdef Py_ssize_t N = gates.shape[0], T = gates.shape[1], U = RT.shape[1], ci
    _check(gates.shape[2] == 4 * U and RT.shape[0] == 4 * U and b.shape[0] == 4 * U, "weights")
    _check_shapes([scratch], (N, 5 * U), "scratch")
    _check_shapes([hprev, cstate, cact, out], (N, T, U), "sequences")
    _check_shapes([h, c0, rmask], (N, U), "states")
    _check_shapes([mask], (N, T), "mask")
    _check(N >= 1 and T >= 1 and U >= 1 and T * 4 * U < INT_MAX and N * T * 4 * U > 0, "sizes")
    cdef const unsigned char* mp = &mask[0, 0] if mask is not None else NULL
    cdef const floating* rp = &rmask[0, 0] if rmask is not None else NULL
    cdef int chunks = max(1, min(num_threads, N))
    with nogil:
        for ci in prange(chunks, schedule="static", num_threads=chunks,
                         use_threads_if=chunks > 1):
            _lstm_fwd_chunk(ci * N // chunks, (ci + 1) * N // chunks, T, U, &gates[0, 0, 0],
                            &RT[0, 0], &b[0], &hprev[0, 0, 0], &cstate[0, 0, 0],
                            &cact[0, 0, 0], &out[0, 0, 0], &h[0, 0], &c0[0, 0], mp, rp,
                            go_backwards, zero_output, &scratch[0, 0])


cdef void _lstm_cell_grad(const floating* z, const floating* ca, const floating* cp,
                          const floating* dh, floating* dc, floating* dz,
                          Py_ssize_t U) noexcept nogil:
    """One row of one step backwards: dc (the carry's gradient, updated to the previous
    carry's) and dz, the gradient of the gate pre-activations."""
    cdef Py_ssize_t j
    cdef const floating* o = z + 3 * U
    cdef floating one = 1           # (a bare 1 makes Cython compute in double)
    if floating is float:
        nnf_lstm_grad_f(z, ca, cp, dh, dc, dz, U)
    else:
        for j in range(U):          # dc: the carry's gradient through h = o * tanh(c)
            dc[j] = dc[j] + dh[j] * o[j] * (one - ca[j] * ca[j])
        for j in range(U):
            dz[3 * U + j] = dh[j] * ca[j] * o[j] * (one - o[j])
        for j in range(U):
            dz[j] = dc[j] * z[2 * U + j] * z[j] * (one - z[j])
        for j in range(U):
            dz[U + j] = dc[j] * cp[j] * z[U + j] * (one - z[U + j])
        for j in range(U):
            dz[2 * U + j] = dc[j] * z[j] * (one - z[2 * U + j] * z[2 * U + j])
        for j in range(U):
            dc[j] *= z[U + j]


cdef void _lstm_bwd_chunk(Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t T, Py_ssize_t U,
                          const floating* gates, const floating* R, const floating* cstate,
                          const floating* cact, const floating* c0,
                          const floating* dout, floating* dzs, floating* dh, floating* dc,
                          floating* carry, floating* dhr, const unsigned char* mask,
                          const floating* rm, bint backwards, bint zero_output,
                          floating* scratch) noexcept nogil:
    cdef Py_ssize_t s, t, n, G = 4 * U
    cdef const floating* cp
    cdef bint on
    for s in range(T - 1, -1, -1):
        t = _time(s, T, backwards)
        for n in range(n0, n1):
            if s + 1 < T and _on(mask, n, T, _time(s + 1, T, backwards)):
                _merge_recurrent(dh + n * U, dhr + n * U, rm + n * U if rm != NULL else NULL,
                                 False, U)
            on = _on(mask, n, T, t)
            _take_output_grad(dh + n * U, carry + n * U if carry != NULL else NULL,
                              dout + (n * T + s) * U if dout != NULL else NULL, on,
                              zero_output, U)
            if on:
                cp = c0 + n * U if s == 0 else cstate + (n * T + _time(s - 1, T, backwards)) * U
                _lstm_cell_grad(gates + (n * T + t) * G, cact + (n * T + t) * U, cp,
                                dh + n * U, dc + n * U, dzs + (n * T + t) * G, U)
            else:
                memset(dzs + (n * T + t) * G, 0, G * sizeof(floating))
        _recurrent_gemm(dzs + (n0 * T + t) * G, T * G, n1 - n0, G, R, G, U, dhr + n0 * U, U,
                        False, scratch + n0 * 5 * U)
    for n in range(n0, n1):
        if _on(mask, n, T, _time(0, T, backwards)):
            _merge_recurrent(dh + n * U, dhr + n * U, rm + n * U if rm != NULL else NULL,
                             False, U)


def lstm_backward(const floating[:, :, ::1] gates, const floating[:, ::1] R,
                  const floating[:, :, ::1] cstate, const floating[:, :, ::1] cact,
                  const floating[:, ::1] c0, const floating[:, :, ::1] dout,
                  floating[:, :, ::1] dzs, floating[:, ::1] dh, floating[:, ::1] dc,
                  floating[:, ::1] carry, floating[:, ::1] dhr,
                  const unsigned char[:, ::1] mask, const floating[:, ::1] rmask,
                  bint go_backwards, bint zero_output, floating[:, ::1] scratch,
                  int num_threads):
    """Backward through time of `lstm_forward`: fills `dzs` (N, T, 4U) with the gradient
    of each step's gate pre-activations (zeros at masked steps); `dh`/`dc` enter as the
    gradients of the last state and leave as those of the initial state. `dout` (the
    outputs' gradient) may be None; `carry` (zeros) is needed only with a mask; `scratch`
    is (N, 5U)."""
    cdef Py_ssize_t N = gates.shape[0], T = gates.shape[1], U = R.shape[0], ci
    _check(gates.shape[2] == 4 * U and R.shape[1] == 4 * U and dzs.shape[0] == N
           and dzs.shape[1] == T and dzs.shape[2] == 4 * U, "gates")
    _check_shapes([cstate, cact, dout], (N, T, U), "sequences")
    _check_shapes([c0, dh, dc, dhr, rmask] + ([carry] if mask is not None else []), (N, U),
                  "states")
    _check(mask is None or carry is not None, "carry")
    _check_shapes([mask], (N, T), "mask")
    _check_shapes([scratch], (N, 5 * U), "scratch")
    _check(N >= 1 and T >= 1 and U >= 1 and T * 4 * U < INT_MAX, "sizes")
    cdef const unsigned char* mp = &mask[0, 0] if mask is not None else NULL
    cdef const floating* rp = &rmask[0, 0] if rmask is not None else NULL
    cdef const floating* dp = &dout[0, 0, 0] if dout is not None else NULL
    cdef floating* cy = &carry[0, 0] if mask is not None else NULL
    cdef int chunks = max(1, min(num_threads, N))
    with nogil:
        for ci in prange(chunks, schedule="static", num_threads=chunks,
                         use_threads_if=chunks > 1):
            _lstm_bwd_chunk(ci * N // chunks, (ci + 1) * N // chunks, T, U, &gates[0, 0, 0],
                            &R[0, 0], &cstate[0, 0, 0], &cact[0, 0, 0], &c0[0, 0], dp,
                            &dzs[0, 0, 0], &dh[0, 0], &dc[0, 0], cy, &dhr[0, 0], mp, rp,
                            go_backwards, zero_output, &scratch[0, 0])
