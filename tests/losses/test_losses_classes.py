"""Loss classes: reductions, sample weights, Keras's documented numbers, configs, errors."""
import numpy as np
import pytest

from nnfast import losses
from nnfast.autograd import Tensor

EPS = 1e-7


def rng(seed=0):
    return np.random.default_rng(seed)


def ref_reduce(values, weight, reduction):
    """The reductions as plain NumPy (per-sample weights spread over trailing axes)."""
    v = values
    if weight is not None:
        w = np.asarray(weight, dtype="float64")
        if w.ndim == v.ndim + 1 and w.shape[-1] == 1:
            w = w[..., 0]
        w = w.reshape(w.shape + (1,) * (v.ndim - w.ndim))
        v = v * w
    if reduction in ("none", None):
        return v
    if reduction == "sum":
        return v.sum()
    if reduction == "mean_with_sample_weight" and weight is not None:
        return v.sum() / np.sum(weight)
    return v.sum() / v.size


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean", "none", None,
                                       "mean_with_sample_weight", "auto"])
@pytest.mark.parametrize("weight_shape", [None, (6,), (6, 1), (6, 4)])
def test_reductions_and_sample_weights(reduction, weight_shape, float64):
    t = rng(1).normal(size=(6, 4, 3))
    p = rng(2).normal(size=(6, 4, 3))
    sw = None if weight_shape is None else rng(3).uniform(0, 2, size=weight_shape)
    out = losses.MeanSquaredError(reduction=reduction)(t, p, sample_weight=sw)
    assert isinstance(out, Tensor)
    expected_reduction = "sum_over_batch_size" if reduction == "auto" else reduction
    expected = ref_reduce(np.mean((t - p) ** 2, -1), sw, expected_reduction)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_reduced_loss_is_a_scalar_of_the_loss_dtype():
    out = losses.MeanSquaredError()(np.ones((4, 2)), np.zeros((4, 2), dtype="float32"))
    assert out.shape == () and out.dtype == np.float32
    assert float(out) == pytest.approx(1.0)


def test_keras_documented_values():
    mse = losses.MeanSquaredError()
    assert float(mse([1.0, 0.0, 1.0], [0.9, 0.1, 0.8])) == pytest.approx(0.02, rel=1e-5)
    y_true = np.array([[0, 1], [0, 0]])
    y_pred = np.array([[-18.6, 0.51], [2.94, -12.8]])
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert float(bce(y_true, y_pred)) == pytest.approx(0.8654, abs=1e-4)
    assert float(bce(y_true, y_pred, sample_weight=[0.8, 0.2])) == pytest.approx(0.243, abs=1e-3)
    assert float(losses.BinaryCrossentropy(from_logits=True, reduction="sum")(
        y_true, y_pred)) == pytest.approx(1.730, abs=1e-3)
    np.testing.assert_allclose(losses.BinaryCrossentropy(from_logits=True, reduction=None)(
        y_true, y_pred), [0.235, 1.496], atol=1e-3)
    focal = losses.BinaryFocalCrossentropy(gamma=3, from_logits=True)
    assert float(focal(y_true, y_pred)) == pytest.approx(0.647, abs=1e-3)
    assert float(focal(y_true, y_pred, sample_weight=[0.8, 0.2])) == pytest.approx(0.133, abs=1e-3)
    balanced = losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=5,
                                              from_logits=True, reduction=None)
    np.testing.assert_allclose(balanced(y_true, y_pred), [0.0004, 0.8670], atol=1e-4)
    y_true = [[0, 1, 0], [0, 0, 1]]
    y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    cce = losses.CategoricalCrossentropy()
    assert float(cce(y_true, y_pred)) == pytest.approx(1.177, abs=1e-3)
    assert float(cce(y_true, y_pred, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(
        0.814, abs=1e-3)
    scce = losses.SparseCategoricalCrossentropy(reduction=None)
    np.testing.assert_allclose(scce([1, 2], y_pred), [0.0513, 2.303], atol=1e-3)


def test_ignore_class_mean_runs_over_valid_entries(float64):
    labels = np.array([[0, 1, 255], [2, 255, 255]])
    p = rng(4).normal(size=(2, 3, 3))
    per = losses.sparse_categorical_crossentropy(labels, p, from_logits=True, ignore_class=255)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255)
    np.testing.assert_allclose(loss(labels, p), np.sum(per) / 3)
    sw = np.array([1.0, 3.0])
    expected = (per[0].sum() + 3 * per[1].sum()) / 3
    np.testing.assert_allclose(loss(labels, p, sample_weight=sw), expected)
    summed = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255,
                                                  reduction="sum")
    np.testing.assert_allclose(summed(labels, p), np.sum(per))


