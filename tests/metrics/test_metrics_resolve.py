"""`resolve_metric` (compile's rules and log names) and metrics get/serialize/deserialize."""
import numpy as np
import pytest

from nnfast import losses, metrics

N = 6


def shapes(t_shape, p_shape):
    return np.zeros(t_shape), np.zeros(p_shape)


@pytest.mark.parametrize("ident", ["accuracy", "acc", "Accuracy", "ACC"])
@pytest.mark.parametrize("t_shape,p_shape,expected", [
    ((N, 1), (N, 1), metrics.BinaryAccuracy),
    ((N,), (N, 1), metrics.BinaryAccuracy),
    ((N, 1), (N, 5), metrics.SparseCategoricalAccuracy),
    ((N,), (N, 5), metrics.SparseCategoricalAccuracy),
    ((N, 7), (N, 7, 5), metrics.SparseCategoricalAccuracy),
    ((N, 5), (N, 5), metrics.CategoricalAccuracy),
])
def test_accuracy_resolves_by_shape_and_keeps_the_name(ident, t_shape, p_shape, expected):
    y_true, y_pred = shapes(t_shape, p_shape)
    m = metrics.resolve_metric(ident, y_true=y_true, y_pred=y_pred)
    assert type(m) is expected
    assert m.name == ident


@pytest.mark.parametrize("loss,expected", [
    ("binary_crossentropy", metrics.BinaryAccuracy),
    (losses.binary_crossentropy, metrics.BinaryAccuracy),
    (losses.BinaryCrossentropy(from_logits=True), metrics.BinaryAccuracy),
    (losses.LossFunctionWrapper(losses.binary_crossentropy), metrics.BinaryAccuracy),
    (losses.BinaryFocalCrossentropy(), metrics.BinaryAccuracy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
    (losses.SparseCategoricalCrossentropy(from_logits=True), metrics.SparseCategoricalAccuracy),
    (losses.resolve_loss("sparse_categorical_crossentropy"), metrics.SparseCategoricalAccuracy),
    ("categorical_crossentropy", metrics.CategoricalAccuracy),
    ("mse", metrics.CategoricalAccuracy),
])
def test_accuracy_follows_the_loss(loss, expected):
    # (N, 5) vs (N, 5) alone would mean categorical: the loss decides first.
    y_true, y_pred = shapes((N, 5), (N, 5))
    m = metrics.resolve_metric("accuracy", loss=loss, y_true=y_true, y_pred=y_pred)
    assert type(m) is expected and m.name == "accuracy"


def test_resolved_accuracy_computes_the_right_thing():
    labels = np.array([0, 2, 1, 1])
    p = np.array([[0.8, 0.1, 0.1], [0.1, 0.2, 0.7], [0.5, 0.4, 0.1], [0.2, 0.7, 0.1]])
    m = metrics.resolve_metric("acc", loss="sparse_categorical_crossentropy", y_true=labels,
                               y_pred=p)
    m.update_state(labels, p)
    assert float(m.result()) == 0.75


@pytest.mark.parametrize("ident", ["crossentropy", "ce"])
@pytest.mark.parametrize("t_shape,p_shape,fn", [
    ((N, 1), (N, 1), losses.binary_crossentropy),
    ((N,), (N, 4), losses.sparse_categorical_crossentropy),
    ((N, 4), (N, 4), losses.categorical_crossentropy),
])
def test_crossentropy_resolves_by_shape(ident, t_shape, p_shape, fn):
    y_true, y_pred = shapes(t_shape, p_shape)
    m = metrics.resolve_metric(ident, y_true=y_true, y_pred=y_pred)
    assert isinstance(m, metrics.MeanMetricWrapper) and m._fn is fn and m.name == ident


@pytest.mark.parametrize("ident,cls", [
    ("mse", metrics.MeanSquaredError), ("MSE", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("mape", metrics.MeanAbsolutePercentageError), ("msle", metrics.MeanSquaredLogarithmicError),
    ("auc", metrics.AUC), ("AUC", metrics.AUC), ("precision", metrics.Precision),
    ("Recall", metrics.Recall), ("binary_accuracy", metrics.BinaryAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
    ("kld", metrics.KLDivergence), ("logcosh", metrics.LogCoshError),
    ("categorical_crossentropy", metrics.CategoricalCrossentropy),
    ("root_mean_squared_error", metrics.RootMeanSquaredError),
])
def test_strings_resolve_to_classes_named_as_written(ident, cls):
    m = metrics.resolve_metric(ident)
    assert type(m) is cls and m.name == ident


def test_loss_function_names_without_a_metric_class_are_wrapped():
    m = metrics.resolve_metric("huber")
    assert isinstance(m, metrics.MeanMetricWrapper) and m._fn is losses.huber
    assert m.name == "huber"
    m.update_state([[0.0, 0.0]], [[0.5, 3.0]])
    assert float(m.result()) == pytest.approx((0.125 + 2.5) / 2)


def test_functions_instances_classes_and_loss_objects():
    m = metrics.resolve_metric(metrics.sparse_top_k_categorical_accuracy)
    assert isinstance(m, metrics.MeanMetricWrapper)
    assert m.name == "sparse_top_k_categorical_accuracy"

    def my_metric(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred))

    assert metrics.resolve_metric(my_metric).name == "my_metric"
    inst = metrics.AUC(name="my_auc")
    assert metrics.resolve_metric(inst) is inst and inst.name == "my_auc"
    assert type(metrics.resolve_metric(metrics.Precision)) is metrics.Precision
    m = metrics.resolve_metric(losses.MeanAbsoluteError(name="l1"))
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "l1"
    m.update_state([[1.0], [2.0]], [[2.0], [2.0]])
    assert float(m.result()) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="None"):
        metrics.resolve_metric(None)


def test_resolve_unknown_name():
    with pytest.raises(ValueError, match="Unknown metric function: 'foo'"):
        metrics.resolve_metric("foo")


def test_get_serialize_deserialize():
    assert metrics.get("binary_focal_crossentropy") is losses.binary_focal_crossentropy
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get(metrics.AUC), metrics.AUC)
    assert metrics.get(metrics.accuracy) is metrics.accuracy
    assert metrics.get(None) is None
    m = metrics.get({"class_name": "AUC", "config": {"num_thresholds": 5, "curve": "PR"}})
    assert isinstance(m, metrics.AUC) and m.num_thresholds == 5 and m.curve == "PR"
    with pytest.raises(ValueError, match="Unknown metric function: 'foo'"):
        metrics.get("foo")
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get(42)
    assert metrics.serialize(metrics.binary_accuracy) == "binary_accuracy"
    config = metrics.serialize(metrics.BinaryAccuracy(threshold=0.3))
    assert config == {"class_name": "BinaryAccuracy",
                      "config": {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}}
    clone = metrics.deserialize(config)
    assert isinstance(clone, metrics.BinaryAccuracy) and clone.threshold == 0.3
    wrapper = metrics.deserialize(metrics.serialize(
        metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, name="top3", k=3)))
    assert wrapper._fn is metrics.top_k_categorical_accuracy and wrapper._fn_kwargs == {"k": 3}


def test_keras3_style_metric_config_loads():
    config = {"name": "acc", "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                       "config": {"name": "float32"}, "registered_name": None},
              "fn": {"module": "keras.src.metrics.accuracy_metrics", "class_name": "function",
                     "config": "categorical_accuracy", "registered_name": "function"}}
    m = metrics.MeanMetricWrapper.from_config(config)
    assert m._fn is metrics.categorical_accuracy and m.dtype == "float32" and m.name == "acc"
