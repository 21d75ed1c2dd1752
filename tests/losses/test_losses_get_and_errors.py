"""`losses.get`/`serialize`/`deserialize`/`resolve_loss`, and bad-input errors."""
import numpy as np
import pytest

from nnfast import losses
from nnfast.saving.serialization import custom_object_scope


@pytest.mark.parametrize("name,fn", [
    ("mse", losses.mean_squared_error), ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error), ("MAE", losses.mean_absolute_error),
    ("mape", losses.mean_absolute_percentage_error),
    ("MAPE", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error),
    ("MSLE", losses.mean_squared_logarithmic_error),
    ("kld", losses.kl_divergence), ("KLD", losses.kl_divergence),
    ("kullback_leibler_divergence", losses.kl_divergence),
    ("logcosh", losses.log_cosh), ("log_cosh", losses.log_cosh),
    ("cosine_proximity", losses.cosine_similarity), ("bce", losses.binary_crossentropy),
    ("binary_crossentropy", losses.binary_crossentropy),
    ("categorical_crossentropy", losses.categorical_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("hinge", losses.hinge), ("squared_hinge", losses.squared_hinge),
    ("categorical_hinge", losses.categorical_hinge), ("poisson", losses.poisson),
    ("huber", losses.huber), ("binary_focal_crossentropy", losses.binary_focal_crossentropy),
])
def test_get_string_gives_the_function(name, fn):
    assert losses.get(name) is fn


def test_get_class_names_dicts_instances_and_callables():
    obj = losses.get("MeanSquaredError")
    assert isinstance(obj, losses.MeanSquaredError)
    obj = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(obj, losses.CategoricalCrossentropy) and obj.from_logits is True
    inst = losses.Huber()
    assert losses.get(inst) is inst
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)

    def custom(y_true, y_pred):
        return y_pred

    assert losses.get(custom) is custom
    assert losses.get(None) is None


def test_keras2_config_with_auto_reduction_loads():
    obj = losses.deserialize({"class_name": "SparseCategoricalCrossentropy",
                              "config": {"reduction": "auto", "name": "scce",
                                         "from_logits": True, "ignore_class": None}})
    assert obj.reduction == "sum_over_batch_size" and obj.name == "scce"


def test_unknown_loss_names_the_identifier():
    with pytest.raises(ValueError, match="Unknown loss function: 'foo'"):
        losses.get("foo")
    with pytest.raises(ValueError, match="Could not interpret loss function identifier: 3"):
        losses.get(3)


def test_custom_objects_are_found():
    def my_loss(y_true, y_pred):
        return y_pred

    with custom_object_scope({"my_loss": my_loss}):
        assert losses.get("my_loss") is my_loss
    assert losses.deserialize("my_loss", custom_objects={"my_loss": my_loss}) is my_loss


def test_serialize_functions_by_name():
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"
    assert losses.serialize(losses.Huber(delta=2.0)) == {
        "class_name": "Huber",
        "config": {"name": "huber_loss", "reduction": "sum_over_batch_size", "delta": 2.0}}


def test_resolve_loss_keeps_the_user_spelling_as_name(float64):
    loss = losses.resolve_loss("mse")
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "mse"
    assert loss.fn is losses.mean_squared_error
    inst = losses.CategoricalCrossentropy()
    assert losses.resolve_loss(inst) is inst
    assert losses.resolve_loss(losses.poisson).name == "poisson"
    assert losses.resolve_loss(None) is None


