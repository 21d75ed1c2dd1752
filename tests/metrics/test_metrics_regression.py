"""Regression and loss-shaped metrics against NumPy formulas, accumulated over batches."""
import numpy as np
import pytest
from scipy.special import logsumexp

from nnfast import metrics

EPS = 1e-7


def rng(seed=0):
    return np.random.default_rng(seed)


def unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _batches(make, n_batches=3, seed=0):
    r = rng(seed)
    return [make(r, n) for n in (4, 7, 2)[:n_batches]]


REGRESSION = [
    (metrics.MeanSquaredError, lambda t, p: np.mean((t - p) ** 2, -1)),
    (metrics.MeanAbsoluteError, lambda t, p: np.mean(np.abs(t - p), -1)),
    (metrics.MeanAbsolutePercentageError,
     lambda t, p: 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), -1)),
    (metrics.MeanSquaredLogarithmicError,
     lambda t, p: np.mean((np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2, -1)),
    (metrics.LogCoshError, lambda t, p: np.mean(np.log(np.cosh(p - t)), -1)),
    (metrics.CosineSimilarity, lambda t, p: np.sum(unit(t) * unit(p), -1)),
    (metrics.Poisson, lambda t, p: np.mean(p - t * np.log(p + EPS), -1)),
    (metrics.KLDivergence, lambda t, p: np.sum(
        np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1)),
]


@pytest.mark.parametrize("cls,ref", REGRESSION, ids=[c[0].__name__ for c in REGRESSION])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metric_over_batches(cls, ref, weighted, float64):
    m = cls()
    values, weights = [], []
    for t, p, w in _batches(lambda r, n: (r.uniform(0.1, 1, (n, 3)), r.uniform(0.1, 1, (n, 3)),
                                          r.uniform(0, 2, n))):
        m.update_state(t, p, sample_weight=w if weighted else None)
        values.append(ref(t, p))
        weights.append(w if weighted else np.ones(len(t)))
    v, w = np.concatenate(values), np.concatenate(weights)
    np.testing.assert_allclose(m.result(), np.sum(v * w) / np.sum(w), rtol=1e-10)


def test_root_mean_squared_error(float64):
    m = metrics.RootMeanSquaredError()
    t1, p1 = rng(1).normal(size=(5, 2)), rng(2).normal(size=(5, 2))
    t2, p2 = rng(3).normal(size=(3, 2)), rng(4).normal(size=(3, 2))
    m.update_state(t1, p1)
    m.update_state(t2, p2)
    sq = np.concatenate([(t1 - p1) ** 2, (t2 - p2) ** 2])
    np.testing.assert_allclose(m.result(), np.sqrt(sq.mean()), rtol=1e-12)
    m.reset_state()
    m.update_state([2, 4, 6], [1, 3, 2], sample_weight=[1, 0, 1])
    np.testing.assert_allclose(m.result(), np.sqrt((1 + 16) / 2), rtol=1e-12)


def test_metric_functions_and_aliases(float64):
    t, p = rng(5).normal(size=(4, 3)), rng(6).normal(size=(4, 3))
    np.testing.assert_allclose(metrics.mse(t, p), np.mean((t - p) ** 2, -1))
    assert metrics.mae is metrics.MAE is metrics.mean_absolute_error
    assert metrics.mape is metrics.mean_absolute_percentage_error
    assert metrics.msle is metrics.mean_squared_logarithmic_error
    assert metrics.kld is metrics.kl_divergence and metrics.logcosh is metrics.log_cosh
    assert metrics.acc is metrics.accuracy
    np.testing.assert_allclose(metrics.cosine_similarity(t, p),
                               np.sum(unit(t) * unit(p), -1))      # positive, unlike the loss


def test_crossentropy_and_hinge_metrics(float64):
    r = rng(7)
    labels = r.integers(0, 4, size=6)
    onehot = np.eye(4)[labels]
    logits = r.normal(size=(6, 4))
    ce = -np.sum(onehot * (logits - logsumexp(logits, -1, keepdims=True)), -1)
    m = metrics.CategoricalCrossentropy(from_logits=True)
    m.update_state(onehot, logits)
    np.testing.assert_allclose(m.result(), ce.mean(), rtol=1e-10)
    m = metrics.SparseCategoricalCrossentropy(from_logits=True)
    m.update_state(labels, logits)
    np.testing.assert_allclose(m.result(), ce.mean(), rtol=1e-10)
    y = r.integers(0, 2, size=(6, 1)).astype(float)
    pb = r.uniform(0.1, 0.9, size=(6, 1))
    m = metrics.BinaryCrossentropy()
    m.update_state(y, pb)
    np.testing.assert_allclose(m.result(), np.mean(-(y * np.log(pb) + (1 - y) * np.log(1 - pb))))
    pm = r.normal(size=(6, 1))
    for cls, ref in ((metrics.Hinge, np.maximum(1 - (2 * y - 1) * pm, 0)),
                     (metrics.SquaredHinge, np.maximum(1 - (2 * y - 1) * pm, 0) ** 2)):
        m = cls()
        m.update_state(y, pm)
        np.testing.assert_allclose(m.result(), ref.mean(), rtol=1e-10)
    m = metrics.CategoricalHinge()
    m.update_state(onehot, logits)
    ref = np.maximum(np.max((1 - onehot) * logits, -1) - np.sum(onehot * logits, -1) + 1, 0)
    np.testing.assert_allclose(m.result(), ref.mean(), rtol=1e-10)


@pytest.mark.parametrize("cls,extra", [
    (metrics.MeanSquaredError, {}), (metrics.RootMeanSquaredError, {}),
    (metrics.CosineSimilarity, {"axis": 0}), (metrics.LogCoshError, {}),
    (metrics.BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.1}),
    (metrics.CategoricalCrossentropy, {"from_logits": True, "label_smoothing": 0, "axis": -1}),
    (metrics.SparseCategoricalCrossentropy, {"from_logits": False, "ignore_class": 3, "axis": -1}),
])
def test_configs_round_trip(cls, extra):
    m = cls(name="x", **extra)
    config = m.get_config()
    assert config == {"name": "x", "dtype": "float32", **extra}
    assert cls.from_config(config).get_config() == config


def test_default_names_match_keras():
    assert metrics.MeanSquaredError().name == "mean_squared_error"
    assert metrics.RootMeanSquaredError().name == "root_mean_squared_error"
    assert metrics.LogCoshError().name == "logcosh"
    assert metrics.CosineSimilarity().name == "cosine_similarity"
    assert metrics.KLDivergence().name == "kl_divergence"
