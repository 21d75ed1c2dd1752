"""Every loss's gradient w.r.t. y_pred equals central finite differences (float64)."""
import functools

import numpy as np
import pytest
from loss_gradcheck import numeric_grad, tape_grad

from nnfast import losses
from nnfast.autograd import GradientTape
from nnfast.ops import convert_to_tensor


def rng(seed=0):
    return np.random.default_rng(seed)


def positive(shape, seed):
    return rng(seed).uniform(0.2, 2.0, size=shape)


def probs(shape, seed):
    return rng(seed).uniform(0.05, 0.95, size=shape)


def normal(shape, seed):
    return rng(seed).normal(size=shape)


def binary(shape, seed):
    return rng(seed).integers(0, 2, size=shape).astype("float64")


def onehot(shape, seed):
    return np.eye(shape[-1])[rng(seed).integers(0, shape[-1], size=shape[:-1])]


def soft_labels(shape, seed):
    x = rng(seed).uniform(0.1, 1.0, size=shape)
    return x / x.sum(-1, keepdims=True)


P = functools.partial
CASES = [
    ("mse", losses.mean_squared_error, positive, normal),
    ("mae", losses.mean_absolute_error, positive, normal),
    ("mape", losses.mean_absolute_percentage_error, positive, normal),
    ("msle", losses.mean_squared_logarithmic_error, positive, positive),
    ("huber", losses.huber, positive, positive),
    ("huber_delta", P(losses.huber, delta=0.3), positive, positive),
    ("log_cosh", losses.log_cosh, positive, normal),
    ("poisson", losses.poisson, positive, positive),
    ("kld", losses.kl_divergence, soft_labels, probs),
    ("cosine", losses.cosine_similarity, normal, normal),
    ("cosine_axis0", P(losses.cosine_similarity, axis=0), normal, normal),
    ("hinge", losses.hinge, binary, normal),
    ("squared_hinge", losses.squared_hinge, binary, normal),
    ("categorical_hinge", losses.categorical_hinge, onehot, normal),
    ("bce", losses.binary_crossentropy, binary, probs),
    ("bce_logits", P(losses.binary_crossentropy, from_logits=True), binary, normal),
    ("bce_smooth", P(losses.binary_crossentropy, label_smoothing=0.2), binary, probs),
    ("bce_axis0", P(losses.binary_crossentropy, axis=0), binary, probs),
    ("focal", losses.binary_focal_crossentropy, binary, probs),
    ("focal_logits_balanced", P(losses.binary_focal_crossentropy, from_logits=True,
                                apply_class_balancing=True, gamma=1.5), binary, normal),
    ("focal_gamma0", P(losses.binary_focal_crossentropy, gamma=0.0), binary, probs),
    ("cce", losses.categorical_crossentropy, onehot, probs),
    ("cce_soft_labels", losses.categorical_crossentropy, soft_labels, probs),
    ("cce_logits", P(losses.categorical_crossentropy, from_logits=True), onehot, normal),
    ("cce_logits_smooth", P(losses.categorical_crossentropy, from_logits=True,
                            label_smoothing=0.1), onehot, normal),
    ("cce_axis0", P(losses.categorical_crossentropy, axis=0), onehot, probs),
    ("cce_logits_axis0", P(losses.categorical_crossentropy, axis=0, from_logits=True),
     onehot, normal),
]


