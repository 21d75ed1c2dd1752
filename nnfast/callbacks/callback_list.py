"""`CallbackList`: one object that forwards every hook to a list of callbacks.

The training loop calls a batch hook on every step, so dispatch is kept cheap: for
each batch hook the list keeps a tuple of the bound methods that some callback actually
overrides (Keras checks overrides the same way), and a hook nobody overrides costs
one attribute read and one truth test.
"""
import numpy as np

from nnfast.callbacks.callback import Callback
from nnfast.callbacks.history import History
from nnfast.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = (
    "on_batch_begin", "on_batch_end",
    "on_train_batch_begin", "on_train_batch_end",
    "on_test_batch_begin", "on_test_batch_end",
    "on_predict_batch_begin", "on_predict_batch_end",
)
# The default `on_train_batch_*` forward to the Keras 2 names.
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback, name):
    """Whether `callback` does something in hook `name` (class or instance override)."""
    method = getattr(callback, name, None)
    if method is None:
        return False
    if getattr(method, "__func__", method) is not getattr(Callback, name):
        return True
    alias = _ALIASES.get(name)
    return alias is not None and _overrides(callback, alias)


def _flatten(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        out = []
        for c in callbacks:
            out.extend(_flatten(c))
        return out
    if not isinstance(callbacks, Callback):
        raise TypeError("CallbackList expects `keras.callbacks.Callback` instances. "
                        f"Received: {callbacks!r} of type {type(callbacks).__name__}")
    return [callbacks]


def _pythonify(logs):
    """Logs with Python floats, nested dicts flattened; `logs` itself when already so."""
    if logs is None:
        return {}
    for v in logs.values():
        if type(v) is not float:
            break
    else:
        return logs     # the common case: the trainer already reports floats
    out = {}
    for k, v in logs.items():
        if isinstance(v, dict):
            out.update(_pythonify(v))
            continue
        if isinstance(v, (int, float, np.generic)) or (
                isinstance(v, np.ndarray) and v.ndim == 0):
            try:
                v = float(v)
            except (TypeError, ValueError):
                pass
        out[k] = v
    return out


class CallbackList(Callback):
    """Container that calls every hook on each of its callbacks, in order.

    Args:
        callbacks: A `Callback`, or a (nested) list of them.
        add_history: Add a `History` unless one is already in `callbacks`.
        add_progbar: Add a `ProgbarLogger` unless one is already in `callbacks`.
        model: The `Model` the callbacks are used with.
        **params: Run parameters (`verbose`, `epochs`, `steps`) given to each callback
            through `set_params`.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        self.callbacks = _flatten(callbacks)
        self._history = None
        self._progbar = None
        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)
        self._refresh()

    def _refresh(self):
        """Cache, per batch hook, the bound methods that do something."""
        for name in _BATCH_HOOKS:
            hooks = tuple(getattr(cb, name) for cb in self.callbacks if _overrides(cb, name))
            setattr(self, "_" + name, hooks)

    def append(self, callback):
        """Add a callback at the end (it gets the list's model and params)."""
        if not isinstance(callback, Callback):
            raise TypeError("CallbackList.append expects a `keras.callbacks.Callback`. "
                            f"Received: callback={callback!r}")
        if self._model is not None:
            callback.set_model(self._model)
        if self.params:
            callback.set_params(self.params)
        self.callbacks.append(callback)
        self._refresh()

    def __iter__(self):
        return iter(self.callbacks)

    def set_params(self, params):
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    # -- begin / end ----------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._refresh()     # callbacks may have been added to `self.callbacks` directly
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_test_begin(self, logs=None):
        self._refresh()
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_predict_begin(self, logs=None):
        self._refresh()
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = _pythonify(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    # -- batches (hot path) ---------------------------------------------------------------
    def on_batch_begin(self, batch, logs=None):
        if self._on_batch_begin:
            logs = _pythonify(logs)
            for hook in self._on_batch_begin:
                hook(batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        if self._on_batch_end:
            logs = _pythonify(logs)
            for hook in self._on_batch_end:
                hook(batch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        if self._on_train_batch_begin:
            logs = _pythonify(logs)
            for hook in self._on_train_batch_begin:
                hook(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        if self._on_train_batch_end:
            logs = _pythonify(logs)
            for hook in self._on_train_batch_end:
                hook(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        if self._on_test_batch_begin:
            logs = _pythonify(logs)
            for hook in self._on_test_batch_begin:
                hook(batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        if self._on_test_batch_end:
            logs = _pythonify(logs)
            for hook in self._on_test_batch_end:
                hook(batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        if self._on_predict_batch_begin:
            logs = _pythonify(logs)
            for hook in self._on_predict_batch_begin:
                hook(batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        if self._on_predict_batch_end:
            logs = _pythonify(logs)
            for hook in self._on_predict_batch_end:
                hook(batch, logs=logs)
