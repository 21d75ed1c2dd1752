"""The first steps of every optimizer equal its update rule written out in NumPy.

Each reference below is Keras 3's rule (keras/src/optimizers/<name>.py) in plain float64
NumPy; two parameters of different shapes check that the fused kernel walks the list.
"""
import numpy as np
import pytest

import nnfast
from nnfast import optimizers

SHAPES = [(3, 2), (4,)]
STEPS = 3


def _grads(step):
    rng = np.random.default_rng(100 + step)
    return [rng.normal(size=s) for s in SHAPES]


def _initial():
    rng = np.random.default_rng(7)
    return [rng.normal(size=s) for s in SHAPES]


def _run(opt, dtype):
    variables = [nnfast.Variable(w, dtype=dtype, name=f"w{i}") for i, w in enumerate(_initial())]
    history = []
    for t in range(STEPS):
        opt.apply_gradients(zip([g.astype(dtype) for g in _grads(t)], variables))
        history.append([v.numpy().astype(np.float64) for v in variables])
    return history


# ---- references -------------------------------------------------------------------------
def ref_sgd(lr, momentum=0.0, nesterov=False):
    ws, ms = _initial(), [np.zeros(s) for s in SHAPES]
    out = []
    for t in range(STEPS):
        for i, g in enumerate(_grads(t)):
            if momentum:
                ms[i] = momentum * ms[i] - lr * g
                ws[i] = ws[i] + (momentum * ms[i] - lr * g if nesterov else ms[i])
            else:
                ws[i] = ws[i] - lr * g
        out.append([w.copy() for w in ws])
    return out


def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0):
    ws = _initial()
    m, v, vhat = ([np.zeros(s) for s in SHAPES] for _ in range(3))
    out = []
    for t in range(1, STEPS + 1):
        for i, g in enumerate(_grads(t - 1)):
            ws[i] = ws[i] - ws[i] * wd * lr
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            second = v[i]
            if amsgrad:
                vhat[i] = np.maximum(vhat[i], v[i])
                second = vhat[i]
            ws[i] = ws[i] - alpha * m[i] / (np.sqrt(second) + eps)
        out.append([w.copy() for w in ws])
    return out


def ref_adamax(lr, b1=0.9, b2=0.999, eps=1e-7):
    ws = _initial()
    m, u = [np.zeros(s) for s in SHAPES], [np.zeros(s) for s in SHAPES]
    out = []
    for t in range(1, STEPS + 1):
        for i, g in enumerate(_grads(t - 1)):
            m[i] = b1 * m[i] + (1 - b1) * g
            u[i] = np.maximum(b2 * u[i], np.abs(g))
            ws[i] = ws[i] - lr / (1 - b1**t) * m[i] / (u[i] + eps)
        out.append([w.copy() for w in ws])
    return out