@pytest.mark.parametrize("name,fn,make_t,make_p", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 4)])
def test_gradient_matches_finite_differences(name, fn, make_t, make_p, shape, float64):
    t, p = make_t(shape, 1), make_p(shape, 2)
    out_shape = np.shape(fn(t, p))
    upstream = rng(3).normal(size=out_shape)
    g = tape_grad(lambda x: fn(t, x), p, upstream)
    assert g.shape == p.shape
    np.testing.assert_allclose(g, numeric_grad(lambda x: fn(t, x), p, upstream),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("label_shape,pred_shape", [((5,), (5, 4)), ((5, 1), (5, 4)),
                                                    ((2, 3), (2, 3, 4))])
def test_sparse_crossentropy_gradient(from_logits, label_shape, pred_shape, float64):
    labels = rng(4).integers(0, pred_shape[-1], size=label_shape)
    p = normal(pred_shape, 5) if from_logits else probs(pred_shape, 5)
    fn = functools.partial(losses.sparse_categorical_crossentropy, labels, from_logits=from_logits)
    upstream = rng(6).normal(size=pred_shape[:-1])
    np.testing.assert_allclose(tape_grad(fn, p, upstream), numeric_grad(fn, p, upstream),
                               rtol=1e-5, atol=1e-7)


def test_sparse_crossentropy_gradient_with_ignore_class_and_axis(float64):
    labels = np.array([[0, 3, 1], [3, 2, 0]])
    p = normal((2, 4, 3), 7)                      # classes on axis 1
    fn = functools.partial(losses.sparse_categorical_crossentropy, labels, from_logits=True,
                           ignore_class=3, axis=1)
    upstream = rng(8).normal(size=(2, 3))
    g = tape_grad(fn, p, upstream)
    np.testing.assert_allclose(g, numeric_grad(fn, p, upstream), rtol=1e-5, atol=1e-7)
    assert np.all(g[0, :, 1] == 0) and np.all(g[1, :, 0] == 0)   # ignored entries


def test_gradient_with_broadcast_and_rank_alignment(float64):
    t = positive((6,), 1)                         # (N,) targets against (N, 1) predictions
    p = positive((6, 1), 2)
    fn = functools.partial(losses.mean_squared_error, t)
    up = rng(3).normal(size=(6,))
    np.testing.assert_allclose(tape_grad(fn, p, up), numeric_grad(fn, p, up), rtol=1e-6)
    t2 = positive((4, 3), 4)                      # (N, 3) targets against (N, 1) predictions
    p2 = positive((4, 1), 5)
    fn2 = functools.partial(losses.mean_squared_error, t2)
    up2 = rng(6).normal(size=(4,))
    np.testing.assert_allclose(tape_grad(fn2, p2, up2), numeric_grad(fn2, p2, up2), rtol=1e-6)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean", "none",
                                       "mean_with_sample_weight"])
@pytest.mark.parametrize("weight_shape", [None, (4,), (4, 1), (4, 5)])
def test_reduced_loss_gradient(reduction, weight_shape, float64):
    labels = rng(1).integers(0, 3, size=(4, 5))
    p = normal((4, 5, 3), 2)
    sw = None if weight_shape is None else rng(3).uniform(0.1, 2.0, size=weight_shape)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction)
    fn = functools.partial(loss, labels, sample_weight=sw)
    up = rng(4).normal(size=np.shape(fn(p)))
    np.testing.assert_allclose(tape_grad(fn, p, up), numeric_grad(fn, p, up), rtol=1e-5,
                               atol=1e-7)


def test_a_built_in_loss_call_records_two_ops(float64):
    p = convert_to_tensor(normal((8, 5), 1))
    for loss in (losses.CategoricalCrossentropy(from_logits=True), losses.MeanSquaredError(),
                 losses.BinaryCrossentropy()):
        with GradientTape() as tape:
            tape.watch(p)
            loss(onehot((8, 5), 2), p, sample_weight=np.ones(8))
            assert len(tape._nodes) == 2          # per-sample op + reduction op


def test_user_loss_function_gradient_through_wrapper(float64):
    def my_loss(y_true, y_pred):
        return np.mean((y_pred - y_true) ** 4, axis=-1)

    wrapper = losses.LossFunctionWrapper(my_loss, name="quartic")
    t, p = positive((3, 4), 1), positive((3, 4), 2)
    g = tape_grad(lambda x: wrapper(t, x), p, 1.0)
    np.testing.assert_allclose(g, 4 * (p - t) ** 3 / 12, rtol=1e-10)


def test_gradient_of_scalar_prediction_against_vector_targets(float64):
    t = positive((3,), 1)
    fn = functools.partial(losses.mean_squared_error, t)
    p = np.array(0.7)
    g = tape_grad(fn, p, 1.0)
    assert g.shape == ()
    np.testing.assert_allclose(g, np.mean(2 * (0.7 - t)), rtol=1e-10)
    p0 = np.array(1.3)
    fn0 = functools.partial(losses.mean_absolute_error, 0.5)
    np.testing.assert_allclose(tape_grad(fn0, p0, 1.0), 1.0)
