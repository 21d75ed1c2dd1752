"""`ModelCheckpoint`: save the model (or its weights) during `fit`.

Every save is atomic (written to a temporary file, then renamed onto the target), so a
crash or a kill during a save leaves the previous checkpoint readable.
"""
import os
import warnings

import numpy as np

from nnfast.callbacks.monitor_callback import MonitorCallback
from nnfast.utils.progbar import print_msg


class ModelCheckpoint(MonitorCallback):
    """Save the model or its weights at some frequency.

    Args:
        filepath: Where to save; may hold `str.format` fields filled with `epoch`
            (1-based), `batch` (1-based, with an int `save_freq`) and the logs, e.g.
            `"weights.{epoch:02d}-{val_loss:.2f}.h5"`. `.keras` writes a Keras 3 archive,
            `.weights.h5` Keras 3's weights layout, any other path Keras's HDF5 layout.
        monitor: The logged value that decides what is best (with `save_best_only`).
        verbose: 0 silent, 1 a message per save.
        save_best_only: Only save when `monitor` improves on the best seen so far.
        save_weights_only: Save `model.save_weights(...)` instead of the whole model.
        mode: `"auto"`, `"min"` or `"max"`: which way `monitor` improves.
        save_freq: `"epoch"`, or an int: save every that many batches.
        initial_value_threshold: A value `monitor` must beat before the first save
            (with `save_best_only`).
        period: Keras 2's argument: save every `period` epochs (deprecated there too).
        options: Accepted for tf.keras compatibility and ignored.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, period=None, options=None, **kwargs):
        super().__init__(monitor=monitor, mode=mode, baseline=initial_value_threshold)
        unknown = set(kwargs) - {"load_weights_on_restart"}
        if unknown:
            raise TypeError(f"ModelCheckpoint: unrecognized keyword arguments {sorted(unknown)}")
        if kwargs.get("load_weights_on_restart"):
            warnings.warn("ModelCheckpoint: `load_weights_on_restart` (tf.keras 2) is not "
                          "supported and is ignored; call `model.load_weights` yourself.",
                          stacklevel=2)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, (int, np.integer))
                                     or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are "
                             "'epoch' or a positive integer (a number of batches).")
        self.save_freq = save_freq if save_freq == "epoch" else int(save_freq)
        if period is not None:
            warnings.warn("ModelCheckpoint: `period` is deprecated; use `save_freq`.",
                          stacklevel=2)
            if isinstance(period, bool) or not isinstance(period, (int, np.integer)) or period < 1:
                raise ValueError(f"ModelCheckpoint: `period` must be a positive int. "
                                 f"Received: period={period!r}")
        self.period = 1 if period is None else int(period)
        if self.save_weights_only and self.filepath.endswith(".keras"):
            raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the "
                             "filepath must not end in `.keras` (use `.weights.h5` or `.h5`). "
                             f"Received: filepath={self.filepath}")
        self.best = initial_value_threshold
        self._epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0

    # -- hooks ----------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()      # the model's metrics are known by now
        self._epochs_since_last_save += 1
        if self.save_freq == "epoch" and self._epochs_since_last_save >= self.period:
            self._epochs_since_last_save = 0
            self._save_model(epoch, None, logs)

    # -- decisions ------------------------------------------------------------------------
    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1                     # a new epoch started
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:            # Keras 3 saves anyway (Keras 2 skipped)
            warnings.warn(f"Can save best model only with {self.monitor} available. "
                          f"Available: {sorted(logs)}", stacklevel=3)
            return True
        if np.ndim(current) > 0:
            warnings.warn("Can save best model only when `monitor` is a scalar value. "
                          f"Received: {current}. Falling back to `save_best_only=False`.",
                          stacklevel=3)
            return True
        current = float(current)
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    # -- saving ---------------------------------------------------------------------------
    def _get_file_path(self, epoch, batch, logs):
        values = dict(logs)
        values["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            values["batch"] = batch + 1
        try:
            return self.filepath.format(**values)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e} is not among the logs {sorted(logs)}") from None
        except (ValueError, IndexError) as e:
            raise ValueError(f'Failed to format this callback filepath: "{self.filepath}". '
                             f"Reason: {e}") from None

    def _save_model(self, epoch, batch, logs):
        logs = dict(logs or {})
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError("Please specify a non-directory filepath for "
                                    f"ModelCheckpoint. Filepath used is an existing directory: "
                                    f"{filepath}")
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            fmt = None if filepath.endswith((".keras", ".h5", ".hdf5")) else "h5"
            self.model.save(filepath, overwrite=True, save_format=fmt)
