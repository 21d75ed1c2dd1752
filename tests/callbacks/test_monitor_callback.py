import numpy as np
import pytest

from nnfast.callbacks.monitor_callback import MonitorCallback, infer_mode


@pytest.mark.parametrize("name,mode", [
    ("loss", "min"), ("val_loss", "min"), ("priority_loss", "min"), ("val_mae", "min"),
    ("accuracy", "max"), ("val_acc", "max"), ("val_auc", "max"),
    ("sparse_categorical_accuracy", "max"), ("val_precision", "max"),
])
def test_infer_mode_follows_the_name(name, mode):
    assert infer_mode(name) == mode


def test_min_delta_must_be_exceeded_in_the_improving_direction():
    cb = MonitorCallback(monitor="val_loss", min_delta=0.1)
    assert cb._is_improvement(0.85, 1.0)
    assert not cb._is_improvement(0.95, 1.0)
    up = MonitorCallback(monitor="val_accuracy", min_delta=-0.1)  # the sign is ignored
    assert up._is_improvement(0.75, 0.6)
    assert not up._is_improvement(0.65, 0.6)


def test_baseline_is_the_first_reference():
    cb = MonitorCallback(monitor="loss", baseline=0.5)
    assert cb._initial_best() == 0.5
    assert MonitorCallback(monitor="val_acc")._initial_best() == -np.inf


def test_unknown_mode_warns_and_uses_auto():
    with pytest.warns(UserWarning, match="mode 'sideways' is unknown"):
        cb = MonitorCallback(monitor="val_accuracy", mode="sideways")
    assert cb.mode == "auto"


def test_missing_monitor_warns_with_available_names():
    cb = MonitorCallback(monitor="val_loss")
    with pytest.warns(UserWarning, match="Available metrics are: accuracy,loss"):
        assert cb.get_monitor_value({"loss": 1.0, "accuracy": 0.5}) is None
