"""Thresholded metrics: counts, Precision/Recall, operating points and AUC."""
import numpy as np
import pytest
from scipy.stats import rankdata

from nnfast import metrics

EPS = 1e-7


def rng(seed=0):
    return np.random.default_rng(seed)


def ref_counts(y, p, thresholds, w=None):
    """tp, fp, tn, fn per threshold with `p > t` as the positive call (flattened data)."""
    p = np.asarray(p, float)
    w = np.ones_like(p) if w is None else np.broadcast_to(w, p.shape).astype(float)
    y, p, w = np.asarray(y).reshape(-1) != 0, p.reshape(-1), w.reshape(-1)
    out = []
    for t in thresholds:
        pos = p > t
        out.append([np.sum(w * (pos & y)), np.sum(w * (pos & ~y)), np.sum(w * (~pos & ~y)),
                    np.sum(w * (~pos & y))])
    return np.array(out).T


def safe_div(a, b):
    return np.where(b > 0, a / np.where(b > 0, b, 1), 0.0)


def ref_auc(y, p, num_thresholds=200, curve="ROC", summation="interpolation", w=None):
    """Keras's thresholded AUC written out plainly."""
    n = num_thresholds
    thr = [-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS]
    tp, fp, tn, fn = ref_counts(y, p, thr, w)
    if curve == "PR" and summation == "interpolation":
        area = 0.0
        for i in range(n - 1):
            dtp = tp[i] - tp[i + 1]
            pa, pb = tp[i] + fp[i], tp[i + 1] + fp[i + 1]
            slope = dtp / (pa - pb) if pa - pb > 0 else 0.0
            intercept = tp[i + 1] - slope * pb
            log_term = np.log(pa / pb) if pa > 0 and pb > 0 else 0.0
            denom = tp[i + 1] + fn[i + 1]
            area += slope * (dtp + intercept * log_term) / denom if denom > 0 else 0.0
        return area
    recall = safe_div(tp, tp + fn)
    if curve == "ROC":
        x, yv = safe_div(fp, fp + tn), recall
    else:
        x, yv = recall, safe_div(tp, tp + fp)
    pick = {"interpolation": lambda a, b: (a + b) / 2, "minoring": np.minimum,
            "majoring": np.maximum}[summation]
    return float(np.sum((x[:-1] - x[1:]) * pick(yv[:-1], yv[1:])))


