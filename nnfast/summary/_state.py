"""Per-thread summary state, as `tf.summary` keeps it: the default writer, the default
step, and the `record_if` condition."""
import contextlib
import threading

import numpy as np


class _State(threading.local):
    def __init__(self):
        self.writer = None
        self.step = None
        self.recording = True


state = _State()


def to_step(step):
    """An int step from an int, a NumPy scalar or a Variable (e.g. `optimizer.iterations`)."""
    try:
        value = np.asarray(step)
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            raise TypeError
        return int(value)
    except (TypeError, ValueError):
        raise ValueError("nnfast.summary: `step` must be an integer scalar. "
                         f"Received: step={step!r}") from None


def resolve_step(step):
    if step is None:
        step = state.step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` "
                         "argument or through nnfast.summary.experimental.set_step()")
    return to_step(step)


def should_record_summaries():
    """Whether summary calls write now: a default writer is set and `record_if` allows it."""
    writer = state.writer
    if writer is None or writer.is_noop:
        return False
    recording = state.recording
    return bool(recording() if callable(recording) else recording)


@contextlib.contextmanager
def record_if(condition):
    """Context in which summaries are written only when `condition` (a bool, or a
    no-argument callable checked at each summary call) is true."""
    old = state.recording
    state.recording = condition
    try:
        yield
    finally:
        state.recording = old


def push(writer, step, recording):
    """Make `writer` the default with `step` and `recording`; returns what `pop` restores.

    For callers that cannot use a `with` block (a callback's begin/end hooks).
    """
    saved = (state.writer, state.step, state.recording)
    state.writer, state.step, state.recording = writer, step, recording
    return saved


def pop(saved):
    state.writer, state.step, state.recording = saved
