"""Small models, data and recorders shared by the callback tests."""
import numpy as np

import nnfast
from nnfast.callbacks import Callback


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")[:, None]
    return x, y


def model(optimizer="sgd", metrics=("accuracy",)):
    m = nnfast.Sequential([nnfast.Input((4,)), nnfast.layers.Dense(3, name="d1"),
                           nnfast.layers.Dense(1, activation="sigmoid", name="out")])
    m.compile(optimizer, "binary_crossentropy", metrics=list(metrics))
    return m


class InjectMetric(Callback):
    """Puts `values[epoch]` into the epoch logs under `name`, for the callbacks after it."""

    def __init__(self, name, values):
        super().__init__()
        self.name, self.values = name, list(values)

    def on_epoch_end(self, epoch, logs=None):
        logs[self.name] = self.values[epoch]


class WeightsAtEpochEnd(Callback):
    def __init__(self):
        super().__init__()
        self.weights = []
        self.lrs = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())
        self.lrs.append(float(np.asarray(self.model.optimizer.learning_rate)))


def assert_weights_equal(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
