"""NumPy twins of the recurrent sequence kernels: LSTM, GRU and SimpleRNN over a whole
sequence, forward and backward through time (Keras's weight layout and semantics).

Layout: `x` (N, T, I); `kernel` (I, G*U) and `recurrent_kernel` (U, G*U) with the G gate
blocks contiguous (LSTM i, f, c, o; GRU z, r, h; SimpleRNN one block); LSTM bias (4U,),
GRU bias (2, 3U) when `reset_after` (input and recurrent biases) else (3U,), SimpleRNN
(U,). Step s of the recurrence reads input time t = s (or T-1-s with `go_backwards`);
`outputs[:, s]` is the output of step s, so a backward pass returns the reversed
sequence, as Keras does.

Masking (Keras's TensorFlow `rnn` loop): where `mask[n, t]` is False the state is carried
unchanged and the output repeats the previous output (zeros before the first one), or is
zeros with `zero_output_for_mask`. `recurrent_mask` (N, U) multiplies the state before
each recurrent product (recurrent dropout; one mask shared by all gates).

Forward returns `(outputs, h_T[, c_T], cache)`; the cache (`RNNCache`) has the same
fields whichever implementation filled it, so the backward of either backend can run on
it. Its per-step arrays are indexed by input time t.
"""
import numpy as np

from nnfast.kernels.numpy_ref import elementwise as _ew
from nnfast.kernels.numpy_ref.rnn_common import (  # noqa: F401  (the adapters use them too)
    GATES, RNNCache, check_activations, check_cache, check_grad, check_rnn,
)
from nnfast.kernels.registry import register

_NOT_ELEMENTWISE = ("softmax", "log_softmax")


# --- activations --------------------------------------------------------------------------
def _act(spec, x):
    kind, alpha = spec
    if kind == "sigmoid":
        return _ew.activation_forward("sigmoid", x)
    if kind == "tanh":
        return np.tanh(x)
    return _ew.activation_forward(kind, x, alpha)


def _act_grad(spec, dy, pre, y):
    kind, alpha = spec
    if kind == "sigmoid":
        return dy * y * (1 - y)
    if kind == "tanh":
        return dy * (1 - y * y)
    return _ew.activation_backward(kind, np.ascontiguousarray(dy),
                                   None if pre is None else np.ascontiguousarray(pre),
                                   np.ascontiguousarray(y), alpha)


def _needs_pre(*specs):
    return any(_ew.needs_input(k) for k, _ in specs)


def _masked(m, new, old):
    return new if m is None else np.where(m, new, old)


def _step_output(m, h_new, y_prev, zero_output):
    if m is None:
        return h_new
    return np.where(m, h_new, 0 if zero_output else y_prev)


def _output_grad(m, dy, carry, zero_output):
    """(gradient reaching the new state, gradient carried to the previous output)."""
    if m is None:
        return dy, carry
    total = dy + carry
    return np.where(m, total, 0), np.where(m, 0, 0 if zero_output else total)


