"""Regularizers: values equal the formulas, gradients equal the analytic ones."""
import json

import numpy as np
import pytest
from gradcheck import check_vjp

import nnfast
from nnfast import regularizers

W = np.array([[0.5, -1.5, 2.0], [-0.25, 1.0, -3.0]])


@pytest.fixture
def float64():
    nnfast.backend.set_floatx("float64")
    yield
    nnfast.backend.set_floatx("float32")


@pytest.mark.parametrize("reg,value,grad", [
    (regularizers.L1(0.3), 0.3 * np.abs(W).sum(), 0.3 * np.sign(W)),
    (regularizers.L2(0.2), 0.2 * (W**2).sum(), 0.4 * W),
    (regularizers.L1L2(l1=0.1, l2=0.05), 0.1 * np.abs(W).sum() + 0.05 * (W**2).sum(),
     0.1 * np.sign(W) + 0.1 * W),
])
def test_value_and_tape_gradient_match_the_formula(reg, value, grad, float64):
    w = nnfast.Variable(W, name="kernel")
    with nnfast.GradientTape() as tape:
        penalty = reg(w)
    assert isinstance(penalty, nnfast.Tensor) and penalty.shape == ()
    assert float(penalty) == pytest.approx(value)
    (g,) = tape.gradient(penalty, [w])
    np.testing.assert_allclose(np.asarray(g), grad)


@pytest.mark.parametrize("reg", [regularizers.L1(0.3), regularizers.L2(0.2),
                                 regularizers.L1L2(0.1, 0.05),
                                 regularizers.OrthogonalRegularizer(0.5, "rows"),
                                 regularizers.OrthogonalRegularizer(0.5, "columns")])
def test_gradient_matches_finite_differences(reg, float64):
    check_vjp(lambda x: reg(x), [W], as_variables=True)
    check_vjp(lambda x: reg(x), [W])               # on a Tensor (activity regularizer)


def test_value_on_tensor_and_array_and_dtype():
    x = np.ones((2, 2), dtype="float32")
    out = regularizers.L2(0.5)(x)
    assert isinstance(out, nnfast.Tensor) and out.dtype == np.float32
    assert float(out) == 2.0
    zero = regularizers.L1L2()(nnfast.Variable(x))
    assert float(zero) == 0.0


def test_orthogonal_regularizer_value():
    rows = W / np.linalg.norm(W, axis=1, keepdims=True)
    gram = rows @ rows.T
    expected = 0.5 * 0.5 * np.abs(gram - np.diag(np.diag(gram))).sum() / 1.0
    assert float(regularizers.OrthogonalRegularizer(0.5)(W)) == pytest.approx(expected, rel=1e-6)
    cols = W / np.linalg.norm(W, axis=0, keepdims=True)
    gram = cols.T @ cols
    expected = 0.1 * 0.5 * np.abs(gram - np.diag(np.diag(gram))).sum() / 3.0
    got = regularizers.OrthogonalRegularizer(0.1, mode="columns")(W)
    assert float(got) == pytest.approx(expected, rel=1e-6)
    eye = regularizers.OrthogonalRegularizer(1.0)(np.eye(3))
    assert float(eye) == pytest.approx(0.0, abs=1e-7)
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones(3))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


def test_aliases_get_serialize_deserialize():
    assert regularizers.l2 is regularizers.L2 and regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.l2(0.5).l2 == 0.5
    assert regularizers.l2(l=0.25).l2 == 0.25          # Keras 2 spelling
    assert regularizers.l1(l=0.5).l1 == 0.5
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get("L1").l1 == 0.01
    assert isinstance(regularizers.get("orthogonal_regularizer"),
                      regularizers.OrthogonalRegularizer)
    reg = regularizers.L1L2(l1=0.1, l2=0.2)
    assert regularizers.get(reg) is reg
    config = json.loads(json.dumps(regularizers.serialize(reg)))
    assert config == {"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}}
    clone = regularizers.deserialize(config)
    assert isinstance(clone, regularizers.L1L2) and clone.get_config() == reg.get_config()
    assert regularizers.get(None) is None
    assert regularizers.get(lambda x: 0.0)(None) == 0.0


def test_errors():
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 'l3'"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="Invalid value for argument l2"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="Invalid value for argument l1"):
        regularizers.L1(float("nan"))
    with pytest.raises(TypeError, match="unexpected argument"):
        regularizers.L2(l3=1.0)
    with pytest.raises(ValueError, match="Unknown regularizer"):
        regularizers.deserialize({"class_name": "L3", "config": {}})
