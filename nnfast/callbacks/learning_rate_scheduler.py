"""`LearningRateScheduler`: set the learning rate from a function of the epoch."""
import inspect

import numpy as np

from nnfast.callbacks import _learning_rate as _lr
from nnfast.callbacks.callback import Callback
from nnfast.utils.progbar import print_msg


def _takes_two_args(fn):
    """Whether `fn(epoch, lr)` binds; None when the signature cannot be read."""
    try:
        inspect.signature(fn).bind(0, 0.0)
        return True
    except TypeError:
        return False
    except ValueError:      # builtins without a signature
        return None


class LearningRateScheduler(Callback):
    """At the start of every epoch, sets the learning rate to `schedule(epoch, lr)`
    (or `schedule(epoch)`, the Keras 2 form) and logs it as `learning_rate` at the end.

    Args:
        schedule: Function of the 0-based epoch index (and the current rate, a float)
            returning the new rate as a float.
        verbose: 0 silent, 1 prints each update.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("LearningRateScheduler: `schedule` must be callable. "
                            f"Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._two_args = _takes_two_args(schedule)

    def _new_rate(self, optimizer, epoch):
        lr = _lr.get_lr(optimizer, "LearningRateScheduler")
        if self._two_args is None:
            try:
                value = self.schedule(epoch, lr)
            except TypeError:   # the old one-argument form
                value = self.schedule(epoch)
        else:
            value = self.schedule(epoch, lr) if self._two_args else self.schedule(epoch)
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "f":
            value = value[()]
        if not isinstance(value, (float, np.floating)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {value!r}")
        optimizer.learning_rate = float(value)
        return float(value)

    def on_epoch_begin(self, epoch, logs=None):
        for name, opt in _lr.optimizers_of(self.model, "LearningRateScheduler"):
            lr = self._new_rate(opt, epoch)
            if self.verbose > 0:
                which = f"{name} " if name else ""
                print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting {which}"
                          f"learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            _lr.log_learning_rates(self.model, logs, "LearningRateScheduler")
