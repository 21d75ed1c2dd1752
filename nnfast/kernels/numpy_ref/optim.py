"""Fused optimizer updates (NumPy twins): one call updates every parameter of a model.

Each kernel takes parallel lists of ndarrays (the parameters and their slot buffers, all
C-contiguous, updated IN PLACE — the buffers never move) and the gradients (same shapes
and dtypes as the parameters, read only), plus Python scalars. Updates follow Keras 3's
rules exactly (keras/src/optimizers/*.py); bias corrections are computed in float64 on
the host. `weight_decay` is decoupled, applied before the update as Keras does
(`w -= w * weight_decay * lr`); it is a float for every parameter, or a sequence of one
float per parameter (0.0 where a parameter is excluded). `step` is the 1-based step
number (`optimizer.iterations + 1`).

    sgd_update(params, grads, momenta, lr, momentum, nesterov, weight_decay=0.0)
        momenta: list, or None when momentum == 0 (plain SGD).
    adam_update(params, grads, m, v, vhat, lr, beta_1, beta_2, epsilon, step, amsgrad,
                weight_decay=0.0)
        vhat: list when amsgrad, else None.
    adamax_update(params, grads, m, u, lr, beta_1, beta_2, epsilon, step, weight_decay=0.0)
    nadam_update(params, grads, m, v, lr, beta_1, beta_2, epsilon, step, u_product,
                 weight_decay=0.0)
        u_product: the running product of the momentum schedule, already including this
        step's factor (the optimizer owns and updates that scalar).
    rmsprop_update(params, grads, velocities, momenta, average_grads, lr, rho, momentum,
                   epsilon, centered, weight_decay=0.0)
        momenta: list when momentum > 0, else None; average_grads: list when centered.
    adagrad_update(params, grads, accumulators, lr, epsilon, weight_decay=0.0)
    adadelta_update(params, grads, accumulated_grads, accumulated_deltas, lr, rho, epsilon,
                    weight_decay=0.0)

Scratch: temporaries come from a per-thread pool of flat buffers (two per dtype, grown to
the largest parameter seen), so a step allocates nothing once warm.
"""
import math
import threading

import numpy as np

from nnfast.kernels import register

_local = threading.local()


def _scratch(p, k=0):
    """A reusable buffer shaped like `p` (slot k of this thread's pool)."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (p.dtype.str, k)
    buf = pool.get(key)
    if buf is None or buf.size < p.size:
        buf = pool[key] = np.empty(p.size, dtype=p.dtype)
    return buf[: p.size].reshape(p.shape)


def _decay(p, t, lr, weight_decay, i):
    wd = weight_decay[i] if isinstance(weight_decay, (list, tuple, np.ndarray)) else weight_decay
    if wd:
        np.multiply(p, wd * lr, out=t)
        np.subtract(p, t, out=p)


def _moments(g, m, v, t, beta_1, beta_2):
    """m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2) — Keras's in-place form."""
    np.subtract(g, m, out=t)
    t *= 1.0 - beta_1
    m += t
    np.square(g, out=t)
    t -= v
    t *= 1.0 - beta_2
    v += t


def sgd_update(params, grads, momenta, lr, momentum, nesterov, weight_decay=0.0):
    for i, (p, g) in enumerate(zip(params, grads)):
        t = _scratch(p)
        _decay(p, t, lr, weight_decay, i)
        np.multiply(g, lr, out=t)                 # t = lr * g
        if momenta is None:
            p -= t
            continue
        m = momenta[i]
        m *= momentum
        m -= t                                    # m = momentum * m - lr * g
        if nesterov:
            p -= t                                # w += momentum * m - lr * g
            np.multiply(m, momentum, out=t)
            p += t
        else:
            p += m


def adam_update(params, grads, m, v, vhat, lr, beta_1, beta_2, epsilon, step, amsgrad,
                weight_decay=0.0):
    # Keras folds both bias corrections into the step size.
    alpha = lr * math.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
    for i, (p, g) in enumerate(zip(params, grads)):
        t = _scratch(p)
        _decay(p, t, lr, weight_decay, i)
        _moments(g, m[i], v[i], t, beta_1, beta_2)
        second = v[i]
        if amsgrad:
            np.maximum(vhat[i], v[i], out=vhat[i])
            second = vhat[i]
        np.sqrt(second, out=t)
        t += epsilon
        np.divide(m[i], t, out=t)
        t *= alpha
        p -= t


