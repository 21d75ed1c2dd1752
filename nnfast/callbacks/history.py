"""`History`: records each epoch's logs; `fit` returns it."""
from nnfast.callbacks.callback import Callback


class _HistoryDict(dict):
    """`history.history`: a dict where Keras 2's key `lr` reads the `learning_rate`
    values that Keras 3 callbacks log (nothing is stored twice)."""

    def __missing__(self, key):
        if key == "lr" and "learning_rate" in self:
            return self["learning_rate"]
        raise KeyError(key)


class History(Callback):
    """Records the logs of every epoch.

    `history` maps each log key (`loss`, `accuracy`, `val_loss`, ...) to a list with one
    value per epoch, `epoch` lists the epoch indices. As in Keras 3, `on_train_begin`
    resets `epoch` but keeps `history`, so reusing one `History` across several `fit`
    calls appends to the same lists (`fit` itself creates a fresh one each call).
    `history["lr"]` (Keras 2) reads the logged `learning_rate`.
    """

    def __init__(self):
        super().__init__()
        self.history = _HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        # Keep `model.history` pointing at the latest state, as Keras does.
        if self.model is not None:
            self.model.history = self
