"""What the recurrent kernels' NumPy twins (nnfast/kernels/numpy_ref/rnn.py) and compiled
adapters (nnfast/kernels/compiled_rnn.py) share: the cache a forward pass leaves for its
backward, and the argument checks (every bad call raises here, before a kernel touches
memory)."""
import numpy as np

from nnfast.kernels.numpy_ref import elementwise as _ew

GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_NOT_ELEMENTWISE = ("softmax", "log_softmax")


class RNNCache:
    """What a backward pass needs, filled alike by the NumPy and compiled forwards.

    Per-step arrays are (N, T, ...) indexed by input time t: `gates` the activated gates
    (N, T, G*U), `pre` their pre-activations (only when an activation's derivative needs
    its input), `hprev` the state fed to step t's recurrent product (times the recurrent
    mask), `htrue` the unmasked previous state (GRU with a recurrent mask only), LSTM's
    `cstate` (carry after the step) and `cact` (its activation), GRU's `rec` (the
    recurrent candidate with `reset_after`, else r * h). Also: `x2` the inputs as
    (N*T, I), the weights, `c0`, the masks, flags, `acts` ((kind, alpha) pairs) and
    `shape` = (N, T, I, U).
    """

    __slots__ = ("kind", "x2", "kernel", "recurrent_kernel", "bias_shape", "reset_after",
                 "gates", "pre", "hprev", "htrue", "cstate", "cact", "c0", "rec", "mask",
                 "rmask", "go_backwards", "zero_output", "acts", "shape")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def prev_index(self, s):
        """Input time of step s - 1 (step s reads time `time(s)`)."""
        return self.time(s - 1)

    def time(self, s):
        return self.shape[1] - 1 - s if self.go_backwards else s


def _shape_error(op, what, got):
    return ValueError(f"{op}: expected {what}. Received: {got}")


def check_rnn(op, kind, x, states, kernel, recurrent_kernel, bias, mask, recurrent_mask,
              reset_after=True):
    """Validate a sequence kernel's arguments before any kernel touches memory.

    Returns (N, T, I, U, mask as a C-contiguous bool array or None).
    """
    arrays = [("inputs", x), ("kernel", kernel), ("recurrent_kernel", recurrent_kernel)]
    arrays += [(name, s) for name, s in states]
    arrays += [(n, a) for n, a in (("bias", bias), ("recurrent_mask", recurrent_mask))
               if a is not None]
    for name, a in arrays:
        if not isinstance(a, np.ndarray) or a.dtype not in _FLOATS:
            raise TypeError(f"{op} expects float32 or float64 arrays. Received: {name} of "
                            f"type {type(a).__name__}, dtype {getattr(a, 'dtype', None)}")
    if any(a.dtype != x.dtype for _, a in arrays):
        raise TypeError(f"{op} expects every array in one dtype. Received: "
                        + ", ".join(f"{n}.dtype={a.dtype}" for n, a in arrays))
    if x.ndim != 3 or x.shape[1] < 1:
        raise _shape_error(op, "inputs of shape (batch, timesteps >= 1, features)",
                           f"inputs.shape={x.shape}")
    n, t, i = x.shape
    g = GATES[kind]
    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[1] != g * recurrent_kernel.shape[0] \
            or recurrent_kernel.shape[0] < 1:
        raise _shape_error(op, f"recurrent_kernel of shape (units, {g} * units)",
                           f"recurrent_kernel.shape={recurrent_kernel.shape}")
    u = recurrent_kernel.shape[0]
    if kernel.shape != (i, g * u):
        raise _shape_error(op, f"kernel of shape ({i}, {g * u}) for inputs.shape={x.shape} "
                           f"and recurrent_kernel.shape={recurrent_kernel.shape}",
                           f"kernel.shape={kernel.shape}")
    if bias is not None:
        want = (2, 3 * u) if kind == "gru" and reset_after else (g * u,)
        if bias.shape != want:
            raise _shape_error(op, f"bias of shape {want}", f"bias.shape={bias.shape}")
    for name, s in states:
        if s.shape != (n, u):
            raise _shape_error(op, f"{name} of shape {(n, u)}", f"{name}.shape={s.shape}")
    if recurrent_mask is not None and recurrent_mask.shape != (n, u):
        raise _shape_error(op, f"recurrent_mask of shape {(n, u)}",
                           f"recurrent_mask.shape={recurrent_mask.shape}")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != (n, t):
            raise _shape_error(op, f"mask of shape {(n, t)} (batch, timesteps)",
                               f"mask.shape={mask.shape}")
        mask = np.ascontiguousarray(mask, dtype=bool)
    return n, t, i, u, mask


def check_activations(op, activation, recurrent_activation):
    for kind in (activation[0], recurrent_activation[0]):
        if kind in _NOT_ELEMENTWISE:
            raise ValueError(f"{op}: the activations must be elementwise. Received: {kind!r}")
        _ew.check_kind(kind)


def check_cache(op, cache, kind):
    if not isinstance(cache, RNNCache) or cache.kind != kind:
        raise TypeError(f"{op} expects the cache of a {kind} forward pass. Received: "
                        f"{type(cache).__name__}")


def check_grad(op, name, g, shape, dtype):
    if g is not None and (not isinstance(g, np.ndarray) or g.shape != shape):
        raise _shape_error(op, f"{name} of shape {shape}", f"{name}.shape={np.shape(g)}")
    return None if g is None else np.asarray(g, dtype=dtype)
