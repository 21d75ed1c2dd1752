"""Reading event files back with TensorBoard's own EventAccumulator."""
import numpy as np

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util import tensor_util


def load(directory):
    acc = EventAccumulator(str(directory), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def series(acc, tag):
    """[(step, value ndarray)] of one tag."""
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def scalars(acc, tag):
    return {step: float(v) for step, v in series(acc, tag)}


def plugin(acc, tag):
    return acc.SummaryMetadata(tag).plugin_data.plugin_name


def as_f32(values):
    return [float(np.float32(v)) for v in values]
