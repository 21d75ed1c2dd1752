"""The optional `tensorboard` package, imported on first use with a clear message.

nnfast writes event files with TensorBoard's own TF-free writer and protobuf messages
(`tensorboard.summary.writer`, `tensorboard.compat.proto`); nothing here encodes
protobuf by hand.
"""
import types

_MODULES = None

INSTALL_HINT = ("Install it with `pip install nnfast[tensorboard]` "
                "(or `pip install tensorboard`).")


def require(what="nnfast.summary"):
    """A namespace of the tensorboard modules nnfast uses; ImportError if missing."""
    global _MODULES
    if _MODULES is not None:
        return _MODULES
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.histogram import metadata as histogram_metadata
        from tensorboard.plugins.image import metadata as image_metadata
        from tensorboard.plugins.scalar import metadata as scalar_metadata
        from tensorboard.plugins.text import metadata as text_metadata
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        from tensorboard.util import tensor_util
    except ImportError as e:
        raise ImportError(
            f"{what} writes TensorBoard event files and needs the `tensorboard` package, "
            f"which is not installed. {INSTALL_HINT} (Import error: {e})") from e

    _MODULES = types.SimpleNamespace(
        event_pb2=event_pb2, summary_pb2=summary_pb2, histogram_metadata=histogram_metadata,
        image_metadata=image_metadata, scalar_metadata=scalar_metadata,
        text_metadata=text_metadata, tensor_util=tensor_util, EventFileWriter=EventFileWriter)
    return _MODULES