# --- forward ------------------------------------------------------------------------------
def rnn_forward(kind, x, h0, c0, kernel, recurrent_kernel, bias=None, mask=None,
                recurrent_mask=None, go_backwards=False, zero_output_for_mask=False,
                activation=("tanh", 0.0), recurrent_activation=("sigmoid", 0.0),
                reset_after=True):
    """One recurrent layer over a whole sequence (the twin of every forward kernel).

    Args:
        kind: "lstm", "gru" or "simple_rnn".
        x: inputs (N, T, I).
        h0: initial state (N, U); c0: LSTM's initial carry (N, U), else None.
        kernel, recurrent_kernel, bias: Keras's weights (bias may be None).
        mask: optional (N, T) booleans, True where a step counts.
        recurrent_mask: optional (N, U) multiplier of the state before the recurrent GEMM.
        go_backwards, zero_output_for_mask: as Keras's RNN layers.
        activation, recurrent_activation: (kind, alpha) of elementwise activations.
        reset_after: GRU only: the reset gate multiplies the recurrent product (True) or
            the state before it (False).

    Returns: (outputs (N, T, U), h_T, c_T or None, RNNCache).
    """
    states = [("initial_h", h0)] + ([("initial_c", c0)] if kind == "lstm" else [])
    n, t_len, i_dim, u, mask = check_rnn(f"{kind}_forward", kind, x, states, kernel,
                                         recurrent_kernel, bias, mask, recurrent_mask,
                                         reset_after)
    if kind != "simple_rnn":
        check_activations(f"{kind}_forward", activation, recurrent_activation)
    g = GATES[kind]
    x2 = np.ascontiguousarray(x).reshape(n * t_len, i_dim)
    xw = (x2 @ kernel).reshape(n, t_len, g * u)
    in_bias = rec_bias = None
    if bias is not None:
        in_bias, rec_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, None)
    keep_pre = _needs_pre(activation, recurrent_activation)
    dt = x.dtype
    c = dict(kind=kind, x2=x2, kernel=kernel, recurrent_kernel=recurrent_kernel,
             bias_shape=None if bias is None else bias.shape, reset_after=reset_after,
             gates=np.empty((n, t_len, g * u), dt), hprev=np.empty((n, t_len, u), dt),
             pre=np.empty((n, t_len, g * u), dt) if keep_pre else None, mask=mask,
             rmask=recurrent_mask, go_backwards=go_backwards, zero_output=zero_output_for_mask,
             acts=(activation, recurrent_activation), shape=(n, t_len, i_dim, u), c0=c0)
    if kind == "lstm":
        c["cstate"], c["cact"] = np.empty((n, t_len, u), dt), np.empty((n, t_len, u), dt)
    if kind == "gru":
        c["rec"] = np.empty((n, t_len, u), dt)
        if recurrent_mask is not None:
            c["htrue"] = np.empty((n, t_len, u), dt)
    cache = RNNCache(**c)
    outputs = np.empty((n, t_len, u), dt)
    h, cs, y = h0.copy(), (c0.copy() if kind == "lstm" else None), np.zeros((n, u), dt)
    act, ract = activation, recurrent_activation
    r_w = recurrent_kernel
    for s in range(t_len):
        t = cache.time(s)
        m = None if mask is None else mask[:, t, None]
        hd = h if recurrent_mask is None else h * recurrent_mask
        cache.hprev[:, t] = hd
        z = xw[:, t] if in_bias is None else xw[:, t] + in_bias
        gates = cache.gates[:, t]
        if kind == "lstm":
            z = z + hd @ r_w
            if keep_pre:
                cache.pre[:, t] = z
            for k, spec in enumerate((ract, ract, act, ract)):
                gates[:, k * u:(k + 1) * u] = _act(spec, z[:, k * u:(k + 1) * u])
            ig, fg, cg, og = (gates[:, k * u:(k + 1) * u] for k in range(4))
            c_new = fg * cs + ig * cg
            a = _act(act, c_new)
            h_new = og * a
            cache.cact[:, t] = a
            cs = _masked(m, c_new, cs)
            cache.cstate[:, t] = cs
        elif kind == "gru":
            if cache.htrue is not None:
                cache.htrue[:, t] = h
            inner = hd @ (r_w if reset_after else r_w[:, :2 * u])
            if rec_bias is not None:
                inner = inner + rec_bias
            zr = z[:, :2 * u] + inner[:, :2 * u]
            gates[:, :2 * u] = _act(ract, zr)
            zg, rg = gates[:, :u], gates[:, u:2 * u]
            if reset_after:
                cache.rec[:, t] = inner[:, 2 * u:]
                hh_pre = z[:, 2 * u:] + rg * inner[:, 2 * u:]
            else:
                cache.rec[:, t] = rg * hd
                hh_pre = z[:, 2 * u:] + cache.rec[:, t] @ r_w[:, 2 * u:]
            if keep_pre:
                cache.pre[:, t] = np.concatenate([zr, hh_pre], axis=1)
            gates[:, 2 * u:] = _act(act, hh_pre)
            h_new = zg * h + (1 - zg) * gates[:, 2 * u:]
        else:
            z = z + hd @ r_w
            if keep_pre:
                cache.pre[:, t] = z
            gates[...] = _act(act, z)
            h_new = gates
        y = _step_output(m, h_new, y, zero_output_for_mask)
        h = _masked(m, h_new, h)
        outputs[:, s] = y
    return outputs, h, cs, cache


