"""`nnfast.summary`: TF 2's `tf.summary` for TensorBoard, without TensorFlow.

    writer = nnfast.summary.create_file_writer("logs/train")
    with writer.as_default(step=0):
        nnfast.summary.scalar("loss", 0.25)

Event files are written with the `tensorboard` package's own writer
(`pip install nnfast[tensorboard]`); `import nnfast.summary` works without it, creating
a writer does not.
"""
from nnfast.summary import experimental  # noqa: F401
from nnfast.summary._ops import histogram, image, scalar, text, write  # noqa: F401
from nnfast.summary._state import record_if, should_record_summaries  # noqa: F401
from nnfast.summary._writer import (NoopWriter, SummaryWriter,  # noqa: F401
                                    create_file_writer, create_noop_writer, flush)
