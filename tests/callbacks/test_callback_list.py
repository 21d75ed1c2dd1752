import numpy as np
import pytest

from nnfast.callbacks import (Callback, CallbackList, History, LambdaCallback,
                              ProgbarLogger)
import callback_loop as _loop


class Recorder(Callback):
    """Records every hook with its arguments."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        attr = super().__getattribute__(name)
        if name.startswith("on_") and callable(attr):
            calls = super().__getattribute__("calls")

            def record(*args, **kwargs):
                calls.append((name, args, kwargs))
                return attr(*args, **kwargs)
            return record
        return attr


def test_fit_hooks_called_in_order_with_arguments():
    rec = Recorder()
    model = _loop.FakeModel()
    cl = CallbackList([rec], model=model, verbose=0, epochs=2, steps=3)
    _loop.fit(cl, model, epochs=2, steps=3)
    names = [c[0] for c in rec.calls]
    per_batch = ["on_train_batch_begin", "on_batch_begin", "on_train_batch_end", "on_batch_end"]
    per_epoch = ["on_epoch_begin"] + per_batch * 3 + ["on_epoch_end"]
    assert names == ["on_train_begin"] + per_epoch * 2 + ["on_train_end"]
    batch_ends = [c for c in rec.calls if c[0] == "on_train_batch_end"]
    assert [c[1] for c in batch_ends] == [(s,) for s in (0, 1, 2)] * 2
    # Batch hooks get `logs=` as a keyword, as in Keras.
    assert batch_ends[4][2] == {"logs": _loop.batch_logs(1, 1)}
    epoch_ends = [c for c in rec.calls if c[0] == "on_epoch_end"]
    assert epoch_ends[1][1] == (1, _loop.epoch_logs(1, 3))
    assert rec.calls[0][1] == ({},)        # on_train_begin(logs={})
    assert rec.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert rec.model is model


def test_test_and_predict_hooks():
    rec = Recorder()
    cl = CallbackList(rec)
    _loop.evaluate(cl, 2)
    _loop.predict(cl, 2)
    names = [c[0] for c in rec.calls]
    assert names == ["on_test_begin", "on_test_batch_begin", "on_test_batch_end",
                     "on_test_batch_begin", "on_test_batch_end", "on_test_end",
                     "on_predict_begin", "on_predict_batch_begin", "on_predict_batch_end",
                     "on_predict_batch_begin", "on_predict_batch_end", "on_predict_end"]
    out = [c for c in rec.calls if c[0] == "on_predict_batch_end"][0][2]["logs"]["outputs"]
    assert out.shape == (2, 3)      # arrays in logs are passed through untouched


def test_keras2_on_batch_end_override_runs_from_train_batch_end():
    seen = []

    class Old(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((batch, logs["loss"]))

    cl = CallbackList([Old()])
    model = _loop.FakeModel()
    _loop.fit(cl, model, epochs=1, steps=2)
    assert seen == [(0, 1.0), (1, 0.5)]


def test_batch_hooks_nobody_overrides_are_skipped():
    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    class BatchEnd(Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    quiet, loud = EpochOnly(), BatchEnd()
    cl = CallbackList([quiet, loud], add_history=True)
    assert cl._on_train_batch_begin == ()
    assert cl._on_test_batch_end == ()
    assert len(cl._on_train_batch_end) == 1 and cl._on_train_batch_end[0].__self__ is loud
    # An instance-level hook (LambdaCallback's way) counts as an override.
    lam = LambdaCallback(on_train_batch_begin=lambda batch, logs: None)
    cl.append(lam)
    assert len(cl._on_train_batch_begin) == 1


def test_history_and_progbar_added_once_and_user_ones_reused():
    model = _loop.FakeModel()
    cl = CallbackList(None, add_history=True, add_progbar=True, model=model,
                      verbose=0, epochs=1, steps=1)
    assert [type(c) for c in cl] == [History, ProgbarLogger]
    assert model.history is cl.callbacks[0]
    mine_h, mine_p = History(), ProgbarLogger()
    cl = CallbackList([mine_p, [mine_h]], add_history=True, add_progbar=True, model=model,
                      verbose=0, epochs=1, steps=1)
    assert cl.callbacks == [mine_p, mine_h]
    assert model.history is mine_h
    cl = CallbackList([], add_history=False, add_progbar=False)
    assert list(cl) == []


def test_append_gives_model_and_params_and_bad_callbacks_are_rejected():
    model = _loop.FakeModel()
    cl = CallbackList(model=model, verbose=0, epochs=3, steps=2)
    rec = Callback()
    cl.append(rec)
    assert rec.model is model and rec.params == {"verbose": 0, "epochs": 3, "steps": 2}
    with pytest.raises(TypeError, match="CallbackList"):
        CallbackList([Callback(), "early_stopping"])
    with pytest.raises(TypeError, match="CallbackList.append"):
        cl.append(lambda: None)


def test_numpy_log_values_become_floats_and_nested_dicts_flatten():
    got = []
    cl = CallbackList([LambdaCallback(on_epoch_end=lambda e, logs: got.append(logs))])
    cl.on_epoch_end(0, {"loss": np.float32(0.5), "n": np.array(3), "out": {"acc": np.float64(1)}})
    assert got == [{"loss": 0.5, "n": 3.0, "acc": 1.0}]
    assert all(type(v) is float for v in got[0].values())


def test_stop_training_is_seen_by_the_loop():
    class Stop(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    model = _loop.FakeModel()
    cl = CallbackList([Stop()], add_history=True, model=model)
    _loop.fit(cl, model, epochs=5, steps=4)
    assert model.history.epoch == [0]