# --- backward -----------------------------------------------------------------------------
def rnn_backward(cache, d_outputs=None, d_h=None, d_c=None, need_input=True,
                 need_weights=True):
    """Backward through time of `rnn_forward`.

    Args:
        cache: the RNNCache of the forward pass.
        d_outputs: gradient of `outputs` (N, T, U) or None (zeros).
        d_h, d_c: gradients of h_T and (LSTM) c_T, or None.
        need_input: compute the gradient of `x` (one GEMM), else return None for it.
        need_weights: compute kernel / recurrent_kernel / bias gradients.

    Returns: (dx, dh0, dc0, dkernel, drecurrent_kernel, dbias); dc0 is None unless LSTM,
    dbias None without a bias.
    """
    if not isinstance(cache, RNNCache):
        raise TypeError(f"rnn_backward expects an RNNCache. Received: {type(cache).__name__}")
    kind = cache.kind
    op = f"{kind}_backward"
    n, t_len, i_dim, u = cache.shape
    dt = cache.gates.dtype
    d_outputs = check_grad(op, "d_outputs", d_outputs, (n, t_len, u), dt)
    d_h = check_grad(op, "d_h", d_h, (n, u), dt)
    d_c = check_grad(op, "d_c", d_c, (n, u), dt)
    g = GATES[kind]
    act, ract = cache.acts
    r_w, rm, mask = cache.recurrent_kernel, cache.rmask, cache.mask
    dz_all = np.zeros((n, t_len, g * u), dt)
    d_in = np.zeros((n, t_len, g * u), dt) if kind == "gru" and cache.reset_after else dz_all
    dh = np.zeros((n, u), dt) if d_h is None else d_h.copy()
    dc = (np.zeros((n, u), dt) if d_c is None else d_c.copy()) if kind == "lstm" else None
    carry = np.zeros((n, u), dt)
    for s in reversed(range(t_len)):
        t = cache.time(s)
        m = None if mask is None else mask[:, t, None]
        dy = d_outputs[:, s] if d_outputs is not None else np.zeros((n, u), dt)
        dy, carry = _output_grad(m, dy, carry, cache.zero_output)
        dht = dh + dy
        gates = cache.gates[:, t]
        pre = None if cache.pre is None else cache.pre[:, t]
        part = (lambda k: None) if pre is None else (lambda k: pre[:, k * u:(k + 1) * u])
        if kind == "lstm":
            ig, fg, cg, og = (gates[:, k * u:(k + 1) * u] for k in range(4))
            a = cache.cact[:, t]
            c_prev = cache.c0 if s == 0 else cache.cstate[:, cache.prev_index(s)]
            dct = dc + _act_grad(act, dht * og, cache.cstate[:, t], a)
            dz = np.concatenate([_act_grad(ract, dct * cg, part(0), ig),
                                 _act_grad(ract, dct * c_prev, part(1), fg),
                                 _act_grad(act, dct * ig, part(2), cg),
                                 _act_grad(ract, dht * a, part(3), og)], axis=1)
            dz = _masked(m, dz, 0)
            dhp = dz @ r_w.T
            dc = _masked(m, dct * fg, dc)
        elif kind == "gru":
            zg, rg, hh = gates[:, :u], gates[:, u:2 * u], gates[:, 2 * u:]
            hp = (cache.htrue if cache.htrue is not None else cache.hprev)[:, t]
            dzr = np.empty((n, 2 * u), dt)
            dzr[:, :u] = _act_grad(ract, dht * (hp - hh), part(0), zg)
            dhh = _act_grad(act, dht * (1 - zg), part(2), hh)
            if cache.reset_after:
                dzr[:, u:] = _act_grad(ract, dhh * cache.rec[:, t], part(1), rg)
                dinner = _masked(m, np.concatenate([dzr, dhh * rg], axis=1), 0)
                d_in[:, t] = dinner
                dhp = dinner @ r_w.T
            else:
                drhd = dhh @ r_w[:, 2 * u:].T
                dzr[:, u:] = _act_grad(ract, drhd * cache.hprev[:, t], part(1), rg)
                dhp = drhd * rg + dzr @ r_w[:, :2 * u].T
            dz = _masked(m, np.concatenate([dzr, dhh], axis=1), 0)
        else:
            dz = _masked(m, _act_grad(act, dht, part(0), gates), 0)
            dhp = dz @ r_w.T
        dz_all[:, t] = dz
        if rm is not None:
            dhp = dhp * rm
        if kind == "gru":
            dhp = dhp + dht * zg
        dh = _masked(m, dhp, dh)
    return _finish(cache, dz_all, d_in, dh, dc, need_input, need_weights)


