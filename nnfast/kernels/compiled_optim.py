"""Adapters for the fused optimizer kernels (src/optim.pyx), with the twins' signatures
(nnfast/kernels/numpy_ref/optim.py): lists of parameters and slots updated in place."""
import math

import numpy as np

from nnfast._ext import optim as _optim
from nnfast.kernels.registry import register
from nnfast.kernels.threads import get_num_threads

PARALLEL_MIN_ELEMENTS = 262_144     # an update is a few flops per element: threads pay late


def _flat(a, what, like=None):
    if not isinstance(a, np.ndarray) or not a.flags.c_contiguous or not a.flags.writeable \
            and what != "gradient":
        raise ValueError(f"optimizer kernels: every {what} must be a C-contiguous ndarray "
                         "(parameters and slots writeable). Received: "
                         f"{type(a).__name__} {getattr(a, 'shape', '')}")
    if like is not None and (a.shape != like.shape or a.dtype != like.dtype):
        raise ValueError(f"optimizer kernels: a {what} has shape {a.shape} / dtype {a.dtype}; "
                         f"its parameter has shape {like.shape} / dtype {like.dtype}.")
    return a.reshape(-1)


def _grad(g, p):
    g = np.ascontiguousarray(g, dtype=p.dtype)
    if g.shape != p.shape:
        raise ValueError(f"optimizer kernels: a gradient has shape {g.shape}; its parameter "
                         f"has shape {p.shape}.")
    return g.reshape(-1)


def _decay_of(weight_decay, i):
    if isinstance(weight_decay, (list, tuple, np.ndarray)):
        return float(weight_decay[i])
    return float(weight_decay or 0.0)


def _threads(n):
    return get_num_threads() if n >= PARALLEL_MIN_ELEMENTS else 1


def _check_floats(p):
    if p.dtype not in (np.float32, np.float64):
        raise TypeError(f"optimizer kernels: parameters must be float32 or float64. "
                        f"Received dtype {p.dtype}")


def sgd_update(params, grads, momenta, lr, momentum, nesterov, weight_decay=0.0):
    for i, (p, g) in enumerate(zip(params, grads)):
        _check_floats(p)
        pf = _flat(p, "parameter")
        m = _flat(momenta[i], "momentum slot", p) if momenta is not None else pf
        _optim.sgd(pf, _grad(g, p), m, momenta is not None, float(lr), float(momentum),
                   bool(nesterov), _decay_of(weight_decay, i), _threads(pf.size))


def adam_update(params, grads, m, v, vhat, lr, beta_1, beta_2, epsilon, step, amsgrad,
                weight_decay=0.0):
    alpha = lr * math.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
    for i, (p, g) in enumerate(zip(params, grads)):
        _check_floats(p)
        pf = _flat(p, "parameter")
        mf, vf = _flat(m[i], "first-moment slot", p), _flat(v[i], "second-moment slot", p)
        hf = _flat(vhat[i], "vhat slot", p) if amsgrad else vf
        _optim.adam(pf, _grad(g, p), mf, vf, hf, bool(amsgrad), float(alpha), float(beta_1),
                    float(beta_2), float(epsilon), _decay_of(weight_decay, i) * float(lr),
                    _threads(pf.size))


def rmsprop_update(params, grads, velocities, momenta, average_grads, lr, rho, momentum,
                   epsilon, centered, weight_decay=0.0):
    for i, (p, g) in enumerate(zip(params, grads)):
        _check_floats(p)
        pf = _flat(p, "parameter")
        vel = _flat(velocities[i], "velocity slot", p)
        mom = _flat(momenta[i], "momentum slot", p) if momenta is not None else vel
        avg = _flat(average_grads[i], "average-gradient slot", p) if centered else vel
        _optim.rmsprop(pf, _grad(g, p), vel, mom, avg, momenta is not None, bool(centered),
                       float(lr), float(rho), float(momentum), float(epsilon),
                       _decay_of(weight_decay, i) * float(lr), _threads(pf.size))


register("sgd_update", cython=sgd_update)
register("adam_update", cython=adam_update)
register("rmsprop_update", cython=rmsprop_update)
