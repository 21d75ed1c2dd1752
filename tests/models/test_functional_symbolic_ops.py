"""Python operators and nnfast.ops on symbolic tensors inside functional models."""
import json

import numpy as np
import pytest

import nnfast as keras
from nnfast import layers, ops


def _model():
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    h = a + 2.0 * b
    h = h @ np.ones((4, 3), "float32")
    h = ops.concatenate([h, a[:, :2]], axis=-1)
    h = -h / 2.0
    out = layers.Dense(1, kernel_initializer="ones", use_bias=False)(ops.relu(h) - 1.0)
    return keras.Model([a, b], out)


def _reference(xa, xb):
    h = -np.concatenate([(xa + 2 * xb) @ np.ones((4, 3)), xa[:, :2]], -1) / 2
    return (np.maximum(h, 0) - 1.0).sum(-1, keepdims=True)


def test_operators_and_ops_build_a_model_that_runs(rng):
    model = _model()
    assert model.output_shape == (None, 1)
    xa = rng.normal(size=(5, 4)).astype("float32")
    xb = rng.normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), _reference(xa, xb), rtol=1e-5)


def test_op_nodes_train_and_round_trip_through_config(rng):
    model = _model()
    model.compile("sgd", "mse")
    xa = rng.normal(size=(8, 4)).astype("float32")
    xb = rng.normal(size=(8, 4)).astype("float32")
    model.fit([xa, xb], np.zeros((8, 1)), verbose=0)   # gradients flow through op nodes
    names = [l.name for l in model.layers]
    assert any(n.startswith("matmul") for n in names) and any(n.startswith("getitem") for n in names)
    config = json.loads(json.dumps(keras.layers.serialize(model.get_layer(
        [n for n in names if n.startswith("getitem")][0]))))
    restored = keras.layers.deserialize(config)
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(restored([x]), x[:, :2])


def test_an_unknown_op_in_a_config_is_a_clear_error():
    from nnfast.models.symbolic_ops import OpLayer

    layer = OpLayer.from_config({"name": "evil", "op": "__import__", "args": ["__keras_tensor__"],
                                 "kwargs": {}})
    with pytest.raises(ValueError, match="unknown op '__import__'"):
        layer([np.zeros((1, 2), "float32")])


def test_ops_on_arrays_are_unchanged():
    np.testing.assert_array_equal(ops.add(np.ones(2), np.ones(2)), [2.0, 2.0])
    assert ops.add.__name__ == "add"
