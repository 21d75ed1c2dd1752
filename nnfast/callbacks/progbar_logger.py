"""`ProgbarLogger`: the progress bar of `fit`, `evaluate` and `predict`."""
from nnfast.callbacks.callback import Callback
from nnfast.utils.progbar import Progbar, print_msg


class ProgbarLogger(Callback):
    """Prints progress and metrics to stdout, as Keras 3 does.

    Reads `verbose`, `epochs` and `steps` from the run parameters. verbose=1: "Epoch
    i/n" (when n > 1) then a bar updated every batch; verbose=2: "Epoch i/n" and one
    summary line per epoch; verbose=0: nothing. Inside `fit`, validation passes are
    silent. Log values are running values already, so they are shown as they come
    (never averaged again).

    Args:
        count_mode: `"steps"` (the bar counts batches). `"samples"` is accepted for Keras 2
            code and counts batches too: Keras 3 dropped sample counting.
        stateful_metrics: Accepted for Keras 2 code; every metric is shown as-is anyway.
    """

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        if count_mode not in ("steps", "samples"):
            raise ValueError('ProgbarLogger: `count_mode` must be "steps" or "samples". '
                             f"Received: count_mode={count_mode!r}")
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        # Inside fit, validation (on_test_*) stays silent.
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        # A later evaluate() with the same logger shows its own bar again.
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_begin(self, logs=None):
        self._reset_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)     # the outputs are not metrics

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step",
                               stateless_metrics=())

    def _update_progbar(self, batch, logs):
        if self.progbar is None:
            self._reset_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list(logs.items()) if logs else None,
                                finalize=False)

    def _finalize_progbar(self, logs):
        if self.progbar is None:
            self._reset_progbar()
        if self.target is None:
            # Unknown length (a generator): the first epoch's count becomes the target.
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.target, list(logs.items()) if logs else None,
                            finalize=True)
