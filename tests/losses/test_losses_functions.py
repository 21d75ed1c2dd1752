"""Every loss function equals a NumPy formula written here, on several shapes."""
import numpy as np
import pytest
from scipy.special import logsumexp

from nnfast import losses
from nnfast.autograd import Tensor

EPS = 1e-7
SHAPES = [(5,), (4, 3), (2, 3, 4), (1, 1)]


def rng(seed=0):
    return np.random.default_rng(seed)


# -- reference formulas ----------------------------------------------------------------------

def ref_mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def ref_mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def ref_mape(t, p):
    return 100.0 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), axis=-1)


def ref_msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, -1)


def ref_huber(t, p, delta=1.0):
    e = p - t
    a = np.abs(e)
    return np.mean(np.where(a <= delta, 0.5 * e ** 2, delta * a - 0.5 * delta ** 2), -1)


def ref_log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), axis=-1)


def ref_poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def ref_kld(t, p):
    tc, pc = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(tc * np.log(tc / pc), axis=-1)


def ref_cosine(t, p, axis=-1):
    tn = t / np.linalg.norm(t, axis=axis, keepdims=True)
    pn = p / np.linalg.norm(p, axis=axis, keepdims=True)
    return -np.sum(tn * pn, axis=axis)


def ref_hinge(t, p):
    t = 2 * t - 1 if np.all(np.isin(t, [0, 1])) else t
    return np.mean(np.maximum(1 - t * p, 0), axis=-1)


def ref_squared_hinge(t, p):
    t = 2 * t - 1 if np.all(np.isin(t, [0, 1])) else t
    return np.mean(np.maximum(1 - t * p, 0) ** 2, axis=-1)


def ref_categorical_hinge(t, p):
    pos = np.sum(t * p, -1)
    neg = np.max((1 - t) * p, -1)
    return np.maximum(neg - pos + 1, 0)


def ref_bce(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=axis)


def ref_focal(t, p, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
              label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    pc = np.clip(p, EPS, 1 - EPS)
    bce = -(t * np.log(pc) + (1 - t) * np.log(1 - pc))
    p_t = t * p + (1 - t) * (1 - p)
    out = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        out = out * (t * alpha + (1 - t) * (1 - alpha))
    return np.mean(out, axis=-1)


def ref_cce(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    n = p.shape[axis]
    t = t * (1 - label_smoothing) + label_smoothing / n
    if from_logits:
        logp = p - logsumexp(p, axis=axis, keepdims=True)
    else:
        logp = np.log(np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS))
    return -np.sum(t * logp, axis=axis)


def ref_scce(labels, p, from_logits=False):
    onehot = np.eye(p.shape[-1])[labels]
    return ref_cce(onehot, p, from_logits=from_logits)


# -- data ------------------------------------------------------------------------------------

def positive(shape, seed=0):
    return rng(seed).uniform(0.1, 2.0, size=shape)


def probs(shape, seed=0):
    return rng(seed).uniform(0.05, 0.95, size=shape)


def simplex(shape, seed=0):
    x = rng(seed).uniform(0.1, 1.0, size=shape)
    return x / x.sum(-1, keepdims=True)


def binary(shape, seed=0):
    return rng(seed).integers(0, 2, size=shape).astype("float64")


def onehot(shape, seed=0):
    return np.eye(shape[-1])[rng(seed).integers(0, shape[-1], size=shape[:-1])]


REGRESSION = [
    (losses.mean_squared_error, ref_mse, positive, positive),
    (losses.mean_absolute_error, ref_mae, positive, positive),
    (losses.mean_absolute_percentage_error, ref_mape, positive, positive),
    (losses.mean_squared_logarithmic_error, ref_msle, positive, positive),
    (losses.huber, ref_huber, positive, positive),
    (losses.log_cosh, ref_log_cosh, positive, positive),
    (losses.poisson, ref_poisson, positive, positive),
    (losses.kl_divergence, ref_kld, simplex, simplex),
    (losses.cosine_similarity, ref_cosine, positive, positive),
    (losses.hinge, ref_hinge, binary, positive),
    (losses.squared_hinge, ref_squared_hinge, binary, positive),
    (losses.categorical_hinge, ref_categorical_hinge, onehot, positive),
    (losses.binary_crossentropy, ref_bce, binary, probs),
    (losses.binary_focal_crossentropy, ref_focal, binary, probs),
    (losses.categorical_crossentropy, ref_cce, onehot, simplex),
]


CASES = [(case, shape) for case in REGRESSION for shape in SHAPES
         # categorical losses need two classes or more
         if shape[-1] > 1 or case[0] not in (losses.categorical_hinge,
                                             losses.categorical_crossentropy)]


@pytest.mark.parametrize("case,shape", CASES, ids=lambda v: getattr(v[0], "__name__", str(v)))
def test_function_matches_numpy_formula(case, shape, float64):
    fn, ref, make_t, make_p = case
    t, p = make_t(shape, 1), make_p(shape, 2)
    out = fn(t, p)
    assert isinstance(out, Tensor)
    assert out.shape == shape[:-1]
    np.testing.assert_allclose(out, ref(t, p), rtol=1e-10, atol=1e-12)


def test_float32_inputs_give_float32_losses():
    t, p = positive((4, 3), 1).astype("float32"), positive((4, 3), 2).astype("float32")
    out = losses.mean_squared_error(t, p)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref_mse(t.astype("float64"), p.astype("float64")), rtol=1e-6)


