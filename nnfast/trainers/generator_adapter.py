"""Batches from Python generators/iterators and `utils.PyDataset` (`Sequence`) objects.

Each batch is `x`, `(x, y)` or `(x, y, sample_weight)`, converted with the same checks as
in-memory arrays. A generator is drawn lazily; its first batch is read once up front
(the model may need it to build) and then served as the first step.
"""
import inspect

import numpy as np

from nnfast.trainers import data_adapter as da
from nnfast.utils.rng import get_rng
from nnfast.utils.sequence import PyDataset


def is_batch_source(x):
    """Whether `x` yields batches (a generator, an iterator or a PyDataset) rather than
    being the data itself."""
    if isinstance(x, PyDataset):
        return True
    if inspect.isgenerator(x):
        return True
    if isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)) or hasattr(x, "__array__"):
        return False
    return hasattr(x, "__next__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__")
                                      and hasattr(x, "on_epoch_end"))


def unpack_batch(batch, where):
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(
                f"{where}: a batch must be `x`, `(x, y)` or `(x, y, sample_weight)`. Received a "
                f"tuple of {len(batch)} items.")
        return batch + (None,) * (3 - len(batch))
    return batch, None, None


class GeneratorBatcher:
    """The batch-source counterpart of `data_adapter.ArrayBatcher` (same interface:
    `num_batches` — None when the number of steps is unknown — and `batches()`)."""

    def __init__(self, source, steps=None, shuffle=False, where="fit"):
        self.source = source
        self.where = where
        self.shuffle = shuffle
        self.is_dataset = isinstance(source, PyDataset) or not hasattr(source, "__next__")
        if self.is_dataset:
            n = len(source)
            self.num_batches = n if steps is None else min(int(steps), n)
            self._iterator = None
        else:
            self.num_batches = None if steps is None else int(steps)
            self._iterator = iter(source)
        self._peeked = None
        self.exhausted = False

    def _convert(self, batch, index):
        x, y, sw = unpack_batch(batch, self.where)
        try:
            return da.standardize(x, y, sw, where=f"{self.where} (batch {index})")
        except (TypeError, ValueError) as e:
            raise type(e)(str(e)) from None

    def peek(self):
        """The first batch, read once (and served again as step 0)."""
        if self._peeked is None:
            if self.is_dataset:
                self._peeked = self._convert(self.source[0], 0)
            else:
                try:
                    self._peeked = self._convert(next(self._iterator), 0)
                except StopIteration:
                    raise ValueError(f"{self.where}: the generator yielded no batch.") from None
        return self._peeked

    def batches(self):
        if self.is_dataset:
            yield from self._dataset_batches()
        else:
            yield from self._generator_batches()

    def _dataset_batches(self):
        hook = getattr(self.source, "on_epoch_begin", None)
        if hook is not None:
            hook()
        order = np.arange(len(self.source))
        if self.shuffle:
            order = get_rng().permutation(order)
        peeked, self._peeked = self._peeked, None
        for step, index in enumerate(order[:self.num_batches]):
            if step == 0 and index == 0 and peeked is not None:
                yield peeked
            else:
                yield self._convert(self.source[int(index)], int(index))
        hook = getattr(self.source, "on_epoch_end", None)
        if hook is not None:
            hook()

    def _generator_batches(self):
        step = 0
        if self._peeked is not None:
            batch, self._peeked = self._peeked, None
            step = 1
            yield batch
        while self.num_batches is None or step < self.num_batches:
            try:
                batch = next(self._iterator)
            except StopIteration:
                self.exhausted = True
                return
            yield self._convert(batch, step)
            step += 1
