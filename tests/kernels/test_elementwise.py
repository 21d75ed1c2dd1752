"""Bias add/grad, the fused bias + activation, and the fused softmax + cross-entropy:
compiled kernels equal their NumPy twins, twins equal formulas written here."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnfast.kernels.numpy_ref import elementwise as ref

from .conftest import assert_close, compiled, num_threads

DTYPES = [np.float32, np.float64]
ALPHA = {"leaky_relu": 0.3, "elu": 0.7}


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(0, 30), min_size=1, max_size=3).map(tuple),
       dtype=st.sampled_from(DTYPES), threads=st.sampled_from([1, 2]), seed=st.integers(0, 999))
def test_bias_add_and_bias_grad_equal_twin_and_formula(shape, dtype, threads, seed):
    mod = compiled()
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    b = rng.normal(size=shape[-1]).astype(dtype)
    with num_threads(threads):
        y, db = mod.bias_add(x, b), mod.bias_grad(x)
    rows = int(np.prod(shape[:-1]))
    assert_close(y, ref.bias_add(x, b), dtype)
    assert_close(ref.bias_add(x, b), x + b, dtype)
    assert_close(db, ref.bias_grad(x), dtype, rows)
    assert_close(ref.bias_grad(x), x.reshape(rows, shape[-1]).astype(np.float64).sum(0).astype(dtype),
                 dtype, rows)


def test_bias_grad_is_identical_at_1_and_2_threads():
    # Threads split the columns, each column is summed in the same order: bit-identical.
    mod = compiled()
    x = np.random.default_rng(0).normal(size=(512, 130)).astype(np.float32)
    with num_threads(1):
        one = mod.bias_grad(x)
    with num_threads(2):
        two = mod.bias_grad(x)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(one, x.astype(np.float64).sum(0), rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_bias_add_out_dtype_and_non_contiguous(impl):
    mod = ref if impl == "numpy" else compiled()
    x = np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2]
    b = np.array([1.0, 2.0, 3.0])                     # float64 bias: result stays float32
    y = mod.bias_add(x, b)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, x + b.astype(np.float32))
    out = np.zeros((3, 4), np.float32).T
    assert mod.bias_add(x, b, out=out) is out
    np.testing.assert_array_equal(out, y)
    np.testing.assert_array_equal(mod.bias_grad(x), x.sum(0))


@settings(max_examples=80, deadline=None)
@given(shape=st.tuples(st.integers(0, 40), st.integers(1, 33)), dtype=st.sampled_from(DTYPES),
       kind=st.sampled_from(ref.KINDS), with_bias=st.booleans(), threads=st.sampled_from([1, 2]),
       seed=st.integers(0, 999))
def test_bias_activation_forward_equals_twin(shape, dtype, kind, with_bias, threads, seed):
    mod = compiled()
    rng = np.random.default_rng(seed)
    z = rng.normal(size=shape).astype(dtype)
    bias = rng.normal(size=shape[1]).astype(dtype) if with_bias else None
    alpha = ALPHA.get(kind, 0.0)
    y_ref, pre_ref = ref.bias_activation_forward(kind, z.copy(), bias, alpha)
    with num_threads(threads):
        y, pre = mod.bias_activation_forward(kind, z.copy(), bias, alpha)
    k = shape[1] if kind in ("softmax", "log_softmax") else 1
    assert_close(y, y_ref, dtype, k)
    zb = z + bias if with_bias else z
    assert_close(y_ref, ref.activation_forward(kind, zb, alpha), dtype, k)
    assert (pre is None) == (pre_ref is None) == (not ref.needs_input(kind))
    if pre is not None:
        assert_close(pre, zb, dtype)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_bias_activation_forward_reuses_z_and_takes_any_layout(impl):
    mod = ref if impl == "numpy" else compiled()
    rng = np.random.default_rng(1)
    z = rng.normal(size=(5, 4))
    b = rng.normal(size=4)
    want = np.maximum(z + b, 0)
    buf = z.copy()
    y, pre = mod.bias_activation_forward("relu", buf, b)
    assert pre is None and np.shares_memory(y, buf)      # relu: y written over z
    np.testing.assert_allclose(y, want)
    y, pre = mod.bias_activation_forward("gelu", z.copy(), b)   # pre kept for the backward
    np.testing.assert_allclose(pre, z + b)
    z3 = rng.normal(size=(2, 3, 4))                      # rank 3 and non-contiguous z
    for zz in (z3, rng.normal(size=(4, 10))[:, ::2][:, :4]):
        y, _ = mod.bias_activation_forward("tanh", zz.copy(), b)
        np.testing.assert_allclose(y, np.tanh(zz + b), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 50), c=st.integers(1, 20), sparse=st.booleans(),
       dtype=st.sampled_from(DTYPES), threads=st.sampled_from([1, 2]), seed=st.integers(0, 999))
def test_softmax_cross_entropy_equals_twin_and_formula(n, c, sparse, dtype, threads, seed):
    mod = compiled()
    rng = np.random.default_rng(seed)
    logits = (rng.normal(size=(n, c)) * 5).astype(dtype)
    if sparse:
        labels = rng.integers(0, c, size=n).astype(rng.choice([np.int32, np.int64]))
        onehot = np.eye(c)[labels]
    else:
        labels = rng.dirichlet(np.ones(c), size=n).astype(dtype) * rng.uniform(0.5, 2)
        onehot = labels.astype(np.float64)
    dloss = rng.normal(size=n).astype(dtype)
    with num_threads(threads):
        loss, probs = mod.softmax_cross_entropy(logits, labels, sparse)
        dlogits = mod.softmax_cross_entropy_backward(probs, labels, sparse, dloss)
    loss_ref, probs_ref = ref.softmax_cross_entropy(logits, labels, sparse)
    dlogits_ref = ref.softmax_cross_entropy_backward(probs_ref, labels, sparse, dloss)
    assert_close(loss, loss_ref, dtype, c)
    assert_close(probs, probs_ref, dtype, c)
    assert_close(dlogits, dlogits_ref, dtype, c)
    # The twin against the formulas: loss = -sum(labels * log_softmax), d = (p*sum(t) - t)*dl.
    l64 = logits.astype(np.float64)
    log_sm = l64 - np.log(np.exp(l64 - l64.max(1, keepdims=True)).sum(1, keepdims=True)) \
        - l64.max(1, keepdims=True)
    assert_close(loss_ref, (-(onehot * log_sm).sum(1)).astype(dtype), dtype, c)
    assert_close(probs_ref, np.exp(log_sm).astype(dtype), dtype, c)
    want_d = (np.exp(log_sm) * onehot.sum(1, keepdims=True) - onehot) * dloss[:, None]
    assert_close(dlogits_ref, want_d.astype(dtype), dtype, c)


def test_softmax_cross_entropy_gradient_equals_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4))
    for labels, sparse in ((np.array([0, 3, 1]), True), (rng.dirichlet(np.ones(4), 3), False)):
        dloss = rng.normal(size=3)
        _, probs = ref.softmax_cross_entropy(logits, labels, sparse)
        got = ref.softmax_cross_entropy_backward(probs, labels, sparse, dloss)
        num = np.zeros_like(logits)
        for idx in np.ndindex(*logits.shape):
            lp, lm = logits.copy(), logits.copy()
            lp[idx] += 1e-6
            lm[idx] -= 1e-6
            num[idx] = ((ref.softmax_cross_entropy(lp, labels, sparse)[0]
                         - ref.softmax_cross_entropy(lm, labels, sparse)[0]) * dloss).sum() / 2e-6
        np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-8)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    mod = compiled()
    logits = np.array([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 1e4]], np.float32)
    for impl in (ref, mod):
        loss, probs = impl.softmax_cross_entropy(logits, np.array([0, 2]), True)
        np.testing.assert_allclose(loss, [0.0, np.log(2)], atol=1e-6)
        np.testing.assert_allclose(probs, [[1, 0, 0], [0, 0.5, 0.5]], atol=1e-6)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_bad_inputs_raise_before_the_kernel(impl):
    mod = ref if impl == "numpy" else compiled()
    f = np.zeros((2, 3), "f")
    sce, sce_b = mod.softmax_cross_entropy, mod.softmax_cross_entropy_backward
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: labels must be class "
                                         r"indices in \[0, 3\) for 3 classes. Received label 3"):
        sce(f, np.array([0, 3]), True)
    with pytest.raises(ValueError, match="Received label -1"):
        sce(f, np.array([0, -1]), True)
    with pytest.raises(ValueError, match=r"softmax_cross_entropy_backward: labels .*Received label 7"):
        sce_b(f, np.array([7, 0]), True, np.ones(2, "f"))
    with pytest.raises(TypeError, match="sparse labels must be integer"):
        sce(f, np.array([0.0, 1.0]), True)
    with pytest.raises(ValueError, match=r"sparse labels must have shape \(2,\)"):
        sce(f, np.array([0, 1, 2]), True)
    with pytest.raises(ValueError, match="labels must have the logits' shape"):
        sce(f, np.zeros((2, 4), "f"), False)
    with pytest.raises(ValueError, match="2-D logits"):
        sce(np.zeros(3, "f"), np.array([0]), True)
    with pytest.raises(ValueError, match="at least one class"):
        sce(np.zeros((2, 0), "f"), np.zeros((2, 0), "f"), False)
    with pytest.raises(ValueError, match=r"dloss must have shape \(2,\)"):
        sce_b(f, np.array([0, 1]), True, np.ones(3, "f"))
    with pytest.raises(TypeError, match="float32 or float64"):
        sce(np.zeros((2, 3), "i"), np.array([0, 1]), True)
    with pytest.raises(ValueError, match="bias must be 1-D"):
        mod.bias_add(f, np.zeros(4, "f"))
    with pytest.raises(TypeError, match="bias_add expects a float32 or float64"):
        mod.bias_add(np.zeros((2, 3), "i"), np.zeros(3, "f"))
    with pytest.raises(ValueError, match="rank >= 1"):
        mod.bias_grad(np.zeros((), "f"))
    with pytest.raises(ValueError, match="bias must be 1-D"):
        mod.bias_activation_forward("relu", f, np.zeros(2, "f"))
    with pytest.raises(ValueError, match="Unknown activation kind"):
        mod.bias_activation_forward("nope", f, None)


def test_extension_entry_points_recheck_shapes():
    # Called directly (bypassing the adapters), the Cython functions refuse mismatched
    # arrays instead of reading or writing outside them.
    compiled()
    from nnfast._ext import elementwise as ext

    f = np.zeros((2, 3))
    with pytest.raises(ValueError, match="shapes do not match"):
        ext.bias_add(f, np.zeros(5), np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="shapes do not match"):
        ext.softmax(np.zeros((2, 0)), np.zeros((2, 0)), False, 1)
    with pytest.raises(ValueError, match="shapes do not match"):
        ext.softmax_cross_entropy_sparse(f, np.zeros(3, np.int64), np.zeros(2), f.copy(), 1)
    loss = np.zeros(2)
    ext.softmax_cross_entropy_sparse(f, np.array([0, 9], np.int64), loss, f.copy(), 1)
    assert np.isnan(loss[1]) and loss[0] == pytest.approx(np.log(3))   # bad label: no read
