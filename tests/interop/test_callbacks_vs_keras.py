"""nnfast's callbacks take Keras's decisions on the same logged values (skipped without
Keras)."""
import numpy as np
import pytest

import nnfast

pytestmark = pytest.mark.interop


def _models():
    keras = pytest.importorskip("keras")
    km = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    km.compile(keras.optimizers.SGD(learning_rate=0.1), "mse")
    nm = nnfast.Sequential([nnfast.Input((2,)), nnfast.layers.Dense(1)])
    nm.compile(nnfast.optimizers.SGD(learning_rate=0.1), "mse")
    return keras, km, nm


def _drive(callback, model, scores):
    """Epoch hooks with `{"score": s}` logs; returns (stop flags, learning rates, logs)."""
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin({})
    stops, lrs, all_logs = [], [], []
    for epoch, score in enumerate(scores):
        callback.on_epoch_begin(epoch, {})
        logs = {"score": score}
        callback.on_epoch_end(epoch, logs)
        stops.append(bool(model.stop_training))
        lrs.append(float(np.asarray(model.optimizer.learning_rate)))
        all_logs.append(logs)
    callback.on_train_end({})
    return stops, lrs, all_logs


_SCORES = [5.0, 3.0, 3.05, 2.5, 2.6, 2.55, 2.7, 1.0, 1.2, 1.3, 1.4, 1.5]


@pytest.mark.parametrize("kwargs", [
    dict(patience=2), dict(patience=0), dict(patience=3, min_delta=0.2),
    dict(patience=2, baseline=2.0), dict(patience=1, start_from_epoch=4),
    dict(patience=2, mode="max"),
])
def test_early_stopping_stops_at_the_same_epochs(kwargs):
    keras, km, nm = _models()
    kwargs.setdefault("mode", "min")    # Keras 3 cannot infer it for "score"
    ref = _drive(keras.callbacks.EarlyStopping(monitor="score", **kwargs), km, _SCORES)
    got = _drive(nnfast.callbacks.EarlyStopping(monitor="score", **kwargs), nm, _SCORES)
    assert got[0] == ref[0]


@pytest.mark.parametrize("kwargs", [
    dict(patience=1, factor=0.5), dict(patience=2, factor=0.5, cooldown=2),
    dict(patience=1, factor=0.1, min_lr=0.002), dict(patience=1, min_delta=0.3),
    dict(patience=2, mode="max", factor=0.2),
])
def test_reduce_lr_on_plateau_sets_the_same_rates(kwargs):
    keras, km, nm = _models()
    kwargs.setdefault("mode", "min")
    ref = _drive(keras.callbacks.ReduceLROnPlateau(monitor="score", **kwargs), km, _SCORES)
    got = _drive(nnfast.callbacks.ReduceLROnPlateau(monitor="score", **kwargs), nm, _SCORES)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-6)
    assert [l["learning_rate"] for l in got[2]] == pytest.approx(
        [l["learning_rate"] for l in ref[2]], rel=1e-6)


def test_learning_rate_scheduler_sets_the_same_rates():
    keras, km, nm = _models()

    def schedule(epoch, lr):
        return lr * 0.9 if epoch % 2 else lr

    ref = _drive(keras.callbacks.LearningRateScheduler(schedule), km, _SCORES)
    got = _drive(nnfast.callbacks.LearningRateScheduler(schedule), nm, _SCORES)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-6)


def test_csv_logger_writes_the_same_file(tmp_path):
    keras, km, nm = _models()
    for name, module, model in (("k", keras, km), ("n", nnfast, nm)):
        logger = module.callbacks.CSVLogger(str(tmp_path / f"{name}.csv"), separator=";")
        logger.set_model(model)
        logger.on_train_begin({})
        for epoch in range(3):
            logger.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "acc": 0.5,
                                        "vec": np.array([1, 2])})
        logger.on_train_end({})
    assert (tmp_path / "n.csv").read_bytes() == (tmp_path / "k.csv").read_bytes()
