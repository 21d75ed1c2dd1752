"""Recurrent kernels (LSTM, GRU, SimpleRNN over a sequence): the compiled kernels equal
their NumPy twins, forward and backward, at 1 and 2 threads; the twins equal a step
formula written here; bad arguments raise before any kernel runs."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnfast
from nnfast.kernels.numpy_ref import rnn as ref

from .conftest import compiled, num_threads

TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-11, atol=1e-12)}


def _mod():
    compiled()
    from nnfast.kernels import compiled_rnn

    return compiled_rnn


@contextlib.contextmanager
def _min_rows(mod, rows):
    """Let the recurrence split even a tiny batch across threads."""
    saved = mod.PARALLEL_MIN_ROWS
    mod.PARALLEL_MIN_ROWS = rows
    try:
        yield
    finally:
        mod.PARALLEL_MIN_ROWS = saved


def _problem(kind, n, t, i, u, dtype, seed, masked, rmask, bias, reset_after=True, scale=0.6):
    rng = np.random.default_rng(seed)
    g = ref.GATES[kind]
    f = lambda *s: (rng.normal(size=s) * scale).astype(dtype)  # noqa: E731
    bshape = (2, 3 * u) if kind == "gru" and reset_after else (g * u,)
    mask = rng.random((n, t)) > 0.35 if masked else None
    rm = ((rng.random((n, u)) > 0.3) / 0.7).astype(dtype) if rmask else None
    return dict(x=f(n, t, i), h0=f(n, u), c0=f(n, u), kernel=f(i, g * u),
                recurrent_kernel=f(u, g * u), bias=f(*bshape) if bias else None, mask=mask,
                recurrent_mask=rm), rng


def _run(mod, kind, p, go_backwards, zero_output, reset_after=True):
    common = (p["kernel"], p["recurrent_kernel"], p["bias"], p["mask"], p["recurrent_mask"],
              go_backwards, zero_output)
    if kind == "lstm":
        out, h, c, cache = mod.lstm_forward(p["x"], p["h0"], p["c0"], *common)
        return [out, h, c], cache
    out, h, cache = mod.gru_forward(p["x"], p["h0"], *common, reset_after=reset_after)
    return [out, h], cache


def _backward(mod, kind, cache, grads, need_input=True):
    if kind == "lstm":
        return mod.lstm_backward(cache, *grads, need_input=need_input)
    return mod.gru_backward(cache, grads[0], grads[1], need_input=need_input)


def _assert_all_close(got, want, dtype):
    for g, w in zip(got, want):
        assert (g is None) == (w is None)
        if g is not None:
            assert g.dtype == np.dtype(dtype) and g.shape == w.shape
            np.testing.assert_allclose(g, w, **TOL[dtype])


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["lstm", "gru_after", "gru_before"]), n=st.integers(1, 9),
       t=st.integers(1, 7), i=st.integers(1, 6), u=st.integers(1, 9),
       dtype=st.sampled_from([np.float32, np.float64]), masked=st.booleans(),
       rmask=st.booleans(), bias=st.booleans(), go_backwards=st.booleans(),
       zero_output=st.booleans(), threads=st.sampled_from([1, 2]), seed=st.integers(0, 999))
def test_compiled_equals_twin_forward_and_backward(kind, n, t, i, u, dtype, masked, rmask,
                                                    bias, go_backwards, zero_output, threads,
                                                    seed):
    mod = _mod()
    reset_after = kind != "gru_before"
    kind = kind[:4].rstrip("_")
    p, rng = _problem(kind, n, t, i, u, dtype, seed, masked, rmask, bias, reset_after)
    want, want_cache = _run(ref, kind, p, go_backwards, zero_output, reset_after)
    with num_threads(threads), _min_rows(mod, 1):
        got, cache = _run(mod, kind, p, go_backwards, zero_output, reset_after)
    _assert_all_close(got, want, dtype)
    grads = [rng.normal(size=a.shape).astype(dtype) for a in want]
    if masked and seed % 3 == 0:
        grads[0] = None                               # no gradient for the outputs
    want_g = _backward(ref, kind, want_cache, grads)
    with num_threads(threads), _min_rows(mod, 1):
        got_g = _backward(mod, kind, cache, grads)
        cross = _backward(mod, kind, want_cache, grads)   # the twin's cache, compiled backward
    _assert_all_close(got_g, want_g, dtype)
    _assert_all_close(cross, want_g, dtype)


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _formula(kind, p, go_backwards, zero_output, reset_after):
    """One step at a time, as Keras's cells and its TF `rnn` loop define it."""
    x, h, c = p["x"].astype(np.float64), p["h0"].astype(np.float64), p["c0"].astype(np.float64)
    w, r, b = p["kernel"], p["recurrent_kernel"], p["bias"]
    n, t_len, _ = x.shape
    u = h.shape[1]
    y_prev, outs = np.zeros_like(h), []
    steps = range(t_len - 1, -1, -1) if go_backwards else range(t_len)
    for t in steps:
        hd = h if p["recurrent_mask"] is None else h * p["recurrent_mask"]
        if kind == "lstm":
            z = x[:, t] @ w + hd @ r + (0 if b is None else b)
            i_, f_, g_, o_ = np.split(z, 4, axis=1)
            c_new = _sig(f_) * c + _sig(i_) * np.tanh(g_)
            h_new = _sig(o_) * np.tanh(c_new)
        else:
            bi, br = (b[0], b[1]) if b is not None and b.ndim == 2 else (b, None)
            xz = x[:, t] @ w + (0 if bi is None else bi)
            if reset_after:
                inner = hd @ r + (0 if br is None else br)
                zg, rg = _sig(xz[:, :u] + inner[:, :u]), _sig(xz[:, u:2 * u] + inner[:, u:2 * u])
                hh = np.tanh(xz[:, 2 * u:] + rg * inner[:, 2 * u:])
            else:
                inner = hd @ r[:, :2 * u]
                zg, rg = _sig(xz[:, :u] + inner[:, :u]), _sig(xz[:, u:2 * u] + inner[:, u:])
                hh = np.tanh(xz[:, 2 * u:] + (rg * hd) @ r[:, 2 * u:])
            h_new, c_new = zg * h + (1 - zg) * hh, c
        m = np.ones((n, 1), bool) if p["mask"] is None else p["mask"][:, t, None]
        y_prev = np.where(m, h_new, 0 if zero_output else y_prev)
        h, c = np.where(m, h_new, h), np.where(m, c_new, c)
        outs.append(y_prev)
    return [np.stack(outs, axis=1), h] + ([c] if kind == "lstm" else [])


