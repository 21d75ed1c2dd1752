"""`scalar`, `histogram`, `text`, `image`, `write`: TF 2's summary calls.

Each writes to the default writer (see `SummaryWriter.as_default`) and returns True, or
returns False without writing when there is no default writer or `record_if` says no.
`step` defaults to `nnfast.summary.experimental.get_step()`.
"""
from nnfast.summary import _state, _values


def _emit(build, step):
    if not _state.should_record_summaries():
        return False
    step = _state.resolve_step(step)
    _state.state.writer.write_value(build(), step)
    return True


def scalar(name, data, step=None, description=None):
    """Write a scalar (a loss, an accuracy) under the tag `name`.

    Args:
        name: The tag.
        data: A real number (anything convertible to a float32 scalar).
        step: The int step; the default step when None.
        description: Optional Markdown description of the series.
    """
    return _emit(lambda: _values.scalar(name, data, description), step)


def histogram(name, data, step=None, buckets=None, description=None):
    """Write a histogram of the values of `data` (any shape) in `buckets` (default 30)
    equal-width buckets."""
    return _emit(lambda: _values.histogram(name, data, buckets, description), step)


def text(name, data, step=None, description=None):
    """Write a string (or an array of strings; Markdown is rendered by TensorBoard)."""
    return _emit(lambda: _values.text(name, data, description), step)


def image(name, data, step=None, max_outputs=3, description=None):
    """Write up to `max_outputs` images from `data` of shape (k, h, w, c), c in 1/3/4;
    floats are taken in [0, 1], uint8 as is."""
    return _emit(lambda: _values.image(name, data, max_outputs, description), step)


def write(tag, tensor, step=None, metadata=None, name=None):
    """Write any tensor under `tag` with optional `SummaryMetadata` (proto or bytes)."""
    return _emit(lambda: _values.generic(tag, tensor, metadata), step)
