"""The op protocol: how every differentiable op runs and records itself.

An op is a pair of plain functions on NumPy arrays (STYLE.md, example 4):

    forward(*arrays, **attrs) -> (out, cache)       out: an ndarray or a tuple of them
    backward(dout, cache, needs) -> tuple of grads   one per input; None where not needs[i]

and `call_op(forward, backward, *inputs, **attrs)` runs it: unwraps Tensors/Variables to
arrays, calls `forward`, wraps the outputs as Tensors and, only when a tape tracks one of
the inputs, records (backward, cache). With no tape active nothing is recorded, so
inference pays nothing for autodiff.
"""
import numpy as np

from nnfast import backend as _backend
from nnfast.autograd.tape import _Node, active_tapes
from nnfast.autograd.tensor import Tensor
from nnfast.autograd.variable import Variable


def unwrap(x):
    """The plain ndarray behind a Tensor, Variable, array or array-like (no copy when
    possible). Python scalars pass through so NumPy keeps them weakly typed."""
    t = type(x)
    if t is np.ndarray:
        return x
    if t is Tensor:
        return x.view(np.ndarray)
    if isinstance(x, Variable):
        return x._value
    if isinstance(x, np.ndarray):
        return x.view(np.ndarray)
    if t in (int, float, bool) or x is None:
        return x
    if isinstance(x, np.generic):
        return np.asarray(x)
    if hasattr(x, "__array__") or isinstance(x, (list, tuple)):
        arr = np.asarray(x)
        if arr.dtype == np.float64 and _backend.floatx() != "float64":
            arr = arr.astype(_backend.floatx())
        if arr.dtype == object:
            raise TypeError(
                "Expected a numeric array-like. Received an object array built from "
                f"{type(x).__name__}."
            )
        return arr
    raise TypeError(
        f"Expected a Tensor, Variable or array-like. Received: {type(x).__name__} ({x!r:.80})"
    )


def wrap(out):
    """ndarray (or scalar, or tuple of them) -> Tensor(s)."""
    if type(out) is tuple:
        return tuple(wrap(o) for o in out)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    return out.view(Tensor)


def needs_grad(*inputs):
    """True when some active tape would record an op on these inputs — lets a forward
    skip building a cache nobody will read."""
    tapes = active_tapes()
    if not tapes:
        return False
    for tape in tapes:
        tracked = tape._tracked
        for x in inputs:
            if id(x) in tracked:
                return True
            if tape._watch_accessed and isinstance(x, Variable) and x.trainable:
                return True
    return False


def call_op(forward, backward, *inputs, **attrs):
    arrays = [unwrap(x) for x in inputs]
    out, cache = forward(*arrays, **attrs)
    result = wrap(out)
    tapes = active_tapes()
    if tapes:
        record(tapes, inputs, result if type(result) is tuple else (result,), backward, cache)
    return result


def record(tapes, inputs, outputs, backward, cache):
    """Record one op on every active tape that tracks one of its inputs."""
    keys = None
    for tape in tapes:
        tracked = tape._tracked
        hit = False
        for x in inputs:
            if id(x) in tracked:
                hit = True
            elif tape._watch_accessed and isinstance(x, Variable) and x.trainable:
                tape._note_variable(x)
                hit = True
        if hit:
            if keys is None:
                keys = tuple(id(x) for x in inputs)
            tape._nodes.append(_Node(keys, inputs, outputs, backward, cache))
            for o in outputs:
                tracked[id(o)] = o


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape` (undo NumPy broadcasting in a backward)."""
    if grad.shape == tuple(shape):
        return grad
    ndiff = grad.ndim - len(shape)
    if ndiff > 0:
        grad = grad.sum(axis=tuple(range(ndiff)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)