@pytest.mark.parametrize("kind,reset_after", [("lstm", True), ("gru", True), ("gru", False)])
@pytest.mark.parametrize("go_backwards,zero_output", [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_forward_equals_step_formula(kind, reset_after, go_backwards, zero_output, impl):
    mod = ref if impl == "numpy" else _mod()
    p, _ = _problem(kind, 4, 6, 3, 5, np.float64, 7, True, True, True, reset_after)
    p["mask"][0] = False                        # a fully masked sample keeps its h0
    got, _ = _run(mod, kind, p, go_backwards, zero_output, reset_after)
    want = _formula(kind, p, go_backwards, zero_output, reset_after)
    _assert_all_close(got, want, np.float64)
    np.testing.assert_array_equal(got[1][0], p["h0"][0])


@pytest.mark.parametrize("threads", [1, 2])
def test_float32_kernel_is_as_accurate_as_the_twin_on_long_saturating_sequences(threads):
    # The fast float32 sigmoid/tanh against the twin's libm ones: over 40 steps of large
    # weights (saturated gates, chaotic growth of rounding errors) both are compared with
    # the float64 result; the compiled kernel must not be less accurate than the twin.
    mod = _mod()
    p, _ = _problem("lstm", 8, 40, 16, 33, np.float32, 3, False, False, True, scale=1.5)
    p64 = {k: v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype == np.float32
           else v for k, v in p.items()}
    exact, exact_cache = _run(ref, "lstm", p64, False, False)
    twin, twin_cache = _run(ref, "lstm", p, False, False)
    with num_threads(threads), _min_rows(mod, 4):
        got, cache = _run(mod, "lstm", p, False, False)
        got_g = _backward(mod, "lstm", cache, [np.ones_like(a) for a in twin])
    twin_g = _backward(ref, "lstm", twin_cache, [np.ones_like(a) for a in twin])
    exact_g = _backward(ref, "lstm", exact_cache, [np.ones_like(a) for a in exact])
    for g, tw, ex in list(zip(got, twin, exact)) + list(zip(got_g, twin_g, exact_g)):
        scale = max(1.0, np.abs(ex).max())
        assert np.abs(g - ex).max() <= 2 * np.abs(tw - ex).max() + 2e-6 * scale


def test_extreme_preactivations_saturate_without_nan():
    mod = _mod()
    p, _ = _problem("lstm", 2, 3, 2, 3, np.float32, 1, False, False, True, scale=1.0)
    p["x"] = np.array([1e3, -1e3, 1e30], np.float32)[None, :, None] * np.ones((2, 3, 2), np.float32)
    got, _ = _run(mod, "lstm", p, False, False)
    want, _ = _run(ref, "lstm", p, False, False)
    assert all(np.isfinite(a).all() for a in got)
    _assert_all_close(got, want, np.float32)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_other_activations_run_on_the_twin(impl):
    mod = ref if impl == "numpy" else _mod()
    p, _ = _problem("lstm", 3, 4, 2, 3, np.float64, 2, True, False, True)
    acts = dict(activation=("relu", 0.0), recurrent_activation=("hard_sigmoid", 0.0))
    out, *_ = mod.lstm_forward(p["x"], p["h0"], p["c0"], p["kernel"], p["recurrent_kernel"],
                               p["bias"], p["mask"], **acts)
    want, *_ = ref.lstm_forward(p["x"], p["h0"], p["c0"], p["kernel"], p["recurrent_kernel"],
                                p["bias"], p["mask"], **acts)
    np.testing.assert_array_equal(out, want)


def test_simple_rnn_twin_equals_step_formula():
    p, _ = _problem("simple_rnn", 3, 5, 2, 4, np.float64, 5, True, False, True)
    out, h, _ = ref.simple_rnn_forward(p["x"], p["h0"], p["kernel"], p["recurrent_kernel"],
                                       p["bias"], p["mask"], activation=("relu", 0.0))
    hs, y = p["h0"], np.zeros_like(p["h0"])
    for t in range(5):
        m = p["mask"][:, t, None]
        new = np.maximum(p["x"][:, t] @ p["kernel"] + hs @ p["recurrent_kernel"] + p["bias"], 0)
        y, hs = np.where(m, new, y), np.where(m, new, hs)
        np.testing.assert_allclose(out[:, t], y, rtol=1e-12)
    np.testing.assert_allclose(h, hs, rtol=1e-12)


def test_backward_without_input_or_weight_gradients():
    mod = _mod()
    p, _ = _problem("gru", 3, 4, 2, 5, np.float32, 4, False, False, True)
    (out, h), cache = _run(mod, "gru", p, False, False)
    dx, dh0, dw, dr, db = mod.gru_backward(cache, np.ones_like(out), None, need_input=False,
                                           need_weights=False)
    assert dx is None and dw is None and dr is None and db is None
    assert dh0.shape == (3, 5)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_bad_arguments_raise_before_running(impl):
    mod = ref if impl == "numpy" else _mod()
    p, _ = _problem("lstm", 2, 3, 4, 5, np.float32, 0, False, False, True)
    args = lambda **kw: {**p, **kw}  # noqa: E731

    def fwd(q):
        return mod.lstm_forward(q["x"], q["h0"], q["c0"], q["kernel"], q["recurrent_kernel"],
                                q["bias"], q["mask"], q["recurrent_mask"])

    with pytest.raises(ValueError, match=r"lstm_forward: expected kernel of shape \(4, 20\)"):
        fwd(args(kernel=np.zeros((3, 20), np.float32)))
    with pytest.raises(ValueError, match=r"recurrent_kernel of shape \(units, 4 \* units\)"):
        fwd(args(recurrent_kernel=np.zeros((5, 5), np.float32)))
    with pytest.raises(ValueError, match=r"initial_c of shape \(2, 5\)"):
        fwd(args(c0=np.zeros((2, 4), np.float32)))
    with pytest.raises(ValueError, match=r"mask of shape \(2, 3\)"):
        fwd(args(mask=np.ones((2, 4), bool)))
    with pytest.raises(ValueError, match="timesteps >= 1"):
        fwd(args(x=np.zeros((2, 0, 4), np.float32)))
    with pytest.raises(ValueError, match=r"bias of shape \(20,\)"):
        fwd(args(bias=np.zeros(15, np.float32)))
    with pytest.raises(TypeError, match="one dtype"):
        fwd(args(h0=p["h0"].astype(np.float64)))
    with pytest.raises(ValueError, match=r"bias of shape \(2, 15\)"):
        mod.gru_forward(p["x"], p["h0"], np.zeros((4, 15), np.float32),
                        np.zeros((5, 15), np.float32), np.zeros(15, np.float32))
    with pytest.raises(ValueError, match="must be elementwise"):
        mod.lstm_forward(p["x"], p["h0"], p["c0"], p["kernel"], p["recurrent_kernel"],
                         activation=("softmax", 0.0))
    _, _, _, cache = fwd(p)
    with pytest.raises(ValueError, match=r"d_outputs of shape \(2, 3, 5\)"):
        mod.lstm_backward(cache, np.zeros((2, 3, 4), np.float32))
    with pytest.raises(TypeError, match="cache of a gru forward"):
        mod.gru_backward(cache)


def test_direct_kernel_call_with_inconsistent_arrays_raises():
    compiled()
    from nnfast._ext import lstm

    f = np.zeros

    def call(out_shape=(2, 3, 2), scratch=(2, 10)):
        lstm.lstm_forward(f((2, 3, 8), np.float32), f((8, 2), np.float32), f(8, np.float32),
                          f((2, 3, 2), np.float32), f((2, 3, 2), np.float32),
                          f((2, 3, 2), np.float32), f(out_shape, np.float32),
                          f((2, 2), np.float32), f((2, 2), np.float32), None, None,
                          False, False, f(scratch, np.float32), 1)

    call()
    with pytest.raises(ValueError, match="rnn kernel: sequences must have shape"):
        call(out_shape=(2, 4, 2))
    with pytest.raises(ValueError, match="rnn kernel: scratch must have shape"):
        call(scratch=(2, 9))


def test_registry_picks_compiled_rnn_kernels():
    compiled()
    for name in ("lstm_forward", "lstm_backward", "gru_forward", "gru_backward"):
        assert nnfast.kernels.which(name) == "cython"
    assert nnfast.kernels.which("simple_rnn_forward") == "numpy"


def test_blas_cap_is_restored_after_parallel_runs_from_several_python_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import threading

    mod = _mod()
    p, _ = _problem("lstm", 16, 5, 3, 9, np.float32, 0, False, False, True)
    want, _ = _run(ref, "lstm", p, False, False)
    results = []

    def work():
        got, _ = _run(mod, "lstm", p, False, False)
        results.append(got)

    with num_threads(2), _min_rows(mod, 2):
        before = [(i["filepath"], i["num_threads"]) for i in threadpoolctl.threadpool_info()]
        workers = [threading.Thread(target=work) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        after = [(i["filepath"], i["num_threads"]) for i in threadpoolctl.threadpool_info()]
    assert after == before
    assert len(results) == 4
    for got in results:
        _assert_all_close(got, want, np.float32)
