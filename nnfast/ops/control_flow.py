"""Keras's control-flow ops. nnfast runs eagerly, so they are plain Python loops and
branches; gradients flow through whatever ops the bodies call."""
import numpy as np

from nnfast.autograd.function import unwrap

__all__ = ["cond", "fori_loop", "map", "switch", "vectorized_map", "while_loop"]


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`."""
    return true_fn() if bool(np.asarray(unwrap(pred))) else false_fn()


def switch(index, branches, *operands):
    """`branches[index](*operands)`, the index clamped to the valid range (as Keras)."""
    i = int(np.clip(int(np.asarray(unwrap(index))), 0, len(branches) - 1))
    return branches[i](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Run `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`; returns the final vars
    (a tuple, or the single value when `loop_vars` was not a list/tuple)."""
    single = not isinstance(loop_vars, (list, tuple))
    state = (loop_vars,) if single else tuple(loop_vars)
    steps = 0
    while bool(np.asarray(unwrap(cond(*state)))):
        if maximum_iterations is not None and steps >= maximum_iterations:
            break
        out = body(*state)
        state = (out,) if single or not isinstance(out, (list, tuple)) else tuple(out)
        steps += 1
    return state[0] if single else state


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for i in range(lower, upper)."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def map(f, xs):  # noqa: A001  (Keras's name)
    """`stack([f(x) for x in xs])` along the first axis."""
    from nnfast.ops.numpy_shape import stack

    return stack([f(x) for x in _rows(xs)], axis=0)


def vectorized_map(function, elements):
    return map(function, elements)


def _rows(xs):
    from nnfast.ops.core import getitem

    if isinstance(xs, (list, tuple)):
        return list(xs)
    return [getitem(xs, i) for i in range(np.shape(unwrap(xs))[0])]
