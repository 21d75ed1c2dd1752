"""fit / evaluate / predict call every Callback hook with Keras's arguments."""
import collections

import numpy as np

import nnfast
from nnfast.callbacks import Callback

import cb_helpers as h

_HOOKS = [name for name in dir(Callback) if name.startswith("on_")]


class Counter(Callback):
    def __init__(self):
        super().__init__()
        self.counts = collections.Counter()
        self.calls = []
        for name in _HOOKS:
            setattr(self, name, self._make(name))

    def _make(self, name):
        base = getattr(Callback, name)

        def hook(*args, **kwargs):
            self.counts[name] += 1
            self.calls.append((name, args, kwargs))
            return base(self, *args, **kwargs)     # keeps on_train_batch_* -> on_batch_*
        return hook


def _only(counter, *names):
    return {k: v for k, v in counter.counts.items() if k.startswith(names)}


def test_fit_with_validation_calls_each_hook_the_right_number_of_times():
    x, y = h.data(30)
    xv, yv = h.data(15, seed=1)
    m = h.model()
    c = Counter()
    m.fit(x, y, batch_size=10, epochs=2, validation_data=(xv, yv), callbacks=[c], verbose=0)
    assert dict(c.counts) == {
        "on_train_begin": 1, "on_train_end": 1, "on_epoch_begin": 2, "on_epoch_end": 2,
        "on_train_batch_begin": 6, "on_train_batch_end": 6,
        "on_batch_begin": 6, "on_batch_end": 6,                 # Keras 2 aliases
        "on_test_begin": 2, "on_test_end": 2,                   # one validation per epoch
        "on_test_batch_begin": 4, "on_test_batch_end": 4}       # 15 samples / 10 = 2
    assert c.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert c.model is m
    batch_ends = [args for name, args, _ in c.calls if name == "on_train_batch_end"]
    assert [a[0] for a in batch_ends] == [0, 1, 2, 0, 1, 2]
    epoch_ends = [(args, kw) for name, args, kw in c.calls if name == "on_epoch_end"]
    assert [a[0][0] for a in epoch_ends] == [0, 1]
    assert set(epoch_ends[1][0][1]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert epoch_ends[1][0][1]["loss"] == m.history.history["loss"][1]
    test_ends = [args for name, args, _ in c.calls if name == "on_test_end"]
    assert set(test_ends[0][0]) == {"loss", "accuracy"}
    # Validation runs after the epoch's batches and before its on_epoch_end.
    names = [name for name, _, _ in c.calls]
    assert names.index("on_test_begin") > names.index("on_train_batch_end")
    assert names.index("on_test_end") < names.index("on_epoch_end")
    assert names[0] == "on_train_begin" and names[-1] == "on_train_end"


def test_initial_epoch_numbers_epochs_from_it():
    x, y = h.data(20)
    c = Counter()
    h.model().fit(x, y, batch_size=10, epochs=3, initial_epoch=1, callbacks=[c], verbose=0)
    assert [a[0] for n, a, _ in c.calls if n == "on_epoch_begin"] == [1, 2]


def test_evaluate_calls_test_hooks_only():
    x, y = h.data(25)
    m = h.model()
    c = Counter()
    result = m.evaluate(x, y, batch_size=10, callbacks=[c], verbose=0, return_dict=True)
    assert dict(c.counts) == {"on_test_begin": 1, "on_test_end": 1,
                              "on_test_batch_begin": 3, "on_test_batch_end": 3}
    assert c.params == {"verbose": 0, "epochs": 1, "steps": 3}
    end_logs = [a for n, a, _ in c.calls if n == "on_test_end"][0][0]
    assert end_logs == result


def test_predict_calls_predict_hooks_with_outputs():
    x, _ = h.data(25)
    m = h.model()
    c = Counter()
    out = m.predict(x, batch_size=10, callbacks=[c], verbose=0)
    assert dict(c.counts) == {"on_predict_begin": 1, "on_predict_end": 1,
                              "on_predict_batch_begin": 3, "on_predict_batch_end": 3}
    batch_outputs = [kw["logs"]["outputs"] for n, _, kw in c.calls
                     if n == "on_predict_batch_end"]
    np.testing.assert_array_equal(np.concatenate(batch_outputs), out)


def test_stop_training_at_batch_end_ends_the_epoch_and_training():
    x, y = h.data(40)

    class StopAt(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    c = Counter()
    hist = h.model().fit(x, y, batch_size=10, epochs=5, callbacks=[StopAt(), c], verbose=0)
    assert c.counts["on_train_batch_end"] == 2
    assert c.counts["on_epoch_end"] == 1 and c.counts["on_train_end"] == 1
    assert len(hist.history["loss"]) == 1


def test_stop_training_at_epoch_end_and_fit_resets_it():
    x, y = h.data(20)
    m = h.model()
    stopper = nnfast.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: setattr(m, "stop_training", epoch == 2))
    assert len(m.fit(x, y, epochs=10, callbacks=[stopper], verbose=0).history["loss"]) == 3
    # A new fit starts with stop_training False again.
    assert len(m.fit(x, y, epochs=2, verbose=0).history["loss"]) == 2


def test_stop_evaluating_and_stop_predicting_end_the_loops():
    x, y = h.data(40)
    m = h.model()

    class Stop(Callback):
        def on_test_batch_end(self, batch, logs=None):
            self.model.stop_evaluating = True

        def on_predict_batch_end(self, batch, logs=None):
            self.model.stop_predicting = True

    c = Counter()
    m.evaluate(x, y, batch_size=10, callbacks=[Stop(), c], verbose=0)
    assert c.counts["on_test_batch_end"] == 1 and c.counts["on_test_end"] == 1
    assert m.predict(x, batch_size=10, callbacks=[Stop()], verbose=0).shape == (10, 1)
