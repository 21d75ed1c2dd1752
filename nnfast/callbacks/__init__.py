"""Keras's `keras.callbacks`: hooks into `fit`, `evaluate` and `predict`."""
from nnfast.callbacks.base_logger import BaseLogger  # noqa: F401
from nnfast.callbacks.callback import Callback  # noqa: F401
from nnfast.callbacks.callback_list import CallbackList  # noqa: F401
from nnfast.callbacks.csv_logger import CSVLogger  # noqa: F401
from nnfast.callbacks.early_stopping import EarlyStopping  # noqa: F401
from nnfast.callbacks.history import History  # noqa: F401
from nnfast.callbacks.lambda_callback import LambdaCallback  # noqa: F401
from nnfast.callbacks.learning_rate_scheduler import LearningRateScheduler  # noqa: F401
from nnfast.callbacks.model_checkpoint import ModelCheckpoint  # noqa: F401
from nnfast.callbacks.monitor_callback import MonitorCallback  # noqa: F401
from nnfast.callbacks.progbar_logger import ProgbarLogger  # noqa: F401
from nnfast.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau  # noqa: F401
from nnfast.callbacks.remote_monitor import RemoteMonitor  # noqa: F401
from nnfast.callbacks.tensorboard import TensorBoard  # noqa: F401
from nnfast.callbacks.terminate_on_nan import TerminateOnNaN  # noqa: F401