def test_loss_dtype_casts_predictions():
    loss = losses.MeanAbsoluteError(dtype="float64")
    out = loss(np.ones(3, dtype="float32"), np.zeros(3, dtype="float32"))
    assert out.dtype == np.float64 and loss.dtype == "float64"


ALL_CLASSES = [
    (losses.MeanSquaredError, {}), (losses.MeanAbsoluteError, {}),
    (losses.MeanAbsolutePercentageError, {}), (losses.MeanSquaredLogarithmicError, {}),
    (losses.Hinge, {}), (losses.SquaredHinge, {}), (losses.CategoricalHinge, {}),
    (losses.KLDivergence, {}), (losses.Poisson, {}), (losses.LogCosh, {}),
    (losses.CosineSimilarity, {"axis": 0}), (losses.Huber, {"delta": 0.5}),
    (losses.BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.1}),
    (losses.BinaryFocalCrossentropy, {"gamma": 3.0, "apply_class_balancing": True}),
    (losses.CategoricalCrossentropy, {"from_logits": True, "label_smoothing": 0.2}),
    (losses.SparseCategoricalCrossentropy, {"from_logits": True, "ignore_class": 0}),
]


@pytest.mark.parametrize("cls,kwargs", ALL_CLASSES, ids=[c[0].__name__ for c in ALL_CLASSES])
def test_config_round_trip_and_serialization(cls, kwargs):
    loss = cls(reduction="sum", name="my_loss", **kwargs)
    config = loss.get_config()
    assert config["name"] == "my_loss" and config["reduction"] == "sum"
    for key, value in kwargs.items():
        assert config[key] == value
    assert "fn" not in config
    clone = cls.from_config(config)
    assert clone.get_config() == config
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is cls and again.get_config() == config


@pytest.mark.parametrize("cls,kwargs", ALL_CLASSES, ids=[c[0].__name__ for c in ALL_CLASSES])
def test_class_equals_its_function_mean(cls, kwargs, float64):
    shape = (5, 4)
    if cls is losses.SparseCategoricalCrossentropy:
        t = rng(1).integers(0, 4, size=(5,))
    else:
        t = rng(1).integers(0, 2, size=shape).astype("float64")
    p = rng(2).uniform(0.1, 0.9, size=shape)
    loss = cls(**kwargs)
    per_sample = loss.fn(t, p, **loss._fn_kwargs)
    if getattr(per_sample, "_keras_mask", None) is not None:
        expected = np.sum(per_sample) / np.count_nonzero(per_sample._keras_mask)
    else:
        expected = np.mean(per_sample)
    np.testing.assert_allclose(loss(t, p), expected, rtol=1e-12)


def test_loss_function_wrapper_config_and_kwargs(float64):
    wrapper = losses.LossFunctionWrapper(losses.huber, name="h", reduction="sum", delta=0.3)
    config = wrapper.get_config()
    assert config == {"name": "h", "reduction": "sum", "fn": "huber", "delta": 0.3}
    clone = losses.LossFunctionWrapper.from_config(config)
    assert clone.fn is losses.huber
    t, p = rng(1).normal(size=(3, 2)), rng(2).normal(size=(3, 2))
    np.testing.assert_allclose(clone(t, p), np.sum(losses.huber(t, p, delta=0.3)))


def test_reduction_constants_and_validation():
    R = losses.Reduction
    assert (R.AUTO, R.NONE, R.SUM, R.SUM_OVER_BATCH_SIZE) == (
        "auto", "none", "sum", "sum_over_batch_size")
    assert losses.MeanSquaredError(reduction=R.AUTO).reduction == "sum_over_batch_size"
    R.validate("sum")
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        R.validate("avg")
    with pytest.raises(ValueError, match=r"reduction.*Received: reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")


def test_default_names():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.Huber().name == "huber_loss"
    assert losses.LogCosh().name == "log_cosh"
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"


def test_subclassing_loss_with_call():
    class Quadratic(losses.Loss):
        def call(self, y_true, y_pred):
            return np.mean((y_pred - y_true) ** 2, axis=-1)

    q = Quadratic(reduction="sum")
    assert q.name.startswith("quadratic")
    assert float(q(np.zeros((2, 2)), np.ones((2, 2)))) == pytest.approx(2.0)
    with pytest.raises(NotImplementedError, match="Bare"):
        type("Bare", (losses.Loss,), {})()(np.zeros(2), np.zeros(2))