def ref_nadam(lr, b1=0.9, b2=0.999, eps=1e-7):
    ws = _initial()
    m, v = [np.zeros(s) for s in SHAPES], [np.zeros(s) for s in SHAPES]
    u_product = 1.0
    out = []
    for t in range(1, STEPS + 1):
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        for i, g in enumerate(_grads(t - 1)):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = u_next * m[i] / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
            v_hat = v[i] / (1 - b2**t)
            ws[i] = ws[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append([w.copy() for w in ws])
    return out


def ref_rmsprop(lr, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    ws = _initial()
    v, mom, avg = ([np.zeros(s) for s in SHAPES] for _ in range(3))
    out = []
    for t in range(STEPS):
        for i, g in enumerate(_grads(t)):
            v[i] = rho * v[i] + (1 - rho) * g * g
            denom = v[i] + eps
            if centered:
                avg[i] = rho * avg[i] + (1 - rho) * g
                denom = v[i] - avg[i] ** 2 + eps
            inc = lr * g / np.sqrt(denom)
            if momentum:
                mom[i] = momentum * mom[i] + inc
                ws[i] = ws[i] - mom[i]
            else:
                ws[i] = ws[i] - inc
        out.append([w.copy() for w in ws])
    return out


def ref_adagrad(lr, init=0.1, eps=1e-7):
    ws, acc = _initial(), [np.full(s, init) for s in SHAPES]
    out = []
    for t in range(STEPS):
        for i, g in enumerate(_grads(t)):
            acc[i] = acc[i] + g * g
            ws[i] = ws[i] - lr * g / np.sqrt(acc[i] + eps)
        out.append([w.copy() for w in ws])
    return out


def ref_adadelta(lr, rho=0.95, eps=1e-7):
    ws = _initial()
    acc_g, acc_d = [np.zeros(s) for s in SHAPES], [np.zeros(s) for s in SHAPES]
    out = []
    for t in range(STEPS):
        for i, g in enumerate(_grads(t)):
            acc_g[i] = rho * acc_g[i] + (1 - rho) * g * g
            delta = -np.sqrt(acc_d[i] + eps) * g / np.sqrt(acc_g[i] + eps)
            acc_d[i] = rho * acc_d[i] + (1 - rho) * delta * delta
            ws[i] = ws[i] + lr * delta
        out.append([w.copy() for w in ws])
    return out


CASES = {
    "sgd": (lambda: optimizers.SGD(0.1), lambda: ref_sgd(0.1)),
    "sgd_momentum": (lambda: optimizers.SGD(0.1, momentum=0.9),
                     lambda: ref_sgd(0.1, momentum=0.9)),
    "sgd_nesterov": (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                     lambda: ref_sgd(0.1, momentum=0.9, nesterov=True)),
    "adam": (lambda: optimizers.Adam(0.01), lambda: ref_adam(0.01)),
    "adam_amsgrad": (lambda: optimizers.Adam(0.01, beta_1=0.8, beta_2=0.9, amsgrad=True),
                     lambda: ref_adam(0.01, b1=0.8, b2=0.9, amsgrad=True)),
    "adamw": (lambda: optimizers.AdamW(0.01, weight_decay=0.1),
              lambda: ref_adam(0.01, wd=0.1)),
    "adamax": (lambda: optimizers.Adamax(0.01), lambda: ref_adamax(0.01)),
    "nadam": (lambda: optimizers.Nadam(0.01), lambda: ref_nadam(0.01)),
    "rmsprop": (lambda: optimizers.RMSprop(0.01), lambda: ref_rmsprop(0.01)),
    "rmsprop_momentum": (lambda: optimizers.RMSprop(0.01, momentum=0.5),
                         lambda: ref_rmsprop(0.01, momentum=0.5)),
    "rmsprop_centered": (lambda: optimizers.RMSprop(0.01, centered=True),
                         lambda: ref_rmsprop(0.01, centered=True)),
    "rmsprop_centered_momentum": (
        lambda: optimizers.RMSprop(0.01, rho=0.8, momentum=0.3, centered=True),
        lambda: ref_rmsprop(0.01, rho=0.8, momentum=0.3, centered=True)),
    "adagrad": (lambda: optimizers.Adagrad(0.1), lambda: ref_adagrad(0.1)),
    "adagrad_init": (lambda: optimizers.Adagrad(0.1, initial_accumulator_value=1.0),
                     lambda: ref_adagrad(0.1, init=1.0)),
    "adadelta": (lambda: optimizers.Adadelta(1.0), lambda: ref_adadelta(1.0)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_steps_equal_reference_float64(case, float64):
    make, ref = CASES[case]
    for got, want in zip(_run(make(), "float64"), ref()):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_steps_equal_reference_float32(case):
    make, ref = CASES[case]
    for got, want in zip(_run(make(), "float32"), ref()):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_updates_move_the_weights(case):
    # Guard against a reference and an implementation that agree by doing nothing.
    make, _ = CASES[case]
    history = _run(make(), "float32")
    assert not np.allclose(history[-1][0], _initial()[0])


def test_weight_decay_is_decoupled_and_uses_the_learning_rate(float64):
    # SGD with weight decay: w <- w - lr*wd*w, then w <- w - lr*g (Keras 3's order).
    w0 = np.array([1.0, -2.0])
    g = np.array([0.5, 0.25])
    w = nnfast.Variable(w0)
    optimizers.SGD(0.1, weight_decay=0.2).apply([g], [w])
    np.testing.assert_allclose(w.numpy(), (w0 - w0 * 0.2 * 0.1) - 0.1 * g, rtol=1e-14)


def test_exclude_from_weight_decay_by_variable_and_by_name(float64):
    g = np.ones(2)
    a, b, c = (nnfast.Variable(np.ones(2), name=n) for n in ("kernel", "bias", "other"))
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[c], var_names=["bias"])
    opt.apply([g, g, g], [a, b, c])
    np.testing.assert_allclose(a.numpy(), 1 - 0.05 - 0.1)
    np.testing.assert_allclose(b.numpy(), 1 - 0.1)
    np.testing.assert_allclose(c.numpy(), 1 - 0.1)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_nadam_u_product_tracks_the_momentum_schedule(float64):
    opt = optimizers.Nadam(0.01)
    w = nnfast.Variable(np.zeros(3))
    for _ in range(3):
        opt.apply([np.ones(3)], [w])
    expected = np.prod([0.9 * (1 - 0.5 * 0.96**t) for t in (1, 2, 3)])
    assert opt.variables[-1].path.endswith("u_product")
    np.testing.assert_allclose(float(opt.variables[-1].numpy()), expected, rtol=1e-12)
