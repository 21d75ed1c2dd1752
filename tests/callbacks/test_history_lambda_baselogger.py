import pytest

import callback_loop as _loop
from nnfast.callbacks import BaseLogger, Callback, CallbackList, History, LambdaCallback


def test_history_records_every_epoch_and_sets_model_history():
    model = _loop.FakeModel()
    cl = CallbackList(add_history=True, model=model, verbose=0, epochs=3, steps=2)
    _loop.fit(cl, model, epochs=3, steps=2, validation_steps=1)
    h = model.history
    assert isinstance(h, History)
    assert h.epoch == [0, 1, 2]
    assert sorted(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert h.history["loss"] == [_loop.epoch_logs(e, 2)["loss"] for e in range(3)]
    assert h.history["val_loss"] == [2.0 / (1 + e) for e in range(3)]
    # np.float32 logs reach History as Python floats.
    assert h.history["val_accuracy"] == [0.25] * 3
    assert all(type(v) is float for v in h.history["val_accuracy"])
    assert h.params == {"verbose": 0, "epochs": 3, "steps": 2}


def test_reused_history_resets_epoch_but_keeps_appending_as_keras3():
    model = _loop.FakeModel()
    h = History()
    for _ in range(2):
        _loop.fit(CallbackList([h], add_history=True, model=model), model, epochs=2, steps=1)
    assert h.epoch == [0, 1]
    assert len(h.history["loss"]) == 4
    assert model.history is h


def test_history_without_a_model():
    h = History()
    h.on_train_begin()
    h.on_epoch_end(0, {"loss": 1.0})
    h.on_epoch_end(1, None)
    assert h.history == {"loss": [1.0]} and h.epoch == [0, 1]


def test_lambda_callback_hooks_get_their_arguments():
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch)),
        on_train_batch_end=lambda batch, logs: events.append(("batch_end", batch, logs["loss"])),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: events.append(("train_end", logs["loss"])),
        on_test_end=lambda logs: events.append(("test_end", logs["loss"])),
    )
    model = _loop.FakeModel()
    _loop.fit(CallbackList([cb], model=model), model, epochs=1, steps=2, validation_steps=1)
    assert events == [
        ("train_begin", {}),
        ("epoch_begin", 0),
        ("batch_end", 0, 1.0),
        ("batch_end", 1, 0.5),
        ("test_end", 0.75),
        ("epoch_end", 0, ["accuracy", "loss", "val_accuracy", "val_loss"]),
        ("train_end", 0.5),
    ]


def test_lambda_callback_keras2_on_batch_end_and_errors():
    seen = []
    cb = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    model = _loop.FakeModel()
    _loop.fit(CallbackList([cb]), model, epochs=2, steps=2)
    assert seen == [0, 1, 0, 1]
    with pytest.raises(TypeError, match="LambdaCallback.*on_epoch_ennd"):
        LambdaCallback(on_epoch_ennd=print)
    with pytest.raises(TypeError, match="LambdaCallback.*must be callable"):
        LambdaCallback(on_epoch_end=3)
    # Unset hooks stay the no-op methods of Callback.
    assert LambdaCallback().on_epoch_end.__func__ is Callback.on_epoch_end


def test_base_logger_averages_batches_weighted_by_size():
    bl = BaseLogger(stateful_metrics=["acc_running"])
    cl = CallbackList([bl])
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    batches = [({"loss": 1.0, "acc_running": 0.2, "size": 4}),
               ({"loss": 3.0, "acc_running": 0.6, "size": 2}),
               ({"loss": 2.0, "acc_running": 0.4, "size": 2})]
    for i, logs in enumerate(batches):
        cl.on_train_batch_end(i, logs)
    epoch_logs = {"val_loss": 9.0}
    cl.on_epoch_end(0, epoch_logs)
    expected_loss = (1.0 * 4 + 3.0 * 2 + 2.0 * 2) / 8
    assert epoch_logs == {"val_loss": 9.0, "loss": pytest.approx(expected_loss),
                          "acc_running": 0.4}
    # Exact epoch values already in the logs are never overwritten.
    cl.on_epoch_begin(1)
    cl.on_train_batch_end(0, {"loss": 5.0})
    cl.on_train_batch_end(1, {"loss": 7.0})
    epoch_logs = {"loss": 6.5}
    cl.on_epoch_end(1, epoch_logs)
    assert epoch_logs == {"loss": 6.5} and bl.averages == {"loss": 6.0}