@pytest.mark.parametrize("ident", ["crossentropy", "ce"])
def test_resolve_loss_crossentropy_picks_by_shape(ident, float64):
    loss = losses.resolve_loss(ident)
    assert loss.name == ident
    r = np.random.default_rng(0)
    p1 = r.uniform(0.1, 0.9, size=(4, 1))
    t1 = r.integers(0, 2, size=(4, 1)).astype(float)
    np.testing.assert_allclose(loss(t1, p1), np.mean(losses.binary_crossentropy(t1, p1)))
    p3 = r.dirichlet(np.ones(3), size=4)
    labels = r.integers(0, 3, size=(4,))
    np.testing.assert_allclose(loss(labels, p3),
                               np.mean(losses.sparse_categorical_crossentropy(labels, p3)))
    onehot = np.eye(3)[labels]
    np.testing.assert_allclose(loss(onehot, p3),
                               np.mean(losses.categorical_crossentropy(onehot, p3)))


# -- errors -----------------------------------------------------------------------------------

def test_categorical_shape_mismatch_names_the_loss_and_shapes():
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(4, 1\).*\(4, 10\)"):
        losses.categorical_crossentropy(np.zeros((4, 1)), np.full((4, 10), 0.1))
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(4, 10\).*\(4, 1\)"):
        losses.CategoricalCrossentropy()(np.zeros((4, 10)), np.full((4, 1), 0.1))
    with pytest.raises(ValueError, match=r"binary_crossentropy.*\(4, 3\).*\(4, 2\)"):
        losses.binary_crossentropy(np.zeros((4, 3)), np.full((4, 2), 0.5))


def test_incompatible_regression_shapes():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(4, 3\).*\(5, 3\)"):
        losses.mean_squared_error(np.zeros((4, 3)), np.zeros((5, 3)))


@pytest.mark.parametrize("bad", [10, -1, 12])
def test_sparse_label_out_of_range(bad):
    labels = np.array([0, 3, bad])
    pattern = rf"sparse_categorical_crossentropy.*\[0, 10\).*10 classes.*{bad}"
    with pytest.raises(ValueError, match=pattern):
        losses.sparse_categorical_crossentropy(labels, np.full((3, 10), 0.1), from_logits=True)
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy"):
        losses.SparseCategoricalCrossentropy()(labels, np.full((3, 10), 0.1))


def test_sparse_label_shape_mismatch():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\(4, 3\).*\(4, 5\)"):
        losses.sparse_categorical_crossentropy(np.zeros((4, 3)), np.full((4, 5), 0.2))


def test_ignored_class_may_be_out_of_range():
    out = losses.sparse_categorical_crossentropy([0, -1], np.full((2, 3), 1 / 3), ignore_class=-1)
    np.testing.assert_allclose(out, [np.log(3), 0.0], rtol=1e-6)


def test_non_numeric_inputs_and_bad_axis():
    with pytest.raises(TypeError, match="mean_squared_error"):
        losses.mean_squared_error(np.array(["a", "b"]), np.zeros(2))
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(np.eye(3), np.eye(3), axis=True)
    with pytest.raises(ValueError, match="axis"):
        losses.binary_crossentropy(np.ones((2, 2)), np.full((2, 2), 0.5), axis=3)


def test_bad_sample_weight_shape():
    with pytest.raises(ValueError, match="sample_weight"):
        losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 3)), sample_weight=np.ones(3))


def test_one_class_categorical_warns_like_keras():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((3, 1)), np.ones((3, 1)))


def test_wrapper_needs_a_callable():
    with pytest.raises(TypeError, match="LossFunctionWrapper"):
        losses.LossFunctionWrapper("mse")


def test_keras3_style_configs_load():
    fn_config = {"module": "keras.losses", "class_name": "function",
                 "config": "mean_squared_error", "registered_name": "function"}
    assert losses.deserialize(fn_config) is losses.mean_squared_error
    wrapper = losses.LossFunctionWrapper.from_config(
        {"name": "w", "reduction": "sum", "fn": fn_config})
    assert wrapper.fn is losses.mean_squared_error
    loss = losses.deserialize({"module": "keras.losses", "class_name": "MeanSquaredError",
                               "config": {"name": "mse_loss", "reduction": "sum_over_batch_size"},
                               "registered_name": None})
    assert isinstance(loss, losses.MeanSquaredError) and loss.name == "mse_loss"
