"""`Callback`: the base class of everything `fit`, `evaluate` and `predict` notify."""


class Callback:
    """Base class for callbacks: override the hooks you need.

    Every hook does nothing by default. `on_train_batch_begin/end` call the Keras 2
    names `on_batch_begin/end`, so old callbacks that override those still run.
    `CallbackList` only dispatches batch hooks that some callback overrides.

    Attributes:
        model: The `Model` being trained, set by `set_model`.
        params: Dict of run parameters (`verbose`, `epochs`, `steps`), set by
            `set_params`.
        validation_data: Kept for Keras 2 code that reads it; always `None`.
    """

    # Class-level defaults keep subclasses working when they forget super().__init__().
    params = None
    validation_data = None
    _model = None

    def __init__(self):
        self.params = None
        self._model = None
        self.validation_data = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model):
        # Keras 2 callbacks assign `self.model = ...` themselves.
        self._model = model

    # -- Keras 2 aliases ------------------------------------------------------------------
    def on_batch_begin(self, batch, logs=None):
        """Keras 2 alias of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Keras 2 alias of `on_train_batch_end`."""

    # -- training -------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        """Called once at the start of `fit`."""

    def on_train_end(self, logs=None):
        """Called once at the end of `fit`; `logs` are the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (0-based `epoch`)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch with its logs (`loss`, metrics, `val_*`)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training step (`batch` is its index in the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training step with the running metric values."""
        self.on_batch_end(batch, logs=logs)

    # -- evaluation (also fit's validation) -----------------------------------------------
    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate` or of a validation pass."""

    def on_test_end(self, logs=None):
        """Called at the end of `evaluate` or of a validation pass."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each evaluation step."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each evaluation step with the running metric values."""

    # -- prediction -----------------------------------------------------------------------
    def on_predict_begin(self, logs=None):
        """Called at the start of `predict`."""

    def on_predict_end(self, logs=None):
        """Called at the end of `predict`."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each prediction step."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each prediction step; `logs["outputs"]` holds the batch output."""
