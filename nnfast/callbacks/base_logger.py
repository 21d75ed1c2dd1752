"""`BaseLogger` (Keras 2): averages per-batch metric values into the epoch logs."""
from nnfast.callbacks.callback import Callback

_NOT_METRICS = ("batch", "size", "num_steps")


class BaseLogger(Callback):
    """Accumulates per-batch metric values and averages them over the epoch.

    Each batch is weighted by `logs["size"]` when the batch logs carry it, else by 1.
    Metrics named in `stateful_metrics` are running values: the last one is kept instead
    of an average. At epoch end the results are written into the epoch logs for keys the
    logs do not already have (nnfast's `fit` already reports exact epoch values, which
    are never overwritten); they are also available as `self.averages`.

    Args:
        stateful_metrics: Names of metrics not to average.
    """

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or ())
        self.seen = 0
        self.totals = {}
        self.averages = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 1)
        self.seen += size
        for k, v in logs.items():
            if k in _NOT_METRICS:
                continue
            if k in self.stateful_metrics:
                self.totals[k] = v
            else:
                self.totals[k] = self.totals.get(k, 0.0) + v * size

    def on_epoch_end(self, epoch, logs=None):
        self.averages = {
            k: (v if k in self.stateful_metrics else v / self.seen)
            for k, v in self.totals.items()
        } if self.seen else {}
        if logs is not None:
            for k, v in self.averages.items():
                logs.setdefault(k, v)
