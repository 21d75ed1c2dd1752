"""Accuracy metrics against NumPy formulas (functions and stateful classes)."""
import numpy as np
import pytest

from nnfast import metrics


def rng(seed=0):
    return np.random.default_rng(seed)


def test_accuracy_function_and_class():
    t = np.array([[1.0], [2.0], [3.0], [4.0]])
    p = np.array([[0.0], [2.0], [3.0], [4.0]])
    np.testing.assert_array_equal(metrics.accuracy(t, p), [[0.0], [1.0], [1.0], [1.0]])
    m = metrics.Accuracy()
    m.update_state(t, p)
    assert float(m.result()) == 0.75
    m.reset_state()
    m.update_state(t, p, sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 0.5


@pytest.mark.parametrize("threshold", [0.5, 0.7])
@pytest.mark.parametrize("shape", [(8,), (8, 1), (4, 3)])
def test_binary_accuracy(threshold, shape):
    t = rng(1).integers(0, 2, size=shape).astype("float32")
    p = rng(2).uniform(size=shape).astype("float32")
    expected = (t == (p > threshold)).astype("float32")
    np.testing.assert_array_equal(metrics.binary_accuracy(t, p, threshold=threshold), expected)
    m = metrics.BinaryAccuracy(threshold=threshold)
    w = rng(3).uniform(size=shape[:1])
    m.update_state(t, p, sample_weight=w)
    per_sample = expected.reshape(shape[0], -1).mean(1)
    np.testing.assert_allclose(m.result(), np.sum(per_sample * w) / np.sum(w), rtol=1e-6)


def test_binary_accuracy_with_rank_1_labels_and_column_predictions():
    t = np.array([1, 0, 1, 1])
    p = np.array([[0.9], [0.2], [0.4], [0.6]])
    np.testing.assert_array_equal(metrics.binary_accuracy(t, p), [[1], [1], [0], [1]])


@pytest.mark.parametrize("shape", [(10, 4), (3, 5, 6)])
def test_categorical_and_sparse_categorical_accuracy(shape):
    labels = rng(4).integers(0, shape[-1], size=shape[:-1])
    onehot = np.eye(shape[-1])[labels]
    p = rng(5).uniform(size=shape)
    expected = (labels == p.argmax(-1)).astype("float32")
    np.testing.assert_array_equal(metrics.categorical_accuracy(onehot, p), expected)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels, p), expected)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels[..., None], p),
                                  expected)
    cat, sparse = metrics.CategoricalAccuracy(), metrics.SparseCategoricalAccuracy()
    cat.update_state(onehot, p)
    sparse.update_state(labels, p)
    assert float(cat.result()) == pytest.approx(expected.mean())
    assert float(sparse.result()) == pytest.approx(expected.mean())


def test_keras_documented_categorical_numbers():
    m = metrics.CategoricalAccuracy()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    assert float(m.result()) == 0.5
    m.reset_state()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
                   sample_weight=[0.7, 0.3])
    assert float(m.result()) == pytest.approx(0.3)
    s = metrics.SparseCategoricalAccuracy()
    s.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    assert float(s.result()) == 0.5


def ref_in_top_k(labels, scores, k):
    """Target among the k largest scores, ties counted as in (TF's in_top_k)."""
    target = scores[np.arange(len(labels)), labels]
    return (np.sum(scores > target[:, None], axis=1) < k).astype("float32")


@pytest.mark.parametrize("k", [1, 2, 5])
def test_top_k_accuracies(k):
    labels = rng(6).integers(0, 6, size=(12,))
    p = rng(7).uniform(size=(12, 6))
    expected = ref_in_top_k(labels, p, k)
    np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(labels, p, k=k),
                                  expected)
    np.testing.assert_array_equal(metrics.top_k_categorical_accuracy(np.eye(6)[labels], p, k=k),
                                  expected)
    m = metrics.TopKCategoricalAccuracy(k=k)
    m.update_state(np.eye(6)[labels], p)
    assert float(m.result()) == pytest.approx(expected.mean())
    m = metrics.SparseTopKCategoricalAccuracy(k=k)
    m.update_state(labels[:, None], p)
    assert float(m.result()) == pytest.approx(expected.mean())


def test_top_k_on_sequences_and_ties():
    labels = rng(8).integers(0, 4, size=(2, 3))
    p = rng(9).uniform(size=(2, 3, 4))
    out = metrics.sparse_top_k_categorical_accuracy(labels, p, k=2)
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out.reshape(-1), ref_in_top_k(labels.reshape(-1),
                                                                p.reshape(-1, 4), 2))
    # equal scores straddling the boundary all count as in the top k
    np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(
        [2], [[0.5, 0.5, 0.5, 0.1]], k=1), [1.0])


def test_sparse_top_k_from_sorted_ids():
    ids = np.array([[3, 1, 0], [2, 0, 1]])
    np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(
        [1, 1], ids, k=2, from_sorted_ids=True), [1.0, 0.0])


def test_sparse_top_k_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match=r"sparse_top_k_categorical_accuracy.*\[0, 3\).*7"):
        metrics.sparse_top_k_categorical_accuracy([7], [[0.1, 0.2, 0.7]], k=1)


@pytest.mark.parametrize("cls,extra", [
    (metrics.Accuracy, {}), (metrics.BinaryAccuracy, {"threshold": 0.3}),
    (metrics.CategoricalAccuracy, {}), (metrics.SparseCategoricalAccuracy, {}),
    (metrics.TopKCategoricalAccuracy, {"k": 3}), (metrics.SparseTopKCategoricalAccuracy, {"k": 2}),
])
def test_accuracy_configs_round_trip(cls, extra):
    m = cls(name="acc_x", **extra)
    config = m.get_config()
    assert config == {"name": "acc_x", "dtype": "float32", **extra}
    assert cls.from_config(config).get_config() == config
