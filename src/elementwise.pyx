"""Elementwise kernels: activations forward/backward, bias add/grad, fused bias +
activation, fused softmax + cross-entropy.

Arrays arrive C-contiguous and already shape-checked (nnfast/kernels/compiled.py); the
activation kind is an int code (KIND_CODES there). Loops run in parallel only when the
caller asks for more than one thread (`use_threads_if`): small work stays serial.
Transcendentals are computed in double and rounded, so float32 results match NumPy's to
an ulp.
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport NAN, erf, exp, expm1, fabs, log, log1p, tanh, tanhf

cdef enum:
    LINEAR = 0
    RELU = 1
    LEAKY_RELU = 2
    ELU = 3
    SELU = 4
    SIGMOID = 5
    HARD_SIGMOID = 6
    TANH = 7
    SOFTPLUS = 8
    SOFTSIGN = 9
    EXPONENTIAL = 10
    GELU = 11
    GELU_APPROX = 12
    SWISH = 13

cdef double SELU_ALPHA = 1.6732632423543772848170429916717
cdef double SELU_SCALE = 1.0507009873554804934193349852946
cdef double SQRT_2_OVER_PI = 0.7978845608028654
cdef double INV_SQRT_2 = 0.7071067811865476
cdef double INV_SQRT_2PI = 0.3989422804014327


cdef int _check(bint ok, str name) except -1:
    """Shapes are validated by the adapters (nnfast/kernels/compiled.py); this re-check
    with the GIL keeps a direct call with mismatched arrays from touching memory."""
    if not ok:
        raise ValueError(f"{name}: the arrays' shapes do not match")
    return 0


cdef inline double _sigmoid(double x) noexcept nogil:
    cdef double e
    if x >= 0:
        return 1.0 / (1.0 + exp(-x))
    e = exp(x)
    return e / (1.0 + e)


cdef inline double _forward1(int kind, double x, double alpha) noexcept nogil:
    if kind == RELU:
        return x if x > 0 else 0.0
    if kind == LINEAR:
        return x
    if kind == LEAKY_RELU:
        return x if x >= 0 else alpha * x
    if kind == ELU:
        return x if x > 0 else alpha * expm1(x)
    if kind == SELU:
        return SELU_SCALE * (x if x > 0 else SELU_ALPHA * expm1(x))
    if kind == SIGMOID:
        return _sigmoid(x)
    if kind == HARD_SIGMOID:
        x = x / 6.0 + 0.5
        return 0.0 if x < 0 else (1.0 if x > 1 else x)
    if kind == TANH:
        return tanh(x)
    if kind == SOFTPLUS:
        return (x if x > 0 else 0.0) + log1p(exp(-fabs(x)))
    if kind == SOFTSIGN:
        return x / (1.0 + fabs(x))
    if kind == EXPONENTIAL:
        return exp(x)
    if kind == GELU:
        return 0.5 * x * (1.0 + erf(x * INV_SQRT_2))
    if kind == GELU_APPROX:
        return 0.5 * x * (1.0 + tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
    # SWISH
    return x * _sigmoid(x)


cdef inline double _backward1(int kind, double dy, double x, double y,
                              double alpha) noexcept nogil:
    cdef double t, s
    if kind == RELU:
        return dy if y > 0 else 0.0
    if kind == LINEAR:
        return dy
    if kind == LEAKY_RELU:
        return dy if y >= 0 else dy * alpha
    if kind == ELU:
        return dy if y > 0 else dy * (y + alpha)
    if kind == SELU:
        return dy * SELU_SCALE if y > 0 else dy * (y + SELU_SCALE * SELU_ALPHA)
    if kind == SIGMOID:
        return dy * y * (1.0 - y)
    if kind == HARD_SIGMOID:
        return dy / 6.0 if 0 < y < 1 else 0.0
    if kind == TANH:
        return dy * (1.0 - y * y)
    if kind == SOFTPLUS:
        return -dy * expm1(-y)
    if kind == SOFTSIGN:
        t = 1.0 - fabs(y)
        return dy * t * t
    if kind == EXPONENTIAL:
        return dy * y
    if kind == GELU:
        return dy * (0.5 * (1.0 + erf(x * INV_SQRT_2)) + x * exp(-0.5 * x * x) * INV_SQRT_2PI)
    if kind == GELU_APPROX:
        t = tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))
        return dy * (0.5 * (1.0 + t)
                     + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x))
    # SWISH
    s = _sigmoid(x)
    return dy * (s + x * s * (1.0 - s))


# Branch-free ReLU loops over raw pointers: written as a plain C loop (not the body of a
# prange, whose lastprivate temporaries stop GCC's vectoriser), so they compile to SIMD
# selects. With random signs the branchy form mispredicted half the time (8x slower).
cdef inline void _relu_forward_run(const floating* x, floating* y, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        y[i] = x[i] if x[i] > 0 else 0


cdef inline void _relu_backward_run(const floating* dy, const floating* y, floating* dx,
                                    Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef floating g
    for i in range(n):
        g = dy[i]           # loaded unconditionally: a conditional load is not if-converted
        dx[i] = g if y[i] > 0 else 0


cdef inline void _bias_relu_row(const floating* z, const floating* b, floating* y,
                                Py_ssize_t c, bint relu) noexcept nogil:
    """y = z + b, then max(., 0) when `relu`: one row, a plain vectorisable loop."""
    cdef Py_ssize_t j
    cdef floating w
    if relu:
        for j in range(c):
            w = z[j] + b[j]
            y[j] = w if w > 0 else 0
    else:
        for j in range(c):
            y[j] = z[j] + b[j]


cdef inline Py_ssize_t _chunk(Py_ssize_t n, int parts, int t) noexcept nogil:
    """Start of part `t` of `parts` equal parts of range(n)."""
    return (n * t) // parts


cdef inline floating _tanh(floating x) noexcept nogil:
    if floating is float:
        return tanhf(x)
    else:
        return tanh(x)


def activation_forward(int kind, const floating[::1] x, floating[::1] y, double alpha,
                       int num_threads):
    cdef Py_ssize_t i, n = x.shape[0]
    _check(y.shape[0] == n, "activation_forward")
    # The hot kinds get loops of their own, in the input precision, which the compiler
    # vectorises; the rest share the generic loop (switch per element, in double).
    cdef int t
    if kind == RELU:
        if n == 0:
            return
        for t in prange(num_threads, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            _relu_forward_run(&x[_chunk(n, num_threads, t)], &y[_chunk(n, num_threads, t)],
                              _chunk(n, num_threads, t + 1) - _chunk(n, num_threads, t))
    elif kind == TANH:
        for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            y[i] = _tanh(x[i])
    else:
        for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            y[i] = <floating> _forward1(kind, x[i], alpha)


def activation_backward(int kind, const floating[::1] dy, const floating[::1] x,
                        const floating[::1] y, floating[::1] dx, double alpha,
                        int num_threads):
    """`x` may be any array of the right length when the kind does not read it."""
    cdef Py_ssize_t i, n = dy.shape[0]
    _check(x.shape[0] == n and y.shape[0] == n and dx.shape[0] == n, "activation_backward")
    cdef int t
    if kind == RELU:
        if n == 0:
            return
        for t in prange(num_threads, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            _relu_backward_run(&dy[_chunk(n, num_threads, t)], &y[_chunk(n, num_threads, t)],
                               &dx[_chunk(n, num_threads, t)],
                               _chunk(n, num_threads, t + 1) - _chunk(n, num_threads, t))
    elif kind == TANH:
        for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            dx[i] = dy[i] * (1 - y[i] * y[i])
    else:
        for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            dx[i] = <floating> _backward1(kind, dy[i], x[i], y[i], alpha)


def bias_activation_forward(int kind, floating[:, ::1] z, const floating[::1] bias,
                            bint has_bias, floating[:, ::1] y, double alpha,
                            int num_threads):
    """z <- z + bias and y = act(z) in one pass; `y` may be `z` itself."""
    cdef Py_ssize_t i, j, n = z.shape[0], c = z.shape[1]
    cdef double v
    cdef floating w
    _check(y.shape[0] == n and y.shape[1] == c and (bias.shape[0] == c or not has_bias),
           "bias_activation_forward")
    if (kind == RELU or kind == LINEAR) and has_bias and n > 0 and c > 0:
        for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            _bias_relu_row(&z[i, 0], &bias[0], &y[i, 0], c, kind == RELU)
        return
    if kind == RELU or kind == LINEAR:
        for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            for j in range(c):
                w = z[i, j]
                y[i, j] = w if (kind == LINEAR or w > 0) else 0
        return
    if kind == TANH:
        for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                        use_threads_if=num_threads > 1):
            for j in range(c):
                w = z[i, j] + bias[j] if has_bias else z[i, j]
                y[i, j] = _tanh(w)
        return
    for i in prange(n, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        for j in range(c):
            v = z[i, j]
            if has_bias:
                v = v + bias[j]
                z[i, j] = <floating> v
            y[i, j] = <floating> _forward1(kind, v, alpha)


def bias_add(const floating[:, ::1] x, const floating[::1] bias, floating[:, ::1] out,
             int num_threads):
    cdef Py_ssize_t i, j
    _check(bias.shape[0] == x.shape[1] and out.shape[0] == x.shape[0]
           and out.shape[1] == x.shape[1], "bias_add")
    for i in prange(x.shape[0], nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + bias[j]


def bias_grad(const floating[:, ::1] dy, double[::1] acc, int num_threads):
    """acc[j] = sum_i dy[i, j], accumulated in double. Threads split the columns, so
    each row is still read front to back."""
    cdef Py_ssize_t n = dy.shape[0], c = dy.shape[1], chunk, start, stop, i, j, t
    cdef int n_chunks = <int> (num_threads if num_threads < c else c)
    _check(acc.shape[0] == c, "bias_grad")
    if n == 0 or c == 0:
        return
    chunk = (c + n_chunks - 1) // n_chunks
    for t in prange(n_chunks, nogil=True, schedule="static", num_threads=n_chunks,
                    use_threads_if=n_chunks > 1):
        start = t * chunk
        stop = start + chunk if start + chunk < c else c
        for i in range(n):
            for j in range(start, stop):
                acc[j] += dy[i, j]


def softmax(const floating[:, ::1] x, floating[:, ::1] y, bint log_output, int num_threads):
    cdef Py_ssize_t i, j, c = x.shape[1]
    cdef double m, s
    _check(y.shape[0] == x.shape[0] and y.shape[1] == c and (c > 0 or x.shape[0] == 0),
           "softmax")
    for i in prange(x.shape[0], nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        m = x[i, 0]
        for j in range(1, c):
            if x[i, j] > m:
                m = x[i, j]
        s = 0.0
        if log_output:
            for j in range(c):
                s = s + exp(x[i, j] - m)
            s = log(s) + m
            for j in range(c):
                y[i, j] = <floating> (x[i, j] - s)
        else:
            # One exp per element: store it, then scale (safe when y is x: the row's
            # max is already known and x is not read again).
            for j in range(c):
                y[i, j] = <floating> exp(x[i, j] - m)
                s = s + y[i, j]
            s = 1.0 / s
            for j in range(c):
                y[i, j] = <floating> (y[i, j] * s)


def softmax_backward(const floating[:, ::1] dy, const floating[:, ::1] y,
                     floating[:, ::1] dx, bint log_output, int num_threads):
    cdef Py_ssize_t i, j, c = dy.shape[1]
    cdef double s
    _check(y.shape[0] == dy.shape[0] and y.shape[1] == c and dx.shape[0] == dy.shape[0]
           and dx.shape[1] == c, "softmax_backward")
    for i in prange(dy.shape[0], nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        s = 0.0
        if log_output:
            for j in range(c):
                s = s + dy[i, j]
            for j in range(c):
                dx[i, j] = <floating> (dy[i, j] - exp(y[i, j]) * s)
        else:
            for j in range(c):
                s = s + dy[i, j] * y[i, j]
            for j in range(c):
                dx[i, j] = <floating> (y[i, j] * (dy[i, j] - s))


def softmax_cross_entropy_sparse(const floating[:, ::1] logits, const long long[::1] labels,
                                 floating[::1] loss, floating[:, ::1] probs, int num_threads):
    cdef Py_ssize_t i, j, c = logits.shape[1]
    cdef double m, s
    _check(labels.shape[0] == logits.shape[0] and loss.shape[0] == logits.shape[0]
           and probs.shape[0] == logits.shape[0] and probs.shape[1] == c
           and (c > 0 or logits.shape[0] == 0), "softmax_cross_entropy")
    for i in prange(logits.shape[0], nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        m = logits[i, 0]
        for j in range(1, c):
            if logits[i, j] > m:
                m = logits[i, j]
        s = 0.0
        for j in range(c):
            probs[i, j] = <floating> exp(logits[i, j] - m)
            s = s + probs[i, j]
        # The adapter has range-checked the labels; this guard only keeps a direct
        # call with a bad label from reading outside the row.
        if 0 <= labels[i] < c:
            loss[i] = <floating> (log(s) + m - logits[i, labels[i]])
        else:
            loss[i] = <floating> NAN
        s = 1.0 / s
        for j in range(c):
            probs[i, j] = <floating> (probs[i, j] * s)


def softmax_cross_entropy_dense(const floating[:, ::1] logits, const floating[:, ::1] labels,
                                floating[::1] loss, floating[:, ::1] probs, int num_threads):
    cdef Py_ssize_t i, j, c = logits.shape[1]
    cdef double m, s, lse, acc
    _check(labels.shape[0] == logits.shape[0] and labels.shape[1] == c
           and loss.shape[0] == logits.shape[0] and probs.shape[0] == logits.shape[0]
           and probs.shape[1] == c and (c > 0 or logits.shape[0] == 0), "softmax_cross_entropy")
    for i in prange(logits.shape[0], nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        m = logits[i, 0]
        for j in range(1, c):
            if logits[i, j] > m:
                m = logits[i, j]
        s = 0.0
        for j in range(c):
            probs[i, j] = <floating> exp(logits[i, j] - m)
            s = s + probs[i, j]
        lse = log(s) + m
        s = 1.0 / s
        acc = 0.0
        for j in range(c):
            probs[i, j] = <floating> (probs[i, j] * s)
            acc = acc + labels[i, j] * (lse - logits[i, j])
        loss[i] = <floating> acc


def softmax_cross_entropy_backward_sparse(const floating[:, ::1] probs,
                                          const long long[::1] labels,
                                          const floating[::1] dloss, floating[:, ::1] dlogits,
                                          int num_threads):
    cdef Py_ssize_t i, j, c = probs.shape[1]
    _check(labels.shape[0] == probs.shape[0] and dloss.shape[0] == probs.shape[0]
           and dlogits.shape[0] == probs.shape[0] and dlogits.shape[1] == c,
           "softmax_cross_entropy_backward")
    for i in prange(probs.shape[0], nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        for j in range(c):
            dlogits[i, j] = probs[i, j] * dloss[i]
        if 0 <= labels[i] < c:      # checked by the adapter; never write outside the row
            dlogits[i, labels[i]] -= dloss[i]


def softmax_cross_entropy_backward_dense(const floating[:, ::1] probs,
                                         const floating[:, ::1] labels,
                                         const floating[::1] dloss, floating[:, ::1] dlogits,
                                         int num_threads):
    cdef Py_ssize_t i, j, c = probs.shape[1]
    cdef double total
    _check(labels.shape[0] == probs.shape[0] and labels.shape[1] == c
           and dloss.shape[0] == probs.shape[0] and dlogits.shape[0] == probs.shape[0]
           and dlogits.shape[1] == c, "softmax_cross_entropy_backward")
    for i in prange(probs.shape[0], nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        total = 0.0
        for j in range(c):
            total = total + labels[i, j]
        for j in range(c):
            dlogits[i, j] = <floating> ((probs[i, j] * total - labels[i, j]) * dloss[i])