def exact_roc_auc(y, p):
    """Mann-Whitney form of the exact ROC AUC."""
    r = rankdata(p)
    n1 = np.sum(y == 1)
    return (np.sum(r[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1))


def scored_data(n=400, seed=0):
    r = rng(seed)
    y = r.integers(0, 2, size=n)
    p = np.clip(0.35 * y + 0.65 * r.uniform(size=n), 0, 1)
    return y, p


def test_keras_documented_counts():
    cases = [(metrics.FalsePositives, [0, 1, 0, 0], [0, 0, 1, 1], 2.0),
             (metrics.FalseNegatives, [0, 1, 1, 1], [0, 1, 0, 0], 2.0),
             (metrics.TrueNegatives, [0, 1, 0, 0], [1, 1, 0, 0], 2.0),
             (metrics.TruePositives, [0, 1, 1, 1], [1, 0, 1, 1], 2.0)]
    for cls, y, p, expected in cases:
        m = cls()
        m.update_state(y, p)
        assert float(m.result()) == expected
        m.reset_state()
        m.update_state(y, p, sample_weight=[0, 0, 1, 0])
        assert float(m.result()) == 1.0


@pytest.mark.parametrize("thresholds", [None, 0.3, [0.2, 0.5, 0.9], [0.0, 0.5, 1.0]])
def test_counts_per_threshold(thresholds, float64):
    y = rng(1).integers(0, 2, size=(30, 3))
    p = rng(2).uniform(size=(30, 3))
    w = rng(3).uniform(size=(30,))
    thr = [0.5] if thresholds is None else np.atleast_1d(thresholds)
    expected = ref_counts(y, p, thr, w[:, None])
    for i, cls in enumerate((metrics.TruePositives, metrics.FalsePositives,
                             metrics.TrueNegatives, metrics.FalseNegatives)):
        m = cls(thresholds=thresholds)
        m.update_state(y, p, sample_weight=w)
        result = np.asarray(m.result())
        assert result.shape == (() if len(thr) == 1 else (len(thr),))
        np.testing.assert_allclose(result.reshape(-1), expected[i], rtol=1e-10, atol=1e-9)


def test_keras_documented_precision_recall():
    for cls in (metrics.Precision, metrics.Recall):
        m = cls()
        m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        assert float(m.result()) == pytest.approx(2 / 3)
        m.reset_state()
        m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
        assert float(m.result()) == 1.0
    m = metrics.Precision(top_k=2)
    m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    assert float(m.result()) == 0.0
    m = metrics.Precision(top_k=4)
    m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    assert float(m.result()) == 0.5


@pytest.mark.parametrize("thresholds", [None, [0.25, 0.5, 0.8]])
def test_precision_recall_over_batches(thresholds, float64):
    prec, rec = metrics.Precision(thresholds=thresholds), metrics.Recall(thresholds=thresholds)
    ys, ps, ws = [], [], []
    for seed in range(3):
        y = rng(seed).integers(0, 2, size=(20, 4))
        p = rng(seed + 10).uniform(size=(20, 4))
        w = rng(seed + 20).uniform(size=(20, 1))
        prec.update_state(y, p, sample_weight=w)
        rec.update_state(y, p, sample_weight=w)
        ys.append(y), ps.append(p), ws.append(np.broadcast_to(w, y.shape))
    thr = [0.5] if thresholds is None else thresholds
    tp, fp, tn, fn = ref_counts(np.concatenate(ys), np.concatenate(ps), thr, np.concatenate(ws))
    np.testing.assert_allclose(np.asarray(prec.result()).reshape(-1), tp / (tp + fp), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(rec.result()).reshape(-1), tp / (tp + fn), rtol=1e-10)


def test_precision_recall_top_k_and_class_id(float64):
    y = rng(1).integers(0, 2, size=(25, 5))
    p = rng(2).uniform(size=(25, 5))
    top2 = np.zeros_like(p, dtype=bool)
    np.put_along_axis(top2, np.argsort(-p, axis=1)[:, :2], True, axis=1)
    yb = y.astype(bool)
    m = metrics.Precision(top_k=2)
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(np.sum(top2 & yb) / np.sum(top2))
    m = metrics.Recall(top_k=2, thresholds=0.6)
    m.update_state(y, p)
    called = top2 & (p > 0.6)
    assert float(m.result()) == pytest.approx(np.sum(called & yb) / np.sum(yb))
    m = metrics.Precision(class_id=3)
    m.update_state(y, p)
    pos = p[:, 3] > 0.5
    assert float(m.result()) == pytest.approx(np.sum(pos & yb[:, 3]) / np.sum(pos))
    m = metrics.Recall(class_id=1, top_k=1)
    m.update_state(y, p)
    called = (p.argmax(1) == 1)
    assert float(m.result()) == pytest.approx(np.sum(called & yb[:, 1]) / np.sum(yb[:, 1]))


def test_operating_point_metrics_keras_numbers():
    y, p = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
    cases = [(metrics.SensitivityAtSpecificity(0.5), None, 0.5),
             (metrics.SensitivityAtSpecificity(0.5), [1, 1, 2, 2, 1], 1 / 3),
             (metrics.SpecificityAtSensitivity(0.5), None, 2 / 3),
             (metrics.SpecificityAtSensitivity(0.5), [1, 1, 2, 2, 2], 0.5),
             (metrics.PrecisionAtRecall(0.5), None, 0.5),
             (metrics.PrecisionAtRecall(0.5), [2, 2, 2, 1, 1], 1 / 3)]
    for m, w, expected in cases:
        m.update_state(y, p, sample_weight=w)
        assert float(m.result()) == pytest.approx(expected, abs=1e-6)
    m = metrics.RecallAtPrecision(0.8)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == pytest.approx(0.5)
    assert m.get_config()["precision"] == 0.8
    with pytest.raises(ValueError, match="specificity"):
        metrics.SensitivityAtSpecificity(1.5)


def test_auc_keras_documented_numbers():
    m = metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == pytest.approx(0.75)
    m.reset_state()
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    assert float(m.result()) == pytest.approx(1.0)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("summation", ["interpolation", "minoring", "majoring"])
@pytest.mark.parametrize("num_thresholds", [3, 50, 200])
def test_auc_equals_thresholded_numpy(curve, summation, num_thresholds, float64):
    y, p = scored_data(seed=num_thresholds)
    w = rng(5).uniform(size=y.shape)
    m = metrics.AUC(num_thresholds=num_thresholds, curve=curve, summation_method=summation)
    half = len(y) // 2
    m.update_state(y[:half], p[:half], sample_weight=w[:half])
    m.update_state(y[half:], p[half:], sample_weight=w[half:])
    expected = ref_auc(y, p, num_thresholds, curve, summation, w)
    np.testing.assert_allclose(m.result(), expected, rtol=1e-9, atol=1e-12)


def test_auc_close_to_exact_roc_auc_and_sklearn():
    y, p = scored_data(n=2000, seed=3)
    m = metrics.AUC()
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(exact_roc_auc(y, p), abs=1e-2)
    try:
        from sklearn.metrics import roc_auc_score
    except ImportError:
        return          # the exact Mann-Whitney comparison above still ran
    assert float(m.result()) == pytest.approx(roc_auc_score(y, p), abs=1e-2)


def test_auc_explicit_thresholds_and_from_logits(float64):
    y, p = scored_data(seed=7)
    m = metrics.AUC(thresholds=[0.7, 0.2, 0.5])
    m.update_state(y, p)
    assert m.thresholds == pytest.approx([-EPS, 0.2, 0.5, 0.7, 1 + EPS])
    tp, fp, tn, fn = ref_counts(y, p, m.thresholds)
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    expected = np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)
    np.testing.assert_allclose(m.result(), expected, rtol=1e-12)
    logits = np.log(p + 1e-3) - np.log(1 - p + 1e-3)
    a, b = metrics.AUC(from_logits=True), metrics.AUC()
    a.update_state(y, logits)
    b.update_state(y, 1 / (1 + np.exp(-logits)))
    np.testing.assert_allclose(a.result(), b.result(), rtol=1e-12)


