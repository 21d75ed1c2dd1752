"""Adapters for the recurrent sequence kernels (src/lstm.pyx, src/gru.pyx): LSTM and GRU
forward and backward through time, registered as the "cython" implementations of the
twins in nnfast/kernels/numpy_ref/rnn.py.

Each adapter validates with the twin's checks, runs the input projection and the weight
gradients as single GEMMs over all steps (BLAS may use every thread there), and the
recurrence in the compiled loop. The loop splits the batch into one chunk per thread, each
calling BLAS itself, so BLAS is capped at one thread for its duration (threadpoolctl;
without it the loop runs on one chunk). Activations other than tanh / sigmoid, and empty
batches, run on the twin; both fill the same cache, so either backward reads it.
"""
import contextlib
import threading

import numpy as np

from nnfast._ext import gru as _gru
from nnfast._ext import lstm as _lstm
from nnfast.kernels import compiled as _c
from nnfast.kernels.numpy_ref import rnn as _ref
from nnfast.kernels.registry import register
from nnfast.kernels.threads import get_num_threads

# Batch rows per thread below which the recurrence stays on one chunk (a thread's share of
# the per-step GEMM gets too thin). A module attribute so tests can force threads on.
PARALLEL_MIN_ROWS = 64
# Batch x units from which a single-chunk recurrence caps BLAS at one thread.
CAP_BLAS_MIN_WORK = 2048
DEFAULT_ACTIVATIONS = (("tanh", 0.0), ("sigmoid", 0.0))


