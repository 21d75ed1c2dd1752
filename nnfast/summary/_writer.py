"""`SummaryWriter`: TF 2's file writer on TensorBoard's own `EventFileWriter`."""
import atexit
import contextlib
import os
import time
import weakref

from nnfast.summary import _state, _tb

# Writers still open at interpreter exit are closed so no queued event is lost.
_OPEN_WRITERS = weakref.WeakSet()


@atexit.register
def _close_all():
    for writer in list(_OPEN_WRITERS):
        try:
            writer.close()
        except Exception:       # exiting anyway; a broken disk must not mask the real exit
            pass


class SummaryWriter:
    """Writes summaries to one event file (`events.out.tfevents.*`) in `logdir`.

    Create it with `create_file_writer`. Make it the default with `as_default()` (a
    context manager) or `set_as_default()`, then call `nnfast.summary.scalar(...)` etc.
    """

    is_noop = False

    def __init__(self, logdir, max_queue=None, flush_millis=None, filename_suffix=None):
        tb = _tb.require("nnfast.summary.create_file_writer")
        self._tb = tb
        self.logdir = os.fspath(logdir)
        self._max_queue = 10 if max_queue is None else int(max_queue)
        self._flush_secs = 120.0 if flush_millis is None else flush_millis / 1000.0
        self._suffix = ".v2" if filename_suffix is None else str(filename_suffix)
        self._events = None
        self._closed = False
        self.init()

    def init(self):
        """Create the event file (done on construction; again after `close()`)."""
        if self._events is None or self._closed:
            self._events = self._tb.EventFileWriter(
                self.logdir, max_queue_size=self._max_queue, flush_secs=self._flush_secs,
                filename_suffix=self._suffix)
            self._closed = False
            _OPEN_WRITERS.add(self)

    @property
    def path(self):
        """The event file this writer appends to."""
        return self._events._file_name

    def _check_open(self):
        if self._closed:
            raise RuntimeError("SummaryWriter is already closed")

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Make this the default writer inside the `with` block (and `step` the default
        step, when given); flushes on a normal exit, as TF does."""
        self._check_open()
        state = _state.state
        old_writer, old_step = state.writer, state.step
        state.writer = self
        if step is not None:
            state.step = step
        try:
            yield self
            if not self._closed:
                self.flush()
        finally:
            state.writer = old_writer
            if step is not None:
                state.step = old_step

    def set_as_default(self, step=None):
        """Make this the default writer for the rest of the thread (and `step` the
        default step, when given)."""
        self._check_open()
        _state.state.writer = self
        if step is not None:
            _state.state.step = step

    def write_value(self, value, step):
        """Append one `Summary.Value` proto at `step` (an int)."""
        self._check_open()
        event = self._tb.event_pb2.Event(wall_time=time.time(), step=int(step))
        event.summary.value.append(value)
        self._events.add_event(event)

    def flush(self):
        """Write every queued event to disk."""
        if not self._closed:
            self._events.flush()

    def close(self):
        """Flush and close the event file; writing afterwards raises RuntimeError."""
        if not self._closed:
            self._closed = True
            _OPEN_WRITERS.discard(self)
            if _state.state.writer is self:
                _state.state.writer = None
            self._events.close()


class NoopWriter:
    """A writer that writes nothing (`create_noop_writer`)."""

    is_noop = True

    def init(self):
        pass

    @contextlib.contextmanager
    def as_default(self, step=None):
        state = _state.state
        old_writer, old_step = state.writer, state.step
        state.writer = self
        if step is not None:
            state.step = step
        try:
            yield self
        finally:
            state.writer = old_writer
            if step is not None:
                state.step = old_step

    def set_as_default(self, step=None):
        _state.state.writer = self
        if step is not None:
            _state.state.step = step

    def flush(self):
        pass

    def close(self):
        pass


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):
    """A `SummaryWriter` for the directory `logdir` (created if missing).

    Args:
        logdir: Directory of the event file.
        max_queue: Events queued before a write is forced (default 10).
        flush_millis: Longest time between flushes, in ms (default 120000).
        filename_suffix: Suffix of the event file name (default ".v2", as TF).
        name, experimental_trackable, experimental_mesh: Accepted for TF code; unused.
    """
    if logdir is None:
        raise ValueError("create_file_writer: `logdir` is required. Received: logdir=None")
    return SummaryWriter(logdir, max_queue=max_queue, flush_millis=flush_millis,
                         filename_suffix=filename_suffix)


def create_noop_writer():
    """A writer that writes nothing; summaries under it return False."""
    return NoopWriter()


def flush(writer=None, name=None):
    """Flush `writer`, or the default writer when None."""
    writer = _state.state.writer if writer is None else writer
    if writer is not None:
        writer.flush()