def test_lists_and_integer_labels_are_accepted(float64):
    out = losses.mse([[1, 2], [3, 4]], [[1.5, 2.5], [2.0, 4.0]])
    np.testing.assert_allclose(out, [0.25, 0.5])
    out = losses.categorical_crossentropy(np.array([[0, 1], [1, 0]]), [[0.2, 0.8], [0.6, 0.4]])
    np.testing.assert_allclose(out, [-np.log(0.8), -np.log(0.6)])


@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4), (3, 1, 5)])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_categorical_crossentropy_variants(shape, from_logits, smoothing, float64):
    t = onehot(shape, 3)
    p = rng(4).normal(size=shape) if from_logits else simplex(shape, 4)
    out = losses.categorical_crossentropy(t, p, from_logits=from_logits, label_smoothing=smoothing)
    np.testing.assert_allclose(out, ref_cce(t, p, from_logits, smoothing), rtol=1e-10)


@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_crossentropy_on_another_axis(from_logits, float64):
    t = np.moveaxis(onehot((3, 5, 4), 3), -1, 1)           # (3, 4, 5): classes on axis 1
    p = rng(5).normal(size=(3, 4, 5))
    if not from_logits:
        p = np.exp(p) / np.exp(p).sum(1, keepdims=True)
    out = losses.categorical_crossentropy(t, p, from_logits=from_logits, axis=1)
    assert out.shape == (3, 5)
    np.testing.assert_allclose(out, ref_cce(t, p, from_logits, axis=1), rtol=1e-10)


def test_unnormalised_probabilities_are_renormalised_as_in_keras(float64):
    t = onehot((4, 3), 0)
    p = rng(1).uniform(0.1, 3.0, size=(4, 3))
    np.testing.assert_allclose(losses.categorical_crossentropy(t, p), ref_cce(t, p))
    labels = t.argmax(-1)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p), ref_cce(t, p))


@pytest.mark.parametrize("label_shape,pred_shape", [((7,), (7, 5)), ((7, 1), (7, 5)),
                                                    ((2, 6), (2, 6, 5)), ((2, 6, 1), (2, 6, 5))])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy(label_shape, pred_shape, from_logits, float64):
    labels = rng(6).integers(0, pred_shape[-1], size=label_shape)
    p = rng(7).normal(size=pred_shape) if from_logits else simplex(pred_shape, 7)
    out = losses.sparse_categorical_crossentropy(labels, p, from_logits=from_logits)
    assert out.shape == pred_shape[:-1]
    np.testing.assert_allclose(out, ref_scce(labels.reshape(pred_shape[:-1]), p, from_logits),
                               rtol=1e-10)
    # float labels (Keras casts y_true to y_pred's dtype first) give the same values
    out_f = losses.sparse_categorical_crossentropy(labels.astype("float32"), p,
                                                   from_logits=from_logits)
    np.testing.assert_allclose(out_f, out)


def test_sparse_ignore_class_zeroes_those_entries(float64):
    labels = np.array([[0, 2, -1], [1, -1, 2]])
    p = rng(8).normal(size=(2, 3, 3))
    out = losses.sparse_categorical_crossentropy(labels, p, from_logits=True, ignore_class=-1)
    expected = ref_scce(np.where(labels < 0, 0, labels), p, True)
    expected[labels < 0] = 0.0
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    np.testing.assert_array_equal(out._keras_mask, labels != -1)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(6, 1), (4, 3), (2, 3, 2)])
def test_binary_crossentropy_variants(from_logits, smoothing, shape, float64):
    t = binary(shape, 9)
    p = rng(10).normal(size=shape) if from_logits else probs(shape, 10)
    out = losses.binary_crossentropy(t, p, from_logits=from_logits, label_smoothing=smoothing)
    np.testing.assert_allclose(out, ref_bce(t, p, from_logits, smoothing), rtol=1e-9)


