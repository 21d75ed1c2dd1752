"""`nnfast.summary.experimental`: the default step, as `tf.summary.experimental`."""
from nnfast.summary import _state


def set_step(step):
    """Set the default step of summary calls in this thread (None clears it)."""
    _state.state.step = step


def get_step():
    """The default step of summary calls in this thread, or None."""
    return _state.state.step
