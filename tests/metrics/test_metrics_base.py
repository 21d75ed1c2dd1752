"""Metric base class, Mean, Sum and MeanMetricWrapper."""
import numpy as np
import pytest

import nnfast
from nnfast import metrics
from nnfast.autograd import Tensor, Variable


def test_mean_and_sum_keras_examples():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 4.0
    m.reset_state()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 2.0
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(s.result()) == 4.0
    assert m.name == "mean" and s.name == "sum"


def test_mean_accumulates_across_batches_with_weights(float64):
    r = np.random.default_rng(0)
    m = metrics.Mean()
    values, weights = [], []
    for n in (3, 5, 1):
        v, w = r.normal(size=(n, 4)), r.uniform(0, 2, size=(n,))
        m.update_state(v, sample_weight=w)
        values.append(v.mean(1) * w)
        weights.append(w)
    expected = np.concatenate(values).sum() / np.concatenate(weights).sum()
    np.testing.assert_allclose(m.result(), expected, rtol=1e-12)


def test_mean_with_elementwise_weights(float64):
    v = np.arange(12.0).reshape(3, 4)
    w = np.random.default_rng(1).uniform(0, 1, size=(3, 4))
    m = metrics.Mean()
    m.update_state(v, sample_weight=w)
    expected = np.sum((v * w).mean(1)) / np.sum(w.mean(1))
    np.testing.assert_allclose(m.result(), expected, rtol=1e-12)


def test_result_is_a_0d_tensor_and_empty_mean_is_zero():
    m = metrics.Mean()
    r = m.result()
    assert isinstance(r, Tensor) and r.shape == () and float(r) == 0.0
    assert r.dtype == np.float32
    assert isinstance(r.numpy(), np.ndarray)


def test_variables_reset_and_call():
    m = metrics.Mean(name="loss_tracker")
    assert [v.name for v in m.variables] == ["total", "count"]
    assert all(isinstance(v, Variable) and not v.trainable for v in m.variables)
    assert m.variables[0].path == "loss_tracker/total"
    assert float(m([2.0, 4.0])) == 3.0              # __call__ = update_state + result
    assert float(m([6.0])) == 4.0
    m.reset_states()
    assert float(m.result()) == 0.0
    assert [float(v.numpy()) for v in m.variables] == [0.0, 0.0]


def test_mean_metric_wrapper_with_function_and_kwargs(float64):
    def scaled_error(y_true, y_pred, scale=1.0):
        return scale * np.abs(np.asarray(y_true) - np.asarray(y_pred)).mean(-1)

    m = metrics.MeanMetricWrapper(scaled_error, name="scaled", scale=2.0)
    t, p = np.zeros((4, 3)), np.ones((4, 3))
    m.update_state(t, p, sample_weight=[1, 0, 0, 0])
    assert float(m.result()) == 2.0
    assert m.name == "scaled"
    assert m.get_config()["scale"] == 2.0


def test_mean_metric_wrapper_config_round_trip():
    m = metrics.MeanMetricWrapper(metrics.mean_absolute_error, name="mae_wrapper")
    config = m.get_config()
    assert config == {"name": "mae_wrapper", "dtype": "float32", "fn": "mean_absolute_error"}
    clone = metrics.MeanMetricWrapper.from_config(config)
    assert clone._fn is metrics.mean_absolute_error and clone.name == "mae_wrapper"


def test_mask_on_predictions_is_respected(float64):
    y_pred = nnfast.ops.convert_to_tensor(np.array([[0.0], [1.0], [5.0]]))
    y_pred._keras_mask = np.array([True, True, False])
    m = metrics.MeanAbsoluteError()
    m.update_state(np.zeros((3, 1)), y_pred)
    assert float(m.result()) == pytest.approx(0.5)


def test_keras2_style_subclass_with_add_weight():
    class CountPositives(metrics.Metric):
        def __init__(self, name="count_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.positives = self.add_weight(name="positives", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.positives.assign_add(np.sum(np.asarray(y_pred) > 0.5))

        def result(self):
            return self.positives.numpy()

    m = CountPositives(dtype="float64")
    m.update_state(None, [0.1, 0.7, 0.9])
    m.update_state(None, [0.6])
    assert float(m.result()) == 3.0 and m.dtype == "float64"
    m.reset_state()
    assert float(m.result()) == 0.0
    assert m.get_config() == {"name": "count_positives", "dtype": "float64"}


def test_nested_metrics_share_variables_and_reset():
    class Both(metrics.Metric):
        def __init__(self):
            super().__init__(name="both")
            self.a = metrics.Mean(name="a")
            self.b = metrics.Sum(name="b")

        def update_state(self, values):
            self.a.update_state(values)
            self.b.update_state(values)

        def result(self):
            return float(self.a.result()) + float(self.b.result())

    m = Both()
    assert len(m.variables) == 3
    m.update_state([1.0, 3.0])
    assert m.result() == 6.0
    m.reset_state()
    assert m.result() == 0.0


def test_add_variable_before_super_init_is_an_error():
    class Broken(metrics.Metric):
        def __init__(self):
            self.v = self.add_variable((), name="v")

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_bad_sample_weight_shape_is_reported():
    with pytest.raises(ValueError, match="sample_weight"):
        metrics.Mean().update_state(np.ones((4,)), sample_weight=np.ones((3,)))
