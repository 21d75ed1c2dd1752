"""Recurrent layer ops over a whole sequence, one tape entry each: `lstm`, `gru` and
`simple_rnn` (Keras's weight layouts, masking and `go_backwards` semantics).

Each runs one forward kernel from the registry (`lstm_forward`, `gru_forward`,
`simple_rnn_forward`; see nnfast/kernels/numpy_ref/rnn.py) and, when a tape records it,
its backward kernel. The input's gradient (one GEMM) is computed only when the tape asks
for it, the weights' gradients (one GEMM each) only when a weight needs one.
"""
import numpy as np

from nnfast import backend, kernels
from nnfast.autograd.function import call_op, unwrap

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def activation_kind(op, activation):
    """(kind, alpha) of an elementwise activation the kernels run: a kind name, or a
    built-in activation function (e.g. `nnfast.activations.tanh`)."""
    if activation is None:
        return "linear", 0.0
    if isinstance(activation, str):
        from nnfast.kernels.numpy_ref.elementwise import KINDS

        if activation in KINDS and activation not in ("softmax", "log_softmax"):
            return activation, 0.0
    else:
        from nnfast import activations

        fused = activations.fusable_kind(activation)
        if fused is not None and fused[0] not in ("softmax", "log_softmax"):
            return fused[0], float(fused[1])
    raise ValueError(f"{op}: the activation must be an elementwise built-in the kernels know "
                     f"(e.g. 'tanh', 'sigmoid', 'relu'); run other activations with "
                     f"keras.layers.RNN and a cell. Received: activation={activation!r}")


def _compute_dtype(kernel):
    dt = kernel.dtype
    if dt in _KERNEL_DTYPES:
        return dt
    return np.dtype("float32" if dt.kind == "f" else backend.floatx())


def _as(a, dtype):
    a = np.asarray(a)
    return a if a.dtype == dtype else a.astype(dtype)


def _check(op, kind, x, states, kernel, recurrent_kernel, bias, reset_after=True):
    """Shape errors name the op (the kernels check again, naming themselves)."""
    x, kernel, recurrent_kernel = np.shape(x), np.shape(kernel), np.shape(recurrent_kernel)
    g = _GATES[kind]
    if len(x) != 3 or x[1] < 1:
        raise ValueError(f"{op}: expected `inputs` of shape (batch, timesteps >= 1, "
                         f"features). Received: inputs.shape={x}")
    if len(recurrent_kernel) != 2 or recurrent_kernel[1] != g * recurrent_kernel[0]:
        raise ValueError(f"{op}: expected `recurrent_kernel` of shape (units, {g} * units). "
                         f"Received: recurrent_kernel.shape={recurrent_kernel}")
    u = recurrent_kernel[0]
    if kernel != (x[2], g * u):
        raise ValueError(f"{op}: expected `kernel` of shape {(x[2], g * u)} for "
                         f"inputs.shape={x} and recurrent_kernel.shape={recurrent_kernel}. "
                         f"Received: kernel.shape={kernel}")
    if bias is not None:
        want = (2, 3 * u) if kind == "gru" and reset_after else (g * u,)
        if np.shape(bias) != want:
            raise ValueError(f"{op}: expected `bias` of shape {want}. "
                             f"Received: bias.shape={np.shape(bias)}")
    for name, s in states:
        if np.shape(s) != (x[0], u):
            raise ValueError(f"{op}: expected `{name}` of shape {(x[0], u)} (batch, units). "
                             f"Received: {name}.shape={np.shape(s)}")


