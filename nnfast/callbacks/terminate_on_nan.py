"""`TerminateOnNaN`: stop training when the loss becomes NaN or infinite."""
import numpy as np

from nnfast.callbacks.callback import Callback
from nnfast.utils.progbar import print_msg


class TerminateOnNaN(Callback):
    """Stops training at the first batch whose loss is NaN or infinite.

    Args:
        raise_error: False (default): set `model.stop_training` so training ends cleanly
            (`on_train_end` still runs). True: raise `RuntimeError` at once.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. "
                               f"Loss value: {loss}. Terminating training immediately.")
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
