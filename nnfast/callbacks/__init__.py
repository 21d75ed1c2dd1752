"""Keras's `keras.callbacks`: hooks into `fit`, `evaluate` and `predict`."""
from nnfast.callbacks.base_logger import BaseLogger  # noqa: F401
from nnfast.callbacks.callback import Callback  # noqa: F401
from nnfast.callbacks.callback_list import CallbackList  # noqa: F401
from nnfast.callbacks.history import History  # noqa: F401
from nnfast.callbacks.lambda_callback import LambdaCallback  # noqa: F401
from nnfast.callbacks.model_checkpoint import ModelCheckpoint  # noqa: F401
from nnfast.callbacks.monitor_callback import MonitorCallback  # noqa: F401
from nnfast.callbacks.progbar_logger import ProgbarLogger  # noqa: F401