def _finish(cache, dz_all, d_in, dh, dc, need_input, need_weights):
    """The GEMMs over all steps: input gradient and weight gradients."""
    n, t_len, i_dim, u = cache.shape
    dz2 = dz_all.reshape(n * t_len, -1)
    dx = (dz2 @ cache.kernel.T).reshape(n, t_len, i_dim) if need_input else None
    dw = dr = db = None
    if need_weights:
        dw = cache.x2.T @ dz2
        h2 = cache.hprev.reshape(n * t_len, u)
        if cache.kind == "gru" and not cache.reset_after:
            dr = np.concatenate([h2.T @ dz2[:, :2 * u],
                                 cache.rec.reshape(n * t_len, u).T @ dz2[:, 2 * u:]], axis=1)
        else:
            dr = h2.T @ d_in.reshape(n * t_len, -1)
        if cache.bias_shape is not None:
            db = dz2.sum(axis=0)
            if len(cache.bias_shape) == 2:
                db = np.stack([db, d_in.reshape(n * t_len, -1).sum(axis=0)])
    return dx, dh, dc, dw, dr, db


# --- the registered kernels ---------------------------------------------------------------
def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias=None, mask=None,
                 recurrent_mask=None, go_backwards=False, zero_output_for_mask=False,
                 activation=("tanh", 0.0), recurrent_activation=("sigmoid", 0.0)):
    """LSTM over a sequence: (outputs, h_T, c_T, cache). See `rnn_forward`."""
    return rnn_forward("lstm", x, h0, c0, kernel, recurrent_kernel, bias, mask,
                       recurrent_mask, go_backwards, zero_output_for_mask, activation,
                       recurrent_activation)


def gru_forward(x, h0, kernel, recurrent_kernel, bias=None, mask=None, recurrent_mask=None,
                go_backwards=False, zero_output_for_mask=False, activation=("tanh", 0.0),
                recurrent_activation=("sigmoid", 0.0), reset_after=True):
    """GRU over a sequence: (outputs, h_T, cache). See `rnn_forward`."""
    out, h, _, cache = rnn_forward("gru", x, h0, None, kernel, recurrent_kernel, bias, mask,
                                   recurrent_mask, go_backwards, zero_output_for_mask,
                                   activation, recurrent_activation, reset_after)
    return out, h, cache


def simple_rnn_forward(x, h0, kernel, recurrent_kernel, bias=None, mask=None,
                       recurrent_mask=None, go_backwards=False, zero_output_for_mask=False,
                       activation=("tanh", 0.0)):
    """SimpleRNN over a sequence: (outputs, h_T, cache). See `rnn_forward`."""
    if activation[0] in _NOT_ELEMENTWISE:
        raise ValueError(f"simple_rnn_forward: the activation must be elementwise. "
                         f"Received: {activation[0]!r}")
    _ew.check_kind(activation[0])
    out, h, _, cache = rnn_forward("simple_rnn", x, h0, None, kernel, recurrent_kernel, bias,
                                   mask, recurrent_mask, go_backwards, zero_output_for_mask,
                                   activation, ("linear", 0.0))
    return out, h, cache


def lstm_backward(cache, d_outputs=None, d_h=None, d_c=None, need_input=True,
                  need_weights=True):
    """(dx, dh0, dc0, dkernel, drecurrent_kernel, dbias). See `rnn_backward`."""
    check_cache("lstm_backward", cache, "lstm")
    return rnn_backward(cache, d_outputs, d_h, d_c, need_input, need_weights)


def gru_backward(cache, d_outputs=None, d_h=None, need_input=True, need_weights=True):
    """(dx, dh0, dkernel, drecurrent_kernel, dbias). See `rnn_backward`."""
    check_cache("gru_backward", cache, "gru")
    dx, dh, _, dw, dr, db = rnn_backward(cache, d_outputs, d_h, None, need_input, need_weights)
    return dx, dh, dw, dr, db


def simple_rnn_backward(cache, d_outputs=None, d_h=None, need_input=True, need_weights=True):
    """(dx, dh0, dkernel, drecurrent_kernel, dbias). See `rnn_backward`."""
    check_cache("simple_rnn_backward", cache, "simple_rnn")
    dx, dh, _, dw, dr, db = rnn_backward(cache, d_outputs, d_h, None, need_input, need_weights)
    return dx, dh, dw, dr, db


for _name, _fn in (("lstm_forward", lstm_forward), ("lstm_backward", lstm_backward),
                   ("gru_forward", gru_forward), ("gru_backward", gru_backward),
                   ("simple_rnn_forward", simple_rnn_forward),
                   ("simple_rnn_backward", simple_rnn_backward)):
    register(_name, numpy=_fn)
