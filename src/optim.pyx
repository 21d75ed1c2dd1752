"""Fused optimizer updates: one pass over each parameter, no temporaries.

The compiled twins of nnfast/kernels/numpy_ref/optim.py (SGD with momentum/Nesterov, Adam
with AMSGrad, RMSprop with momentum/centering): the NumPy versions walk each parameter
four to eight times with a scratch buffer; these read the gradient and slots once and
write the parameter and slots once. Each element's arithmetic follows the twin's order of
operations in the parameter's precision, so results agree to float rounding. The
adapters (nnfast/kernels/compiled_optim.py) check shapes and pass scalars already in
float64 (bias corrections folded in, as Keras).

The element loops are plain C loops over raw pointers, called once per thread's chunk
from a prange over chunks: a prange body's lastprivate temporaries keep GCC from
vectorising it (sqrt and division then run one lane at a time).
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport sqrt, sqrtf


cdef inline floating _sqrt(floating x) noexcept nogil:
    if floating is float:
        return sqrtf(x)
    else:
        return sqrt(x)


cdef inline Py_ssize_t _start(Py_ssize_t n, int parts, int t) noexcept nogil:
    return (n * t) // parts


cdef void _sgd_run(floating* p, const floating* g, floating* m, Py_ssize_t n,
                   bint has_momentum, floating lr, floating mom, bint nesterov,
                   floating decay) noexcept nogil:
    cdef Py_ssize_t i
    cdef floating w, t, mi
    for i in range(n):
        w = p[i]
        w = w - w * decay
        t = g[i] * lr
        if not has_momentum:
            p[i] = w - t
        else:
            mi = m[i] * mom - t
            m[i] = mi
            p[i] = (w - t + mi * mom) if nesterov else (w + mi)


def sgd(floating[::1] p, const floating[::1] g, floating[::1] m, bint has_momentum,
        double lr, double momentum, bint nesterov, double decay, int num_threads):
    cdef Py_ssize_t n = p.shape[0], a, b
    cdef int t
    if n == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        a = _start(n, num_threads, t)
        b = _start(n, num_threads, t + 1)
        _sgd_run(&p[a], &g[a], &m[a] if has_momentum else &p[a], b - a, has_momentum,
                 <floating> lr, <floating> momentum, nesterov, <floating> (decay * lr))


cdef void _adam_run(floating* p, const floating* g, floating* m, floating* v, floating* vhat,
                    Py_ssize_t n, bint amsgrad, floating alpha, floating b1, floating b2,
                    floating eps, floating decay) noexcept nogil:
    cdef Py_ssize_t i
    cdef floating w, gi, mi, vi, second
    for i in range(n):
        w = p[i]
        w = w - w * decay
        gi = g[i]
        mi = m[i] + (gi - m[i]) * b1
        vi = v[i] + (gi * gi - v[i]) * b2
        m[i] = mi
        v[i] = vi
        second = vi
        if amsgrad:
            second = vhat[i] if vhat[i] > vi else vi
            vhat[i] = second
        p[i] = w - mi / (_sqrt(second) + eps) * alpha


def adam(floating[::1] p, const floating[::1] g, floating[::1] m, floating[::1] v,
         floating[::1] vhat, bint amsgrad, double alpha, double beta_1, double beta_2,
         double epsilon, double decay, int num_threads):
    cdef Py_ssize_t n = p.shape[0], a, b
    cdef int t
    if n == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        a = _start(n, num_threads, t)
        b = _start(n, num_threads, t + 1)
        _adam_run(&p[a], &g[a], &m[a], &v[a], &vhat[a], b - a, amsgrad, <floating> alpha,
                  <floating> (1.0 - beta_1), <floating> (1.0 - beta_2), <floating> epsilon,
                  <floating> decay)


cdef void _rmsprop_run(floating* p, const floating* g, floating* vel, floating* mom,
                       floating* avg, Py_ssize_t n, bint has_momentum, bint centered,
                       floating lr, floating rho, floating one_rho, floating momentum,
                       floating eps, floating decay) noexcept nogil:
    cdef Py_ssize_t i
    cdef floating w, gi, vi, ai, denom, inc, mi
    for i in range(n):
        w = p[i]
        w = w - w * decay
        gi = g[i]
        vi = vel[i] * rho + gi * gi * one_rho
        vel[i] = vi
        if centered:
            ai = avg[i] * rho + gi * one_rho
            avg[i] = ai
            denom = vi - ai * ai + eps
        else:
            denom = vi + eps
        inc = gi / _sqrt(denom) * lr
        if has_momentum:
            mi = mom[i] * momentum + inc
            mom[i] = mi
            p[i] = w - mi
        else:
            p[i] = w - inc


def rmsprop(floating[::1] p, const floating[::1] g, floating[::1] vel, floating[::1] mom,
            floating[::1] avg, bint has_momentum, bint centered, double lr, double rho,
            double momentum, double epsilon, double decay, int num_threads):
    cdef Py_ssize_t n = p.shape[0], a, b
    cdef int t
    if n == 0:
        return
    for t in prange(num_threads, nogil=True, schedule="static", num_threads=num_threads,
                    use_threads_if=num_threads > 1):
        a = _start(n, num_threads, t)
        b = _start(n, num_threads, t + 1)
        _rmsprop_run(&p[a], &g[a], &vel[a], &mom[a], &avg[a], b - a, has_momentum, centered,
                     <floating> lr, <floating> rho, <floating> (1.0 - rho), <floating> momentum,
                     <floating> epsilon, <floating> decay)