def _forward(x, *arrays, kind, has_bias, mask, recurrent_mask, go_backwards, zero_output,
             return_sequences, activation, recurrent_activation, reset_after):
    n_states = 2 if kind == "lstm" else 1
    states, (kernel, recurrent_kernel) = arrays[:n_states], arrays[n_states:n_states + 2]
    bias = arrays[n_states + 2] if has_bias else None
    dtype = _compute_dtype(kernel)
    in_dtypes = (x.dtype,) + tuple(s.dtype for s in states)
    x, kernel, recurrent_kernel = _as(x, dtype), _as(kernel, dtype), _as(recurrent_kernel, dtype)
    states = tuple(_as(s, dtype) for s in states)
    bias = None if bias is None else _as(bias, dtype)
    rm = None if recurrent_mask is None else _as(recurrent_mask, dtype)
    common = dict(mask=mask, recurrent_mask=rm, go_backwards=go_backwards,
                  zero_output_for_mask=zero_output, activation=activation)
    if kind == "simple_rnn":
        out, h, cache = kernels.get("simple_rnn_forward")(x, states[0], kernel,
                                                          recurrent_kernel, bias, **common)
        results = (out, h)
    elif kind == "gru":
        out, h, cache = kernels.get("gru_forward")(x, states[0], kernel, recurrent_kernel,
                                                   bias, recurrent_activation=recurrent_activation,
                                                   reset_after=reset_after, **common)
        results = (out, h)
    else:
        out, h, c, cache = kernels.get("lstm_forward")(x, states[0], states[1], kernel,
                                                       recurrent_kernel, bias,
                                                       recurrent_activation=recurrent_activation,
                                                       **common)
        results = (out, h, c)
    if not return_sequences:
        results = (out[:, -1],) + results[1:]
    return results, (kind, cache, has_bias, return_sequences, in_dtypes, out.shape)


def _backward(douts, saved, needs):
    kind, cache, has_bias, return_sequences, in_dtypes, out_shape = saved
    dtype = cache.gates.dtype
    d_out = np.asarray(douts[0], dtype=dtype)
    if not return_sequences:
        full = np.zeros(out_shape, dtype)
        full[:, -1] = d_out
        d_out = full
    n_states = len(in_dtypes) - 1
    need_input = needs[0]
    need_weights = any(needs[1 + n_states:])
    state_grads = [np.asarray(d, dtype=dtype) for d in douts[1:]]
    if kind == "lstm":
        dx, dh, dc, dw, dr, db = kernels.get("lstm_backward")(
            cache, d_out, *state_grads, need_input=need_input, need_weights=need_weights)
        d_states = (dh, dc)
    else:
        dx, dh, dw, dr, db = kernels.get(f"{kind}_backward")(
            cache, d_out, state_grads[0], need_input=need_input, need_weights=need_weights)
        d_states = (dh,)
    grads = [dx, *d_states, dw, dr] + ([db] if has_bias else [])
    out = []
    for i, (g, need) in enumerate(zip(grads, needs)):
        if not need:
            g = None
        elif i <= n_states and in_dtypes[i].kind == "f" and g.dtype != in_dtypes[i]:
            g = g.astype(in_dtypes[i])
        out.append(g)
    return tuple(out)


def _rnn(kind, op, inputs, states, kernel, recurrent_kernel, bias, mask, recurrent_mask,
         go_backwards, zero_output_for_mask, return_sequences, activation,
         recurrent_activation, reset_after):
    _check(op, kind, unwrap(inputs), [(n, unwrap(s)) for n, s in states], unwrap(kernel),
           unwrap(recurrent_kernel), None if bias is None else unwrap(bias), reset_after)
    n, t = np.shape(unwrap(inputs))[:2]
    if mask is not None:
        mask = np.asarray(unwrap(mask))
        if mask.shape != (n, t):
            raise ValueError(f"{op}: expected `mask` of shape {(n, t)} (batch, timesteps). "
                             f"Received: mask.shape={mask.shape}")
        mask = mask.astype(bool, copy=False)
    if recurrent_mask is not None:
        recurrent_mask = np.asarray(unwrap(recurrent_mask))
        u = np.shape(unwrap(recurrent_kernel))[0]
        if recurrent_mask.shape != (n, u):
            raise ValueError(f"{op}: expected `recurrent_mask` of shape {(n, u)} (batch, "
                             f"units). Received: recurrent_mask.shape={recurrent_mask.shape}")
    arrays = [s for _, s in states] + [kernel, recurrent_kernel]
    if bias is not None:
        arrays.append(bias)
    return call_op(_forward, _backward, inputs, *arrays, kind=kind, has_bias=bias is not None,
                   mask=mask, recurrent_mask=recurrent_mask, go_backwards=bool(go_backwards),
                   zero_output=bool(zero_output_for_mask),
                   return_sequences=bool(return_sequences),
                   activation=activation_kind(op, activation),
                   recurrent_activation=activation_kind(op, recurrent_activation),
                   reset_after=bool(reset_after))


