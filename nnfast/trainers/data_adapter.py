"""In-memory array data for fit/evaluate/predict: checks, validation split, batching.

Arrays are checked and converted once per call (not per step): numeric dtype, equal
lengths, no NaN/inf in training inputs, float64 -> floatx.
"""
import math

import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap
from nnfast.utils import tree
from nnfast.utils.rng import get_rng


map_structure = tree.map_structure


def flatten(x):
    """The arrays of a data structure; no data (None) has none."""
    return [] if x is None else tree.flatten(x)


def to_array(a, what, check_finite=False, where="fit"):
    arr = unwrap(a)
    if not isinstance(arr, np.ndarray):
        try:
            arr = np.asarray(arr)
        except (ValueError, TypeError) as e:
            raise TypeError(f"{where}: `{what}` could not be converted to an array ({e}).") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: `{what}` must hold numbers (ints or floats). Received an array of "
            f"dtype {arr.dtype}" + (f", first value {arr.flat[0]!r}" if arr.size else "") + "."
        )
    if arr.ndim == 0:
        raise ValueError(f"{where}: `{what}` must have a batch axis. Received a scalar: {arr!r}")
    if arr.dtype == np.float64 and backend.floatx() != "float64":
        arr = arr.astype(backend.floatx())
    if check_finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{where}: `{what}` contains NaN or infinite values (first at index "
            f"{tuple(int(i) for i in bad)}: {arr[tuple(bad)]}). Clean the data before training."
        )
    return arr


def standardize(x, y=None, sample_weight=None, where="fit", check_finite=True):
    """Convert every array once; check they all have the same number of samples."""
    x = map_structure(lambda a: to_array(a, "x", check_finite, where), x)
    y = map_structure(lambda a: to_array(a, "y", False, where), y)
    if sample_weight is not None:
        sample_weight = map_structure(lambda a: to_array(a, "sample_weight", False, where),
                                      sample_weight)
    sizes = {name: [len(a) for a in flatten(v)] for name, v in
             (("x", x), ("y", y), ("sample_weight", sample_weight)) if v is not None}
    all_sizes = {n for s in sizes.values() for n in s}
    if len(all_sizes) > 1:
        detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
        raise ValueError(
            f"{where}: data cardinality is ambiguous. Make sure all arrays contain the same "
            f"number of samples.\n{detail}"
        )
    return x, y, sample_weight


def num_samples(x):
    arrays = flatten(x)
    return len(arrays[0]) if arrays else 0


def take(x, index):
    return map_structure(lambda a: a[index], x)


def split_validation(x, y, sample_weight, validation_split):
    """Keras's rule: the LAST fraction of the data (before any shuffling) validates."""
    if not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be a float between 0 and 1. Received: {validation_split}"
        )
    n = num_samples(x)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`. "
            "Either provide more data, or a different value for the `validation_split` argument."
        )
    first, last = slice(0, split_at), slice(split_at, n)
    return ((take(x, first), take(y, first), take(sample_weight, first)),
            (take(x, last), take(y, last), take(sample_weight, last)))


def class_weights_to_sample_weights(y, class_weight):
    y = flatten(y)
    if len(y) != 1:
        raise ValueError("`class_weight` is only supported for models with a single output.")
    y = y[0]
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype(np.int64)
    weights = np.ones(len(labels), dtype=backend.floatx())
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = w
    return weights


class ArrayBatcher:
    """Epoch-by-epoch batches of in-memory arrays."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 steps=None):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.n = num_samples(x)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.num_batches = max(1, math.ceil(self.n / batch_size)) if self.n else 0
        if steps is not None:
            self.num_batches = min(self.num_batches, int(steps)) if self.n else int(steps)

    def __len__(self):
        return self.num_batches

    def batches(self):
        n, bs = self.n, self.batch_size
        if self.shuffle == "batch":
            starts = get_rng().permutation(math.ceil(n / bs)) * bs
            order = np.concatenate([np.arange(s, min(s + bs, n)) for s in starts])
        elif self.shuffle:
            order = get_rng().permutation(n)
        else:
            order = None
        for i in range(self.num_batches):
            if order is None:
                idx = slice(i * bs, min((i + 1) * bs, n))
            else:
                idx = order[i * bs:(i + 1) * bs]
            yield take(self.x, idx), take(self.y, idx), take(self.sample_weight, idx)
