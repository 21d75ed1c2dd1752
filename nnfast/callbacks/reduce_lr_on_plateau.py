"""`ReduceLROnPlateau`: lower the learning rate when a monitored value stalls."""
import warnings

import numpy as np

from nnfast.callbacks import _learning_rate as _lr
from nnfast.callbacks.monitor_callback import MonitorCallback
from nnfast.utils.progbar import print_msg


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` after `patience` epochs without
    improvement of `monitor`, never going below `min_lr`.

    After a reduction, `cooldown` epochs pass before the patience count restarts. Every
    epoch the current rate is added to the logs as `learning_rate` (before any
    reduction), as Keras 3 does.

    Args:
        monitor: Logged value to watch. Defaults to "val_loss".
        factor: New rate = rate * factor; must be < 1.
        patience: Epochs without improvement before a reduction.
        verbose: 0 silent, 1 prints each reduction.
        mode: "auto", "min" or "max".
        min_delta: Smallest change that counts as an improvement.
        cooldown: Epochs to wait after a reduction before counting again.
        min_lr: Lower bound of the learning rate.
        **kwargs: Keras 2's `epsilon` (the old name of `min_delta`).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("ReduceLROnPlateau: `epsilon` is deprecated, use `min_delta` "
                          "instead.", DeprecationWarning, stacklevel=2)
        if kwargs:      # Keras accepts and ignores them; say so
            warnings.warn(f"ReduceLROnPlateau: ignoring unknown argument(s) {sorted(kwargs)}.",
                          stacklevel=2)
        super().__init__(monitor=monitor, mode=mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = None

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _reduce(self, name, optimizer, epoch):
        old_lr = _lr.get_lr(optimizer, "ReduceLROnPlateau")
        # The rate is stored in float32: compare there, or 1e-4 never reaches min_lr=1e-4.
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            which = f" {name}" if name else ""
            print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{which} learning "
                      f"rate to {new_lr}.")
        return True

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizers = _lr.optimizers_of(self.model, "ReduceLROnPlateau")
        _lr.log_learning_rates(self.model, logs, "ReduceLROnPlateau")
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Learning rate reduction is conditioned on metric "
                          f"`{self.monitor}` which is not available. Available metrics "
                          f"are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = [self._reduce(name, opt, epoch) for name, opt in optimizers]
                if any(reduced):
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