def adamax_update(params, grads, m, u, lr, beta_1, beta_2, epsilon, step, weight_decay=0.0):
    correction = 1.0 - beta_1**step
    for i, (p, g) in enumerate(zip(params, grads)):
        t = _scratch(p)
        _decay(p, t, lr, weight_decay, i)
        mi, ui = m[i], u[i]
        np.subtract(g, mi, out=t)
        t *= 1.0 - beta_1
        mi += t
        ui *= beta_2
        np.absolute(g, out=t)
        np.maximum(ui, t, out=ui)                 # u = max(b2 * u, |g|)
        np.add(ui, epsilon, out=t)
        t *= correction
        np.divide(mi, t, out=t)
        t *= lr
        p -= t


def nadam_update(params, grads, m, v, lr, beta_1, beta_2, epsilon, step, u_product,
                 weight_decay=0.0):
    u_t = beta_1 * (1.0 - 0.5 * 0.96**step)
    u_t1 = beta_1 * (1.0 - 0.5 * 0.96 ** (step + 1))
    c_m = u_t1 / (1.0 - u_product * u_t1)
    c_g = (1.0 - u_t) / (1.0 - u_product)
    v_corr = 1.0 - beta_2**step
    for i, (p, g) in enumerate(zip(params, grads)):
        t = _scratch(p)
        t2 = _scratch(p, 1)
        _decay(p, t, lr, weight_decay, i)
        _moments(g, m[i], v[i], t, beta_1, beta_2)
        np.multiply(g, c_g, out=t)
        np.multiply(m[i], c_m, out=t2)
        t += t2                                   # m_hat
        np.divide(v[i], v_corr, out=t2)
        np.sqrt(t2, out=t2)
        t2 += epsilon
        t /= t2
        t *= lr
        p -= t


def rmsprop_update(params, grads, velocities, momenta, average_grads, lr, rho, momentum,
                   epsilon, centered, weight_decay=0.0):
    for i, (p, g) in enumerate(zip(params, grads)):
        t = _scratch(p)
        _decay(p, t, lr, weight_decay, i)
        vel = velocities[i]
        vel *= rho
        np.square(g, out=t)
        t *= 1.0 - rho
        vel += t
        if centered:
            ag = average_grads[i]
            ag *= rho
            np.multiply(g, 1.0 - rho, out=t)
            ag += t
            np.square(ag, out=t)
            np.subtract(vel, t, out=t)
            t += epsilon                          # v - mean(g)^2 + eps
        else:
            np.add(vel, epsilon, out=t)
        np.sqrt(t, out=t)
        np.divide(g, t, out=t)
        t *= lr                                   # increment
        if momenta is not None:
            mom = momenta[i]
            mom *= momentum
            mom += t
            p -= mom
        else:
            p -= t


def adagrad_update(params, grads, accumulators, lr, epsilon, weight_decay=0.0):
    for i, (p, g) in enumerate(zip(params, grads)):
        t = _scratch(p)
        _decay(p, t, lr, weight_decay, i)
        acc = accumulators[i]
        np.square(g, out=t)
        acc += t
        np.add(acc, epsilon, out=t)
        np.sqrt(t, out=t)
        np.divide(g, t, out=t)
        t *= lr
        p -= t


def adadelta_update(params, grads, accumulated_grads, accumulated_deltas, lr, rho, epsilon,
                    weight_decay=0.0):
    for i, (p, g) in enumerate(zip(params, grads)):
        t = _scratch(p)
        t2 = _scratch(p, 1)
        _decay(p, t, lr, weight_decay, i)
        acc_g, acc_d = accumulated_grads[i], accumulated_deltas[i]
        acc_g *= rho
        np.square(g, out=t)
        t *= 1.0 - rho
        acc_g += t
        # t = -delta = rms(acc_d) * g / rms(acc_g)
        np.add(acc_d, epsilon, out=t)
        np.sqrt(t, out=t)
        t *= g
        np.add(acc_g, epsilon, out=t2)
        np.sqrt(t2, out=t2)
        t /= t2
        acc_d *= rho
        np.square(t, out=t2)
        t2 *= 1.0 - rho
        acc_d += t2
        t *= lr
        p -= t


for _name, _fn in (
    ("sgd_update", sgd_update),
    ("adam_update", adam_update),
    ("adamax_update", adamax_update),
    ("nadam_update", nadam_update),
    ("rmsprop_update", rmsprop_update),
    ("adagrad_update", adagrad_update),
    ("adadelta_update", adadelta_update),
):
    register(_name, numpy=_fn)
