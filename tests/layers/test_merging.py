"""Merge layers: values against NumPy, shape inference, masks and errors."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers


@pytest.fixture
def xs(rng):
    return [rng.normal(size=(3, 4)).astype("float32") for _ in range(3)]


@pytest.mark.parametrize("layer,formula", [
    (layers.Add, lambda a: a[0] + a[1] + a[2]),
    (layers.Multiply, lambda a: a[0] * a[1] * a[2]),
    (layers.Average, lambda a: (a[0] + a[1] + a[2]) / 3),
    (layers.Maximum, lambda a: np.maximum(np.maximum(a[0], a[1]), a[2])),
    (layers.Minimum, lambda a: np.minimum(np.minimum(a[0], a[1]), a[2])),
])
def test_elementwise_merges_equal_numpy(layer, formula, xs):
    np.testing.assert_allclose(layer()(xs), formula(xs), rtol=1e-6)


def test_subtract_takes_exactly_two(xs):
    np.testing.assert_allclose(layers.subtract(xs[:2]), xs[0] - xs[1])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()(xs)


def test_concatenate_and_functional_forms(xs):
    np.testing.assert_array_equal(layers.concatenate(xs[:2]), np.concatenate(xs[:2], -1))
    np.testing.assert_array_equal(layers.Concatenate(axis=0)(xs[:2]), np.concatenate(xs[:2], 0))
    a, b = keras.Input((4,)), keras.Input((6,))
    assert layers.concatenate([a, b]).shape == (None, 10)
    assert layers.add([a, keras.Input((1,))]).shape == (None, 4)


def test_dot_matches_batched_products(rng):
    a = rng.normal(size=(5, 4)).astype("float32")
    b = rng.normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(layers.Dot(axes=1)([a, b]), np.sum(a * b, 1, keepdims=True), rtol=1e-5)
    cos = layers.Dot(axes=1, normalize=True)([a, b])
    ref = np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(cos[:, 0], ref, rtol=1e-5)
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    y = rng.normal(size=(2, 5, 4)).astype("float32")
    np.testing.assert_allclose(layers.Dot(axes=(2, 2))([x, y]), np.einsum("bik,bjk->bij", x, y),
                               rtol=1e-5)
    assert layers.Dot(axes=(2, 2)).compute_output_shape([(None, 3, 4), (None, 5, 4)]) == (None, 3, 5)


def test_mismatched_shapes_raise_naming_the_layer():
    a, b = keras.Input((4,)), keras.Input((5,))
    with pytest.raises(ValueError, match=r"Add layer 'bad_add'.*incompatible shapes.*\(None, 4\).*\(None, 5\)"):
        layers.Add(name="bad_add")([a, b])
    c, d = keras.Input((2, 3)), keras.Input((4, 5))
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.concatenate([c, d])
    with pytest.raises(ValueError, match="on a list of inputs"):
        layers.Add()(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="Dot .*incompatible input shapes"):
        layers.Dot(axes=1)([np.ones((2, 3), "float32"), np.ones((2, 4), "float32")])


def test_merge_masks_are_anded():
    x = np.ones((2, 3, 4), "float32")
    m1 = np.array([[1, 1, 0], [1, 0, 1]], bool)
    m2 = np.array([[1, 0, 1], [1, 1, 1]], bool)
    add = layers.Add()
    np.testing.assert_array_equal(add.compute_mask([x, x], [m1, m2]), m1 & m2)
    assert add.compute_mask([x, x], [None, None]) is None
    cat = layers.Concatenate()
    np.testing.assert_array_equal(cat.compute_mask([x, x], [m1, None]), m1)


def test_merge_gradients_flow_to_all_inputs(rng):
    from nnfast.autograd import GradientTape, Variable

    a = Variable(rng.normal(size=(2, 3)))
    b = Variable(rng.normal(size=(2, 3)))
    with GradientTape() as tape:
        out = layers.Multiply()([a, b]) + layers.Concatenate()([a, b]).sum()
        s = out.sum()
    ga, gb = tape.gradient(s, [a, b])
    # the concatenated sum is a scalar broadcast over the 6 products: d/da = b + 6
    np.testing.assert_allclose(ga, b.numpy() + 6, rtol=1e-5)
    np.testing.assert_allclose(gb, a.numpy() + 6, rtol=1e-5)
