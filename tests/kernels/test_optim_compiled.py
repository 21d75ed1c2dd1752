"""The compiled fused optimizer updates equal their NumPy twins (several steps, every
option, float32 and float64, at 1 and 2 threads), and refuse mismatched slots."""
import contextlib

import numpy as np
import pytest

from nnfast.kernels.numpy_ref import optim as ref

from .conftest import compiled, num_threads

SHAPES = [(7, 5), (13,), (1,), (3, 4, 2)]


def _mod():
    compiled()
    from nnfast.kernels import compiled_optim

    return compiled_optim


@contextlib.contextmanager
def _threads(n):
    mod = _mod()
    saved = mod.PARALLEL_MIN_ELEMENTS
    mod.PARALLEL_MIN_ELEMENTS = 0
    try:
        with num_threads(n):
            yield mod
    finally:
        mod.PARALLEL_MIN_ELEMENTS = saved


def _state(rng, dtype, n_slots):
    params = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    slots = [[np.abs(rng.normal(size=s)).astype(dtype) * 0.1 for s in SHAPES] for _ in range(n_slots)]
    # RMSprop's centred average starts at zero, so v - mean(g)^2 stays a variance (>= 0).
    slots[2] = [np.zeros(s, dtype) for s in SHAPES]
    return params, slots


def _run(kind, impl, params, slots, rng_seed, steps=3, **kw):
    rng = np.random.default_rng(rng_seed)
    for step in range(1, steps + 1):
        grads = [rng.normal(size=p.shape).astype(p.dtype) for p in params]
        if kind == "sgd":
            impl.sgd_update(params, grads, slots[0] if kw["momentum"] else None, 0.1,
                            kw["momentum"], kw["nesterov"], kw["decay"])
        elif kind == "adam":
            impl.adam_update(params, grads, slots[0], slots[1], slots[2] if kw["amsgrad"] else None,
                             0.01, 0.9, 0.999, 1e-7, step, kw["amsgrad"], kw["decay"])
        else:
            impl.rmsprop_update(params, grads, slots[0], slots[1] if kw["momentum"] else None,
                                slots[2] if kw["centered"] else None, 0.01, 0.9, kw["momentum"],
                                1e-7, kw["centered"], kw["decay"])


CASES = [("sgd", dict(momentum=0.0, nesterov=False, decay=0.0)),
         ("sgd", dict(momentum=0.9, nesterov=False, decay=0.01)),
         ("sgd", dict(momentum=0.9, nesterov=True, decay=0.0)),
         ("adam", dict(amsgrad=False, decay=0.0)),
         ("adam", dict(amsgrad=True, decay=0.004)),
         ("rmsprop", dict(momentum=0.0, centered=False, decay=0.0)),
         ("rmsprop", dict(momentum=0.5, centered=True, decay=0.01))]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind,kw", CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_compiled_updates_equal_twins(kind, kw, dtype, threads, rng):
    params, slots = _state(rng, dtype, 3)
    p2 = [p.copy() for p in params]
    s2 = [[s.copy() for s in group] for group in slots]
    with _threads(threads) as mod:
        _run(kind, mod, params, slots, 7, **kw)
    _run(kind, ref, p2, s2, 7, **kw)
    tol = dict(rtol=2e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-15)
    for a, b in zip(params, p2):
        assert np.isfinite(a).all()
        np.testing.assert_allclose(a, b, **tol)
    for group_a, group_b in zip(slots, s2):
        for a, b in zip(group_a, group_b):
            np.testing.assert_allclose(a, b, **tol)


def test_mismatched_slots_and_gradients_are_refused():
    mod = _mod()
    p = [np.zeros((3, 2), np.float32)]
    with pytest.raises(ValueError, match="gradient has shape"):
        mod.sgd_update(p, [np.zeros((2, 3), np.float32)], None, 0.1, 0.0, False)
    with pytest.raises(ValueError, match="momentum slot has shape"):
        mod.sgd_update(p, [np.zeros((3, 2), np.float32)], [np.zeros(5, np.float32)], 0.1, 0.9, False)
    with pytest.raises(ValueError, match="C-contiguous"):
        mod.adam_update([np.zeros((4, 4), np.float32)[:, ::2]], [np.zeros((4, 2), np.float32)],
                        [np.zeros((4, 2), np.float32)], [np.zeros((4, 2), np.float32)], None,
                        0.1, 0.9, 0.999, 1e-7, 1, False)
