"""The Keras 2 method names that tutorials still call: `fit_generator`,
`evaluate_generator`, `predict_generator`, `predict_classes` and `predict_proba`.

Each forwards to the Keras 3 method with Keras 2's argument names, so old scripts run
unchanged (Keras 3 removed them; nnfast keeps them, with a deprecation warning).
"""
import warnings

import numpy as np


def _deprecated(old, new):
    warnings.warn(f"`model.{old}` is deprecated and will be removed in a future version. "
                  f"Please use `model.{new}`, which supports generators.",
                  DeprecationWarning, stacklevel=3)


class LegacyTrainerMethods:
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2's `fit` for generators: same as `fit(generator, ...)`."""
        _deprecated("fit_generator", "fit")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's `evaluate` for generators."""
        _deprecated("evaluate_generator", "evaluate")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's `predict` for generators."""
        _deprecated("predict_generator", "predict")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices: argmax of the outputs, or `output > 0.5` for a single sigmoid
        unit (Keras 2's Sequential method)."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if isinstance(proba, list):
            raise ValueError("predict_classes is only defined for models with one output. "
                             f"Model {self.name!r} has {len(proba)}.")
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2's name for `predict` on a probabilistic model."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if isinstance(proba, np.ndarray) and (proba.min() < 0 or proba.max() > 1):
            warnings.warn("Network returning invalid probability values. The last layer "
                          "might not normalize predictions into probabilities (like softmax "
                          "or sigmoid would).", stacklevel=2)
        return proba
