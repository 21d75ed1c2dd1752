import numpy as np
import pytest

import nnfast
from nnfast.callbacks import EarlyStopping

import cb_helpers as h


def _fit(scores, epochs=None, **kwargs):
    x, y = h.data(20)
    m = h.model()
    rec = h.WeightsAtEpochEnd()
    es = EarlyStopping(monitor="score", **kwargs)
    hist = m.fit(x, y, batch_size=10, epochs=epochs or len(scores), verbose=0,
                 callbacks=[h.InjectMetric("score", scores), rec, es])
    return m, rec, es, hist


def test_stops_after_patience_and_restores_the_best_epochs_weights():
    scores = [5.0, 3.0, 4.0, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 3.1]
    m, rec, es, hist = _fit(scores, patience=2, restore_best_weights=True)
    # Best at epoch 3; epochs 4 and 5 do not improve -> stop at the end of epoch 5.
    assert len(hist.history["loss"]) == 6
    assert es.stopped_epoch == 5 and es.best == 2.5 and es.best_epoch == 3
    h.assert_weights_equal(m.get_weights(), rec.weights[3])
    assert not np.array_equal(m.get_weights()[0], rec.weights[5][0])


def test_without_restore_the_last_weights_stay():
    m, rec, es, hist = _fit([1.0, 2.0, 3.0, 4.0], patience=1)
    assert len(hist.history["loss"]) == 2
    h.assert_weights_equal(m.get_weights(), rec.weights[-1])


def test_min_delta_mode_max_and_patience_zero():
    # Gains of 0.05 do not beat min_delta=0.1: the second epoch already stops.
    _, _, es, hist = _fit([0.5, 0.55, 0.6, 0.9], mode="max", min_delta=0.1)
    assert len(hist.history["loss"]) == 2 and es.stopped_epoch == 1
    # "auto" infers max from an accuracy-like name.
    es = EarlyStopping(monitor="val_accuracy")
    es.set_model(h.model())
    es._set_monitor_op()
    assert es.monitor_op is np.greater


def test_baseline_must_be_beaten_to_reset_patience():
    scores = [3.0, 2.5, 2.6, 2.7, 2.8, 2.9]
    # Without a baseline, patience counts from the best epoch (1): stop at epoch 4.
    assert _fit(scores, patience=3)[2].stopped_epoch == 4
    # With one never beaten, improvements do not reset the count: stop at epoch 2.
    m, rec, es, hist = _fit(scores, baseline=1.0, patience=3, restore_best_weights=True)
    assert len(hist.history["loss"]) == 3 and es.stopped_epoch == 2
    # The best epoch is restored even though it never beat the baseline.
    assert es.best_epoch == 1
    h.assert_weights_equal(m.get_weights(), rec.weights[1])


def test_start_from_epoch_ignores_warm_up_epochs():
    _, _, es, hist = _fit([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], start_from_epoch=3, patience=1)
    # Epoch 3 is the first monitored (best), epoch 4 fails -> stop after 5 epochs.
    assert len(hist.history["loss"]) == 5 and es.stopped_epoch == 4


def test_keras_docstring_example_runs_four_epochs():
    m = nnfast.Sequential([nnfast.layers.Dense(10)])
    m.compile(nnfast.optimizers.SGD(), loss="mse")
    with np.errstate(all="ignore"):
        hist = m.fit(np.arange(100).reshape(5, 20), np.zeros(5), epochs=10, batch_size=1,
                     callbacks=[EarlyStopping(monitor="loss", patience=3)], verbose=0)
    assert len(hist.history["loss"]) == 4


def test_reused_instance_resets_between_fits():
    x, y = h.data(20)
    m = h.model()
    es = EarlyStopping(monitor="score", patience=0)
    for _ in range(2):
        hist = m.fit(x, y, epochs=5, verbose=0,
                     callbacks=[h.InjectMetric("score", [3.0, 2.0, 2.5, 1.0, 0.5]), es])
        assert len(hist.history["loss"]) == 3


def test_verbose_messages_and_missing_monitor(capsys):
    _fit([1.0, 2.0, 3.0], patience=0, verbose=1, restore_best_weights=True)
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out
    x, y = h.data(20)
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `nope`"):
        hist = h.model().fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping("nope")])
    assert len(hist.history["loss"]) == 2
