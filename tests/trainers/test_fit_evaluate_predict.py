"""compile / fit / evaluate / predict / *_on_batch with Keras's semantics."""
import numpy as np
import pytest

import nnfast
from nnfast import layers


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def _classifier(loss="sparse_categorical_crossentropy", metrics=("accuracy",), optimizer="adam"):
    model = nnfast.Sequential([
        layers.Dense(16, activation="relu", input_shape=(4,)),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def test_history_keys_and_learning_with_validation_split():
    x, y = _data()
    model = _classifier()
    history = model.fit(x, y, epochs=30, batch_size=16, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 30 and history.epoch == list(range(30))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = _data(100)
    model = _classifier()
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    val_only = model.evaluate(x[80:], y[80:], verbose=0, return_dict=True)
    history = model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    # the validation numbers are those of the last 20 samples under the weights after the epoch
    after = model.evaluate(x[80:], y[80:], verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(after["loss"], rel=1e-5)
    assert val_only["loss"] != pytest.approx(after["loss"], rel=1e-9)


def test_keras2_positional_metrics_in_compile():
    x, y = _data()
    model = _classifier(metrics=())
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])   # Keras 2 order
    assert "accuracy" in model.fit(x, y, epochs=1, verbose=0).history


def test_acc_metric_name_is_kept_and_metrics_names():
    x, y = _data()
    model = _classifier(metrics=("acc",))
    history = model.fit(x, y, epochs=1, verbose=0)
    assert "acc" in history.history
    assert model.metrics_names == ["loss", "acc"]


def test_evaluate_return_forms_and_values():
    x, y = _data()
    model = _classifier()
    model.fit(x, y, epochs=2, verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert as_dict == {"loss": pytest.approx(loss), "accuracy": pytest.approx(acc)}
    probs = model.predict(x, verbose=0)
    expected_loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
    assert loss == pytest.approx(expected_loss, rel=1e-4)
    assert acc == pytest.approx(np.mean(probs.argmax(1) == y))
    only_loss = nnfast.Sequential([layers.Dense(1, input_shape=(4,))])
    only_loss.compile("sgd", "mse")
    assert isinstance(only_loss.evaluate(x, y.astype("float32"), verbose=0), float)


def test_predict_batches_and_equals_model_call():
    x, _ = _data(70)
    model = _classifier()
    full = model.predict(x, batch_size=16, verbose=0)
    np.testing.assert_allclose(full, model(x).numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.predict_on_batch(x[:3]), full[:3], rtol=1e-5, atol=1e-7)


def test_train_on_batch_and_test_on_batch():
    x, y = _data(32)
    model = _classifier()
    first = model.train_on_batch(x, y)
    assert isinstance(first, list) and len(first) == 2
    for _ in range(30):
        last = model.train_on_batch(x, y, return_dict=True)
    assert last["loss"] < first[0]
    tested = model.test_on_batch(x, y, return_dict=True)
    assert tested["loss"] == pytest.approx(model.evaluate(x, y, verbose=0)[0], rel=1e-5)


def test_sample_weight_zero_removes_samples_from_the_loss():
    x, y = _data(64)
    model = _classifier()
    w = np.ones(64, dtype="float32")
    w[32:] = 0
    weighted = model.evaluate(x, y, sample_weight=w, verbose=0, batch_size=64)[0]
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(probs[np.arange(64), y])
    assert weighted == pytest.approx(per_sample[:32].sum() / 64, rel=1e-4)


def test_class_weight_shifts_predictions_toward_the_heavier_class():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 4)).astype("float32")
    y = rng.integers(0, 2, size=200)       # labels carry no signal
    plain = _classifier(optimizer=nnfast.optimizers.SGD(0.1))
    weighted = _classifier(optimizer=nnfast.optimizers.SGD(0.1))
    weighted.set_weights(plain.get_weights())
    plain.fit(x, y, epochs=5, verbose=0, shuffle=False)
    weighted.fit(x, y, epochs=5, verbose=0, shuffle=False, class_weight={0: 1.0, 1: 10.0})
    assert weighted.predict(x, verbose=0)[:, 1].mean() > plain.predict(x, verbose=0)[:, 1].mean() + 0.1


def test_initial_epoch_and_shuffle_false_are_deterministic():
    x, y = _data()
    a, b = _classifier(), _classifier()
    b.set_weights(a.get_weights())
    ha = a.fit(x, y, epochs=3, initial_epoch=1, shuffle=False, verbose=0)
    hb = b.fit(x, y, epochs=3, initial_epoch=1, shuffle=False, verbose=0)
    assert ha.epoch == [1, 2]
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-6)


def test_validation_data_tuple_and_callbacks_see_logs():
    x, y = _data()
    seen = []

    class Recorder(nnfast.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, sorted(logs)))

    model = _classifier()
    model.fit(x[:100], y[:100], validation_data=(x[100:], y[100:]), epochs=2, verbose=0,
              callbacks=[Recorder()])
    assert seen == [(0, ["accuracy", "loss", "val_accuracy", "val_loss"]),
                    (1, ["accuracy", "loss", "val_accuracy", "val_loss"])]


def test_progress_bar_verbose_1_and_2(capsys):
    x, y = _data(64)
    model = _classifier()
    model.fit(x, y, epochs=2, batch_size=32, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2" in out and "loss:" in out
    model.fit(x, y, epochs=2, batch_size=32, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "accuracy:" in out and out.count("\n") <= 6
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_regularization_losses_are_part_of_the_loss():
    x, y = _data(32)
    model = nnfast.Sequential([
        layers.Dense(2, input_shape=(4,), kernel_regularizer=nnfast.regularizers.l2(1.0)),
    ])
    model.compile("sgd", "mse")
    y2 = np.zeros((32, 2), dtype="float32")
    loss = model.evaluate(x, y2, verbose=0, batch_size=32)
    pred = model.predict(x, verbose=0)
    kernel = model.layers[0].kernel.numpy()
    assert loss == pytest.approx(np.mean(pred ** 2) + np.sum(kernel ** 2), rel=1e-4)


def test_learning_rate_can_be_changed_between_fits_with_lr_alias():
    x, y = _data()
    model = _classifier(optimizer=nnfast.optimizers.SGD(lr=0.5))
    assert float(model.optimizer.learning_rate) == pytest.approx(0.5)
    model.optimizer.lr = 0.0
    before = [w.copy() for w in model.get_weights()] if model.built else None
    model.fit(x, y, epochs=1, verbose=0)
    for b, a in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_learns_digits():
    (x_train, y_train), (x_test, y_test) = nnfast.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16
    model = nnfast.Sequential([
        layers.Dense(64, activation="relu", input_shape=(64,)),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(nnfast.optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"])
    model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0)
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc >= 0.93


def test_categorical_one_hot_targets_and_to_categorical():
    x, y = _data()
    model = _classifier(loss="categorical_crossentropy")
    history = model.fit(x, nnfast.utils.to_categorical(y, 2), epochs=30, verbose=0)
    assert history.history["accuracy"][-1] > 0.85