class _OneBlasThread:
    """Caps BLAS at one thread while any recurrence runs (threads of several Python
    callers share the cap: the first in sets it, the last out restores the limits)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._controller = None
        self._limit = None

    def available(self):
        if self._controller is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:
                self._controller = False
            else:
                self._controller = ThreadpoolController()
        return bool(self._controller)

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                self._limit = self._controller.limit(limits=1, user_api="blas")
            self._depth += 1

    def __exit__(self, *exc):
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._limit.restore_original_limits()
                self._limit = None


_one_blas_thread = _OneBlasThread()


def _plan(n, u):
    """(chunks, context): how many batch chunks run in parallel, and the context that
    keeps BLAS on one thread while they do (without threadpoolctl: one chunk)."""
    threads = get_num_threads()
    chunks = max(1, min(threads, n // max(1, PARALLEL_MIN_ROWS)))
    if threads == 1 or not _one_blas_thread.available():
        return 1, contextlib.nullcontext()
    if chunks == 1 and n * u < CAP_BLAS_MIN_WORK:
        # Small recurrences (W7: batch 32, 32 units) run faster as they are than paying
        # threadpoolctl's cap and restore (about a millisecond) on every call.
        return 1, contextlib.nullcontext()
    # Also on one chunk: the per-step GEMMs are too small for two BLAS threads (W4 at 2
    # threads: 45.6 ms with them, against 32.1 capped), and one cap per sequence pays.
    return chunks, _one_blas_thread


def _contig(a, dtype):
    return None if a is None else _c._contig(a, dtype)


def _mask8(mask):
    return None if mask is None else mask.view(np.uint8)


def _gradients(cache, dzs, dins, need_input, need_weights):
    """dx and the weight gradients: one GEMM each over all steps."""
    n, t, i, u = cache.shape
    dz2 = dzs.reshape(n * t, -1)
    dx = _c.gemm(dz2, cache.kernel, trans_b=True).reshape(n, t, i) if need_input else None
    if not need_weights:
        return dx, None, None, None
    dw = _c.gemm(cache.x2, dz2, trans_a=True)
    h2 = cache.hprev.reshape(n * t, u)
    if cache.kind == "gru" and not cache.reset_after:
        dr = np.empty((u, 3 * u), dz2.dtype)
        _c.gemm(h2, dz2[:, :2 * u], trans_a=True, out=dr[:, :2 * u])
        _c.gemm(cache.rec.reshape(n * t, u), dz2[:, 2 * u:], trans_a=True, out=dr[:, 2 * u:])
    else:
        din2 = dz2 if dins is None else dins.reshape(n * t, -1)
        dr = _c.gemm(h2, din2, trans_a=True)
    db = None
    if cache.bias_shape is not None:
        db = _c.bias_grad(dz2)
        if len(cache.bias_shape) == 2:
            db = np.stack([db, _c.bias_grad(dins.reshape(n * t, -1))])
    return dx, dw, dr, db


def _projection(x, kernel, n, t, i, gu):
    """x @ kernel for every step at once, into the buffer the recurrence works in."""
    x2 = _c._contig(x).reshape(n * t, i)
    gates = np.empty((n, t, gu), x.dtype)
    _c.gemm(x2, kernel, out=gates.reshape(n * t, gu))
    return x2, gates


def _grad_inputs(op, cache, d_outputs, d_h):
    n, t, _, u = cache.shape
    dt = cache.gates.dtype
    d_outputs = _contig(_ref.check_grad(op, "d_outputs", d_outputs, (n, t, u), dt), dt)
    d_h = _ref.check_grad(op, "d_h", d_h, (n, u), dt)
    dh = np.zeros((n, u), dt) if d_h is None else np.array(d_h, dtype=dt, order="C")
    carry = np.zeros((n, u), dt) if cache.mask is not None else None
    return d_outputs, dh, carry


# --- LSTM ---------------------------------------------------------------------------------
def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias=None, mask=None,
                 recurrent_mask=None, go_backwards=False, zero_output_for_mask=False,
                 activation=("tanh", 0.0), recurrent_activation=("sigmoid", 0.0)):
    n, t, i, u, mask = _ref.check_rnn("lstm_forward", "lstm", x, [("initial_h", h0),
                                      ("initial_c", c0)], kernel, recurrent_kernel, bias,
                                      mask, recurrent_mask)
    _ref.check_activations("lstm_forward", activation, recurrent_activation)
    if (activation, recurrent_activation) != DEFAULT_ACTIVATIONS or n == 0:
        return _ref.lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias, mask,
                                 recurrent_mask, go_backwards, zero_output_for_mask,
                                 activation, recurrent_activation)
    dt = x.dtype
    x2, gates = _projection(x, kernel, n, t, i, 4 * u)
    r_w = _contig(recurrent_kernel, dt)
    b = _contig(bias, dt) if bias is not None else np.zeros(4 * u, dt)
    hprev, cstate, cact, out = (np.empty((n, t, u), dt) for _ in range(4))
    h = np.array(h0, dtype=dt, order="C")
    c0 = _contig(c0, dt)
    rm = _contig(recurrent_mask, dt)
    chunks, limit = _plan(n, u)
    with limit:
        _lstm.lstm_forward(gates, np.ascontiguousarray(r_w.T), b, hprev, cstate, cact, out, h,
                           c0, _mask8(mask), rm, bool(go_backwards), bool(zero_output_for_mask),
                           np.empty((n, 5 * u), dt), chunks)
    cache = _ref.RNNCache(kind="lstm", x2=x2, kernel=kernel, recurrent_kernel=r_w,
                          bias_shape=None if bias is None else bias.shape, gates=gates,
                          hprev=hprev, cstate=cstate, cact=cact, c0=c0, mask=mask, rmask=rm,
                          go_backwards=bool(go_backwards), shape=(n, t, i, u),
                          zero_output=bool(zero_output_for_mask), acts=DEFAULT_ACTIVATIONS)
    c_last = cstate[:, cache.time(t - 1)].copy()
    return out, h, c_last, cache


def lstm_backward(cache, d_outputs=None, d_h=None, d_c=None, need_input=True,
                  need_weights=True):
    _ref.check_cache("lstm_backward", cache, "lstm")
    n, t, _, u = cache.shape
    if cache.acts != DEFAULT_ACTIVATIONS or n == 0:
        return _ref.lstm_backward(cache, d_outputs, d_h, d_c, need_input, need_weights)
    dt = cache.gates.dtype
    d_outputs, dh, carry = _grad_inputs("lstm_backward", cache, d_outputs, d_h)
    d_c = _ref.check_grad("lstm_backward", "d_c", d_c, (n, u), dt)
    dc = np.zeros((n, u), dt) if d_c is None else np.array(d_c, dtype=dt, order="C")
    dzs = np.empty((n, t, 4 * u), dt)
    chunks, limit = _plan(n, u)
    with limit:
        _lstm.lstm_backward(cache.gates, _contig(cache.recurrent_kernel, dt), cache.cstate,
                            cache.cact, _contig(cache.c0, dt), d_outputs, dzs, dh, dc, carry,
                            np.empty((n, u), dt), _mask8(cache.mask), _contig(cache.rmask, dt),
                            cache.go_backwards, cache.zero_output, np.empty((n, 5 * u), dt),
                            chunks)
    dx, dw, dr, db = _gradients(cache, dzs, None, need_input, need_weights)
    return dx, dh, dc, dw, dr, db


# --- GRU ----------------------------------------------------------------------------------
def gru_forward(x, h0, kernel, recurrent_kernel, bias=None, mask=None, recurrent_mask=None,
                go_backwards=False, zero_output_for_mask=False, activation=("tanh", 0.0),
                recurrent_activation=("sigmoid", 0.0), reset_after=True):
    n, t, i, u, mask = _ref.check_rnn("gru_forward", "gru", x, [("initial_h", h0)], kernel,
                                      recurrent_kernel, bias, mask, recurrent_mask,
                                      reset_after)
    _ref.check_activations("gru_forward", activation, recurrent_activation)
    if (activation, recurrent_activation) != DEFAULT_ACTIVATIONS or n == 0:
        return _ref.gru_forward(x, h0, kernel, recurrent_kernel, bias, mask, recurrent_mask,
                                go_backwards, zero_output_for_mask, activation,
                                recurrent_activation, reset_after)
    dt = x.dtype
    x2, gates = _projection(x, kernel, n, t, i, 3 * u)
    r_w = _contig(recurrent_kernel, dt)
    b2 = np.zeros((2, 3 * u), dt)
    if bias is not None:
        b2[:bias.ndim] = bias
    hprev, rec, out = (np.empty((n, t, u), dt) for _ in range(3))
    rm = _contig(recurrent_mask, dt)
    htrue = np.empty((n, t, u), dt) if rm is not None else None
    h = np.array(h0, dtype=dt, order="C")
    chunks, limit = _plan(n, u)
    with limit:
        _gru.gru_forward(gates, np.ascontiguousarray(r_w.T), b2[0], b2[1], hprev, htrue, rec,
                         out, h, np.empty((n, 3 * u), dt), bool(reset_after), _mask8(mask),
                         rm, bool(go_backwards), bool(zero_output_for_mask),
                         np.empty((n, 4 * u), dt), chunks)
    cache = _ref.RNNCache(kind="gru", x2=x2, kernel=kernel, recurrent_kernel=r_w,
                          bias_shape=None if bias is None else bias.shape,
                          reset_after=bool(reset_after), gates=gates, hprev=hprev,
                          htrue=htrue, rec=rec, mask=mask, rmask=rm, shape=(n, t, i, u),
                          go_backwards=bool(go_backwards), acts=DEFAULT_ACTIVATIONS,
                          zero_output=bool(zero_output_for_mask))
    return out, h, cache


def gru_backward(cache, d_outputs=None, d_h=None, need_input=True, need_weights=True):
    _ref.check_cache("gru_backward", cache, "gru")
    n, t, _, u = cache.shape
    if cache.acts != DEFAULT_ACTIVATIONS or n == 0:
        return _ref.gru_backward(cache, d_outputs, d_h, need_input, need_weights)
    dt = cache.gates.dtype
    d_outputs, dh, carry = _grad_inputs("gru_backward", cache, d_outputs, d_h)
    dxs = np.empty((n, t, 3 * u), dt)
    dins = np.empty((n, t, 3 * u), dt) if cache.reset_after else None
    chunks, limit = _plan(n, u)
    with limit:
        _gru.gru_backward(cache.gates, _contig(cache.recurrent_kernel, dt), cache.hprev,
                          cache.htrue, cache.rec, d_outputs, dxs, dins, dh, carry,
                          np.empty((n, u), dt), cache.reset_after, _mask8(cache.mask),
                          _contig(cache.rmask, dt), cache.go_backwards, cache.zero_output,
                          np.empty((n, 4 * u), dt), chunks)
    dx, dw, dr, db = _gradients(cache, dxs, dins, need_input, need_weights)
    return dx, dh, dw, dr, db


for _name, _fn in (("lstm_forward", lstm_forward), ("lstm_backward", lstm_backward),
                   ("gru_forward", gru_forward), ("gru_backward", gru_backward)):
    register(_name, cython=_fn)
