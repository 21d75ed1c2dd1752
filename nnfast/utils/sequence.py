"""`PyDataset` (Keras 3) / `Sequence` (Keras 2): a dataset of batches indexed by position.

Subclass and define `__len__` (number of batches) and `__getitem__(index)` returning
`x`, `(x, y)` or `(x, y, sample_weight)`; `on_epoch_end` runs after every epoch (shuffle
your own data there). `fit(shuffle=True)` visits the batches in a random order.
"""


class PyDataset:
    """Base class for batch datasets fed to `fit`, `evaluate` and `predict`.

    Args:
        workers, use_multiprocessing, max_queue_size: accepted for Keras compatibility;
            nnfast reads batches in the training thread.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index).")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__().")

    @property
    def num_batches(self):
        return len(self)

    def on_epoch_begin(self):
        """Called before every epoch."""

    def on_epoch_end(self):
        """Called after every epoch."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


Sequence = PyDataset