def test_binary_crossentropy_from_logits_is_stable_for_large_logits(float64):
    out = losses.binary_crossentropy([[1.0, 0.0]], [[-800.0, 800.0]], from_logits=True)
    np.testing.assert_allclose(out, [800.0])


def test_binary_crossentropy_axis(float64):
    t, p = binary((3, 4), 1), probs((3, 4), 2)
    np.testing.assert_allclose(losses.binary_crossentropy(t, p, axis=0), ref_bce(t, p, axis=0))


@pytest.mark.parametrize("balancing", [False, True])
@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.5])
@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_focal_crossentropy_variants(balancing, gamma, from_logits, float64):
    t = binary((5, 3), 11)
    p = rng(12).normal(size=(5, 3)) if from_logits else probs((5, 3), 12)
    out = losses.binary_focal_crossentropy(t, p, apply_class_balancing=balancing, alpha=0.3,
                                           gamma=gamma, from_logits=from_logits,
                                           label_smoothing=0.1)
    np.testing.assert_allclose(out, ref_focal(t, p, balancing, 0.3, gamma, from_logits, 0.1),
                               rtol=1e-9)


def test_probabilities_are_clipped_to_epsilon(float64):
    out = losses.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]])
    np.testing.assert_allclose(out, [-np.log(EPS)], rtol=1e-6)
    out = losses.categorical_crossentropy([[0.0, 1.0]], [[1.0, 0.0]])
    np.testing.assert_allclose(out, [-np.log(EPS)], rtol=1e-6)
    out = losses.sparse_categorical_crossentropy([1], [[1.0, 0.0]])
    np.testing.assert_allclose(out, [-np.log(EPS)], rtol=1e-6)


def test_trailing_one_is_squeezed_or_expanded(float64):
    t = positive((6,), 1)
    p = positive((6, 1), 2)
    np.testing.assert_allclose(losses.mse(t, p), (t - p[:, 0]) ** 2)
    np.testing.assert_allclose(losses.mse(t[:, None], p[:, 0]), (t - p[:, 0]) ** 2)
    tb = binary((6,), 3)
    np.testing.assert_allclose(losses.binary_crossentropy(tb, probs((6, 1), 4)),
                               ref_bce(tb[:, None], probs((6, 1), 4)))


def test_huber_delta_and_cosine_axis(float64):
    t, p = positive((4, 5), 1) * 3, positive((4, 5), 2) * 3
    np.testing.assert_allclose(losses.huber(t, p, delta=0.5), ref_huber(t, p, 0.5))
    np.testing.assert_allclose(losses.cosine_similarity(t, p, axis=0), ref_cosine(t, p, axis=0))


def test_hinge_keeps_signed_labels(float64):
    t = np.array([[-1.0, 1.0, 1.0], [1.0, -1.0, -1.0]])
    p = rng(3).normal(size=(2, 3))
    np.testing.assert_allclose(losses.hinge(t, p), np.mean(np.maximum(1 - t * p, 0), -1))


def test_aliases_are_the_functions():
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.mae is losses.MAE is losses.mean_absolute_error
    assert losses.mape is losses.MAPE is losses.mean_absolute_percentage_error
    assert losses.msle is losses.MSLE is losses.mean_squared_logarithmic_error
    assert losses.kld is losses.KLD is losses.kullback_leibler_divergence is losses.kl_divergence
    assert losses.logcosh is losses.log_cosh
    assert losses.cosine_proximity is losses.cosine_similarity


def test_logits_crossentropies_ask_the_kernel_registry(monkeypatch, float64):
    import nnfast.kernels

    asked = []
    real_get = nnfast.kernels.get

    def spy(name):
        asked.append(name)
        try:
            return real_get(name)
        except KeyError:        # kernel not registered (yet): answer with the NumPy maths
            from nnfast.losses import crossentropy as ce

            return {"softmax_cross_entropy": ce._softmax_xent_ref,
                    "softmax_cross_entropy_backward": ce._softmax_xent_ref_backward}[name]

    monkeypatch.setattr(nnfast.kernels, "get", spy)
    from nnfast.autograd import GradientTape
    from nnfast.ops import convert_to_tensor

    x = convert_to_tensor(rng(1).normal(size=(4, 3)))
    with GradientTape() as tape:
        tape.watch(x)
        loss = losses.sparse_categorical_crossentropy([0, 1, 2, 1], x, from_logits=True)
    tape.gradient(loss, x)
    assert "softmax_cross_entropy" in asked and "softmax_cross_entropy_backward" in asked


def test_scalar_inputs(float64):
    np.testing.assert_allclose(losses.mse(1.0, 2.5), 2.25)
    np.testing.assert_allclose(losses.MeanAbsoluteError()(1.0, 3.0), 2.0)
