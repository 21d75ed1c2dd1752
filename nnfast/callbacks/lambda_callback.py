"""`LambdaCallback`: a callback built from plain functions."""
from nnfast.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Callback whose hooks are the functions given.

    Epoch hooks take `(epoch, logs)`, batch hooks `(batch, logs)` (called with `logs=`
    as a keyword, as Keras does), begin/end hooks `(logs)`. Any other hook, such as
    `on_test_end` or the Keras 2 `on_batch_end`, may be passed as a keyword argument.

    Args:
        on_epoch_begin: Called at the start of every epoch.
        on_epoch_end: Called at the end of every epoch.
        on_train_begin: Called at the start of training.
        on_train_end: Called at the end of training.
        on_train_batch_begin: Called before every training batch.
        on_train_batch_end: Called after every training batch.
        **kwargs: Other hooks by name.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise TypeError(f"LambdaCallback got an unknown hook `{name}`. Expected one "
                                f"of the `Callback.on_*` methods. Received: {name}={fn!r}")
            if not callable(fn):
                raise TypeError(f"LambdaCallback: `{name}` must be callable. "
                                f"Received: {name}={fn!r}")
            # Instance attributes shadow the no-op methods of `Callback`.
            setattr(self, name, fn)
