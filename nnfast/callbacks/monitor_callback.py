"""`MonitorCallback`: the shared base of callbacks that watch one logged value
(EarlyStopping, ReduceLROnPlateau, ModelCheckpoint).

It answers one question — is this value an improvement on that one? — with Keras's rules
for `mode` ("auto", "min", "max"), `min_delta` and `baseline`.
"""
import warnings

import numpy as np

from nnfast.callbacks.callback import Callback

# Logged names that grow when the model gets better ("auto" mode), as Keras infers them.
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "fmeasure", "f1", "iou",
                     "true_positives", "true_negatives", "cosine_similarity", "r2")


def infer_mode(monitor, model=None):
    """"min" or "max" for a logged name: losses and errors fall, accuracies rise."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss"):
        return "min"
    for metric in getattr(model, "metrics", None) or ():
        if getattr(metric, "name", None) == name and getattr(metric, "_direction", None):
            return "max" if metric._direction == "up" else "min"
    lowered = name.lower()
    if any(key in lowered for key in _HIGHER_IS_BETTER):
        return "max"
    return "min"


class MonitorCallback(Callback):
    """Base for callbacks that act when a monitored value improves or stalls.

    Args:
        monitor: Name of the logged value, e.g. `"val_loss"`.
        mode: `"auto"`, `"min"` or `"max"`; `"auto"` is inferred from the name.
        baseline: A value the monitored quantity must beat first, or None.
        min_delta: Smallest change that counts as an improvement (its sign is ignored).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__}: mode {mode!r} is unknown, falling back to 'auto'. "
                "Expected one of 'auto', 'min', 'max'.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.baseline = baseline
        self.min_delta = abs(float(min_delta))
        self.monitor_op = None

    def _set_monitor_op(self):
        mode = infer_mode(self.monitor, self.model) if self.mode == "auto" else self.mode
        self.monitor_op = np.less if mode == "min" else np.greater
        # The delta points the way of improvement: a loss must fall by at least min_delta.
        self._signed_delta = -self.min_delta if mode == "min" else self.min_delta
        return mode

    def _initial_best(self):
        """The value anything must beat at the start (+/-inf, or the baseline)."""
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.baseline is not None:
            return float(self.baseline)
        return np.inf if self.monitor_op is np.less else -np.inf

    def _is_improvement(self, value, reference):
        if self.monitor_op is None:
            self._set_monitor_op()
        if reference is None:
            return True
        return bool(self.monitor_op(value - self._signed_delta, reference))

    def get_monitor_value(self, logs):
        """The monitored value from `logs`, or None (with a warning naming what exists)."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{type(self).__name__}: the monitored metric {self.monitor!r} is not "
                f"available. Available metrics are: {','.join(sorted(logs or {}))}",
                stacklevel=3)
        return value