def test_auc_multi_label_and_label_weights(float64):
    r = rng(9)
    y = r.integers(0, 2, size=(300, 3))
    p = np.clip(0.3 * y + 0.7 * r.uniform(size=(300, 3)), 0, 1)
    per_label = [ref_auc(y[:, j], p[:, j], 200) for j in range(3)]
    m = metrics.AUC(multi_label=True)
    m.update_state(y, p)
    assert m.true_positives.shape == (200, 3)
    np.testing.assert_allclose(m.result(), np.mean(per_label), rtol=1e-9)
    lw = np.array([1.0, 2.0, 0.5])
    m = metrics.AUC(multi_label=True, num_labels=3, label_weights=lw)
    m.update_state(y, p)
    np.testing.assert_allclose(m.result(), np.sum(per_label * lw) / lw.sum(), rtol=1e-9)
    m = metrics.AUC(multi_label=True, num_thresholds=7, thresholds=None, curve="PR")
    m.update_state(y, p)
    per_label = [ref_auc(y[:, j], p[:, j], 7, "PR") for j in range(3)]
    np.testing.assert_allclose(m.result(), np.mean(per_label), rtol=1e-9)
    # flattened (not multi-label) with label weights weighs each column's entries
    m = metrics.AUC(label_weights=lw)
    m.update_state(y, p)
    np.testing.assert_allclose(m.result(), ref_auc(y, p, 200, w=np.broadcast_to(lw, y.shape)),
                               rtol=1e-9)


def test_auc_names_config_and_errors():
    a = metrics.AUC(num_thresholds=10, curve="pr", summation_method="minoring")
    config = a.get_config()
    assert config["curve"] == "PR" and config["summation_method"] == "minoring"
    assert config["num_thresholds"] == 10 and "thresholds" not in config
    clone = metrics.AUC.from_config(config)
    assert clone.get_config() == config
    b = metrics.AUC(thresholds=[0.3, 0.6])
    assert metrics.AUC.from_config(b.get_config()).thresholds == b.thresholds
    assert a.name.startswith("auc") and metrics.Precision().name.startswith("precision")
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        metrics.AUC(curve="XYZ")
    with pytest.raises(ValueError, match="summation method"):
        metrics.AUC(summation_method="simpson")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="class_id"):
        metrics.Precision(class_id=1).update_state([0, 1], [0.2, 0.8])


def test_auc_reset_state():
    m = metrics.AUC()
    m.update_state([0, 1], [0.2, 0.8])
    m.reset_state()
    assert all(np.all(v.numpy() == 0) for v in m.variables)
    assert float(m.result()) == 0.0
