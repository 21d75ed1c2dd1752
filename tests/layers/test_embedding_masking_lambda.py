"""Embedding, Masking and Lambda; masks flowing through the functional graph."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers, ops
from nnfast.autograd import GradientTape


def test_embedding_looks_up_rows_and_masks_zero():
    emb = layers.Embedding(10, 3, mask_zero=True)
    ids = np.array([[1, 2, 0], [9, 0, 0]])
    out = emb(ids)
    table = emb.embeddings.numpy()
    np.testing.assert_array_equal(out, table[ids])
    np.testing.assert_array_equal(out._keras_mask, ids != 0)
    assert layers.Embedding(10, 3)(ids).__dict__.get("_keras_mask") is None


def test_embedding_gradient_accumulates_repeated_ids():
    emb = layers.Embedding(5, 2)
    ids = np.array([[1, 1, 3]])
    with GradientTape() as tape:
        s = ops.sum(emb(ids))
    g = tape.gradient(s, emb.embeddings)
    np.testing.assert_array_equal(g[:, 0], [0, 2, 0, 1, 0])


def test_embedding_bad_ids_and_args():
    emb = layers.Embedding(5, 2, name="words")
    with pytest.raises(ValueError, match=r"Embedding 'words'.*\[0, input_dim=5\).*7"):
        emb(np.array([[1, 7]]))
    with pytest.raises(TypeError, match="integer ids"):
        emb(np.array([[0.5]]))
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(5, 0)


def test_embedding_keras2_input_length_sets_input_shape():
    model = keras.Sequential([layers.Embedding(20, 4, input_length=6), layers.Flatten()])
    assert model.output_shape == (None, 24)
    assert layers.Embedding(20, 4, input_length=6).get_config()["input_length"] == 6


def test_masking_zeroes_padded_steps_and_sets_mask():
    x = np.ones((2, 3, 2), "float32")
    x[0, 1] = 0.0
    out = layers.Masking(0.0)(x)
    np.testing.assert_array_equal(out._keras_mask, [[True, False, True], [True, True, True]])
    np.testing.assert_array_equal(out[0, 1], [0, 0])


def test_mask_reaches_a_layer_that_takes_one():
    seen = {}

    class Probe(layers.Layer):
        def call(self, inputs, mask=None):
            seen["mask"] = mask
            return inputs

    ids = keras.Input((4,), dtype="int32")
    out = Probe()(layers.Dense(2)(layers.Embedding(6, 3, mask_zero=True)(ids)))
    keras.Model(ids, out)(np.array([[1, 2, 0, 0]]))
    np.testing.assert_array_equal(seen["mask"], [[True, True, False, False]])


def test_lambda_runs_function_with_arguments_and_shape():
    lam = layers.Lambda(lambda x, k: x * k, arguments={"k": 3.0})
    np.testing.assert_array_equal(lam(np.ones((2, 2), "float32")), np.full((2, 2), 3.0))
    inp = keras.Input((4,))
    assert layers.Lambda(lambda x: ops.sum(x, axis=-1, keepdims=True))(inp).shape == (None, 1)
    assert layers.Lambda(lambda x: x, output_shape=(7,)).compute_output_shape((None, 4)) == (None, 7)


def test_lambda_bytecode_refused_in_safe_mode():
    from nnfast.saving.safe_mode import SafeModeScope

    config = layers.serialize(layers.Lambda(lambda x: x + 1.0, name="plus_one"))
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.deserialize(config)
    with SafeModeScope(False):
        restored = layers.deserialize(config)
    np.testing.assert_array_equal(restored(np.zeros((1, 2), "float32")), [[1.0, 1.0]])