def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, *, mask=None,
         recurrent_mask=None, go_backwards=False, zero_output_for_mask=False,
         return_sequences=True, activation="tanh", recurrent_activation="sigmoid"):
    """An LSTM layer over a whole sequence, as one op.

    Args:
        inputs: (batch, timesteps, features).
        initial_h, initial_c: initial states, (batch, units) each.
        kernel: (features, 4 * units), recurrent_kernel: (units, 4 * units), bias:
            (4 * units,) or None; gates i, f, c, o in contiguous blocks (Keras's layout).
        mask: optional (batch, timesteps) booleans; a False step keeps the state and
            repeats the previous output (or outputs zeros with `zero_output_for_mask`).
        recurrent_mask: optional (batch, units) multiplier of the state before the
            recurrent product (recurrent dropout).
        go_backwards: process the sequence in reverse (outputs come reversed, as Keras).
        return_sequences: return every step's output, else only the last one.
        activation, recurrent_activation: elementwise built-ins (names or functions);
            other than tanh / sigmoid they run on the NumPy kernels.

    Returns: (outputs (batch, timesteps, units) or (batch, units), h_T, c_T).
    """
    return _rnn("lstm", "lstm", inputs, [("initial_h", initial_h), ("initial_c", initial_c)],
                kernel, recurrent_kernel, bias, mask, recurrent_mask, go_backwards,
                zero_output_for_mask, return_sequences, activation, recurrent_activation, True)


def gru(inputs, initial_h, kernel, recurrent_kernel, bias=None, *, mask=None,
        recurrent_mask=None, go_backwards=False, zero_output_for_mask=False,
        return_sequences=True, activation="tanh", recurrent_activation="sigmoid",
        reset_after=True):
    """A GRU layer over a whole sequence, as one op (arguments as `lstm`).

    Gates z, r, h in contiguous blocks of kernel (features, 3 * units) and
    recurrent_kernel (units, 3 * units). With `reset_after` (Keras 3's default) the bias
    is (2, 3 * units), input and recurrent biases, and the reset gate multiplies the
    recurrent product; otherwise the bias is (3 * units,) and the reset gate multiplies
    the state before it.

    Returns: (outputs, h_T).
    """
    return _rnn("gru", "gru", inputs, [("initial_h", initial_h)], kernel, recurrent_kernel,
                bias, mask, recurrent_mask, go_backwards, zero_output_for_mask,
                return_sequences, activation, recurrent_activation, reset_after)


def simple_rnn(inputs, initial_h, kernel, recurrent_kernel, bias=None, *, mask=None,
               recurrent_mask=None, go_backwards=False, zero_output_for_mask=False,
               return_sequences=True, activation="tanh"):
    """A fully-connected RNN over a whole sequence, as one op (arguments as `lstm`):
    h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias). Runs on the NumPy
    kernels (the work is one small GEMM per step).

    Returns: (outputs, h_T).
    """
    return _rnn("simple_rnn", "simple_rnn", inputs, [("initial_h", initial_h)], kernel,
                recurrent_kernel, bias, mask, recurrent_mask, go_backwards,
                zero_output_for_mask, return_sequences, activation, "linear", True)
