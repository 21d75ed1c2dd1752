"""ReduceLROnPlateau and LearningRateScheduler change `model.optimizer.learning_rate`."""
import math

import numpy as np
import pytest

import nnfast
from nnfast.callbacks import LearningRateScheduler, ReduceLROnPlateau

import cb_helpers as h


def _fit_with(callback, scores, lr=0.1):
    x, y = h.data(20)
    m = h.model(optimizer=nnfast.optimizers.SGD(learning_rate=lr))
    rec = h.WeightsAtEpochEnd()          # after the callback: sees the reduced rate
    hist = m.fit(x, y, epochs=len(scores), verbose=0,
                 callbacks=[h.InjectMetric("score", scores), callback, rec])
    return m, rec, hist


def test_reduce_lr_after_patience_with_cooldown_and_min_lr():
    scores = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    cb = ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, cooldown=2)
    m, rec, hist = _fit_with(cb, scores)
    # Reductions at epochs 2 and 5: the cooldown's first epoch counts for nothing, its
    # last one (the counter reaching 0) already counts towards patience, as in Keras.
    expected = [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025]
    np.testing.assert_allclose(rec.lrs, expected, rtol=1e-6)
    # The logged rate is the one the epoch trained with (before that epoch's reduction).
    np.testing.assert_allclose(hist.history["learning_rate"],
                               [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025], rtol=1e-6)
    assert hist.history["lr"] == hist.history["learning_rate"]     # Keras 2 key
    scores2 = [1.0] * 12
    m, rec, _ = _fit_with(ReduceLROnPlateau(monitor="score", factor=0.1, patience=1,
                                            min_lr=0.005), scores2)
    assert rec.lrs[-1] == pytest.approx(0.005)
    assert float(np.asarray(m.optimizer.learning_rate)) == pytest.approx(0.005)


def test_improvements_reset_the_wait_and_min_delta_counts():
    cb = ReduceLROnPlateau(monitor="score", factor=0.5, patience=1, min_delta=0.1)
    # 0.95 improves by less than min_delta -> reduce at epoch 1; 0.5 improves -> none at 2.
    _, rec, _ = _fit_with(cb, [1.0, 0.95, 0.5, 0.3])
    np.testing.assert_allclose(rec.lrs, [0.1, 0.05, 0.05, 0.05], rtol=1e-6)
    up = ReduceLROnPlateau(monitor="score", mode="max", factor=0.5, patience=1)
    _, rec, _ = _fit_with(up, [0.1, 0.2, 0.1, 0.3])
    np.testing.assert_allclose(rec.lrs, [0.1, 0.1, 0.05, 0.05], rtol=1e-6)


def test_reduce_lr_keras2_epsilon_and_bad_factor():
    with pytest.warns(DeprecationWarning, match="epsilon"):
        cb = ReduceLROnPlateau(epsilon=0.25)
    assert cb.min_delta == 0.25
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)


def test_reduce_lr_verbose_and_missing_monitor(capsys):
    cb = ReduceLROnPlateau(monitor="score", factor=0.5, patience=1, verbose=1)
    _fit_with(cb, [1.0, 1.0])
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05" in capsys.readouterr().out
    x, y = h.data(20)
    with pytest.warns(UserWarning, match="conditioned on metric `val_loss`"):
        h.model().fit(x, y, epochs=1, verbose=0, callbacks=[ReduceLROnPlateau()])


def test_scheduler_with_epoch_and_lr():
    cb = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    _, rec, hist = _fit_with(cb, [0.0] * 4)
    np.testing.assert_allclose(rec.lrs, [0.1, 0.05, 0.025, 0.0125], rtol=1e-6)
    np.testing.assert_allclose(hist.history["learning_rate"], rec.lrs, rtol=1e-6)


def test_scheduler_keras2_one_argument_form_and_verbose(capsys):
    def schedule(epoch):
        return 0.01 * (epoch + 1)

    _, rec, _ = _fit_with(LearningRateScheduler(schedule, verbose=1), [0.0] * 3)
    np.testing.assert_allclose(rec.lrs, [0.01, 0.02, 0.03], rtol=1e-6)
    assert "Epoch 3: LearningRateScheduler setting learning rate to 0.03." in \
        capsys.readouterr().out


def test_scheduler_keras_docstring_example():
    def scheduler(epoch, lr):
        return lr if epoch < 10 else lr * math.exp(-0.1)

    m = nnfast.Sequential([nnfast.layers.Dense(10)])
    m.compile(nnfast.optimizers.SGD(), loss="mse")
    with np.errstate(all="ignore"):
        m.fit(np.arange(100).reshape(5, 20), np.zeros(5), epochs=15, batch_size=1, verbose=0,
              callbacks=[LearningRateScheduler(scheduler)])
    assert round(float(np.asarray(m.optimizer.learning_rate)), 5) == 0.00607


def test_scheduler_must_return_a_float():
    x, y = h.data(20)
    with pytest.raises(ValueError, match="should be a float. Got: 'fast'"):
        h.model().fit(x, y, epochs=1, verbose=0,
                      callbacks=[LearningRateScheduler(lambda epoch: "fast")])
    with pytest.raises(TypeError, match="must be callable"):
        LearningRateScheduler(0.1)
