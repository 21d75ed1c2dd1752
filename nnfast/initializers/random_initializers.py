"""Random initializers: RandomNormal/Uniform, TruncatedNormal, VarianceScaling and its
named forms (Glorot, He, Lecun), Orthogonal.

Randomness: an unseeded initializer draws from `nnfast.utils.rng.get_rng()` (so
`nnfast.utils.set_random_seed` makes whole models reproducible); an initializer with an
integer `seed` returns the same values on every call, as Keras 3 documents.
"""
import math

import numpy as np

from nnfast.backend import standardize_dtype
from nnfast.initializers.initializer import Initializer, standardize_shape
from nnfast.utils import rng as _rng

# Std of a standard normal truncated to [-2, 2]; dividing by it keeps the target variance.
_TRUNC_STD = 0.87962566103423978


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape, as Keras.

    Dense kernels (in, out) give (in, out); conv kernels (*spatial, in, out) multiply both
    by the receptive field size; 1-D shapes give (n, n), scalars (1, 1).
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes])),
                int(np.prod([shape[a] for a in output_axes])))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive = int(np.prod(shape[:-2]))
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the seed (an int or None)."""

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool)
                                 or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"{type(self).__name__}: `seed` argument should be an integer or "
                             f"None. Received: seed={seed!r}")
        self.seed = None if seed is None else int(seed)

    def _generator(self):
        return _rng.get_rng(self.seed)

    def _prepare(self, shape, dtype):
        owner = type(self).__name__
        shape = standardize_shape(owner, shape)
        dtype = standardize_dtype(dtype)
        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise ValueError(f"{owner}: expected a floating point dtype. Received: dtype={dtype}")
        return shape, dtype

    def get_config(self):
        return {"seed": self.seed}


def _draw_dtype(dtype):
    # The generator draws float32 or float64 natively; float16 is drawn in float32.
    return np.float64 if np.dtype(dtype) == np.float64 else np.float32


def _normal(gen, shape, mean, stddev, dtype):
    out = gen.standard_normal(shape, dtype=_draw_dtype(dtype))
    return (out * stddev + mean).astype(dtype, copy=False)


def _truncated_normal(gen, shape, mean, stddev, dtype):
    """Normal samples, redrawing any beyond two standard deviations."""
    draw = _draw_dtype(dtype)
    out = gen.standard_normal(shape, dtype=draw)
    bad = np.abs(out) > 2.0
    count = int(bad.sum())
    while count:
        out[bad] = gen.standard_normal(count, dtype=draw)
        bad = np.abs(out) > 2.0
        count = int(bad.sum())
    return (out * stddev + mean).astype(dtype, copy=False)


def _uniform(gen, shape, minval, maxval, dtype):
    out = gen.random(shape, dtype=_draw_dtype(dtype))
    return (out * (maxval - minval) + minval).astype(dtype, copy=False)


class RandomNormal(RandomInitializer):
    """Normal distribution.

    Args:
        mean: Defaults to 0.0.
        stddev: Defaults to 0.05.
        seed: int or None.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None, **kwargs):
        shape, dtype = self._prepare(shape, dtype)
        return _normal(self._generator(), shape, self.mean, self.stddev, dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """Normal distribution with values beyond two standard deviations redrawn.

    Args:
        mean: Defaults to 0.0.
        stddev: Defaults to 0.05 (of the untruncated distribution).
        seed: int or None.
    """

    def __call__(self, shape, dtype=None, **kwargs):
        shape, dtype = self._prepare(shape, dtype)
        return _truncated_normal(self._generator(), shape, self.mean, self.stddev, dtype)


class RandomUniform(RandomInitializer):
    """Uniform distribution on [minval, maxval).

    Args:
        minval: Defaults to -0.05.
        maxval: Defaults to 0.05.
        seed: int or None.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None, **kwargs):
        shape, dtype = self._prepare(shape, dtype)
        return _uniform(self._generator(), shape, self.minval, self.maxval, dtype)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's fans: variance `scale / n`, n = fan_in, fan_out or
    their mean (`mode`).

    Args:
        scale: positive float. Defaults to 1.0.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal" (alias "normal"), "untruncated_normal" or
            "uniform" (on [-sqrt(3 * variance), sqrt(3 * variance)]).
        seed: int or None.
        input_axes, output_axes: optional axes giving the fans explicitly.
    """

    _modes = ("fan_in", "fan_out", "fan_avg")
    _distributions = ("uniform", "truncated_normal", "untruncated_normal")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.number)) \
                or scale <= 0.0:
            raise ValueError(f"{type(self).__name__}: argument `scale` must be positive float. "
                             f"Received: scale={scale!r}")
        if mode not in self._modes:
            raise ValueError(f"{type(self).__name__}: invalid `mode` argument: {mode!r}. "
                             f"Please use one of {self._modes}")
        dist = str(distribution).lower()
        dist = "truncated_normal" if dist == "normal" else dist
        if dist not in self._distributions:
            raise ValueError(f"{type(self).__name__}: invalid `distribution` argument: "
                             f"{distribution!r}. Please use one of {self._distributions}")
        self.scale, self.mode, self.distribution = scale, mode, dist
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None, **kwargs):
        shape, dtype = self._prepare(shape, dtype)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        gen = self._generator()
        if self.distribution == "truncated_normal":
            return _truncated_normal(gen, shape, 0.0, math.sqrt(variance) / _TRUNC_STD, dtype)
        if self.distribution == "untruncated_normal":
            return _normal(gen, shape, 0.0, math.sqrt(variance), dtype)
        limit = math.sqrt(3.0 * variance)
        return _uniform(gen, shape, -limit, limit, dtype)

    def _axes_config(self):
        # Written only when set, so configs stay loadable by Keras versions without them.
        out = {}
        if self.input_axes is not None:
            out["input_axes"] = self.input_axes
        if self.output_axes is not None:
            out["output_axes"] = self.output_axes
        return out

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, **self._axes_config()}


def _named(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, **self._axes_config()}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc, "__module__": __name__})


GlorotUniform = _named("GlorotUniform", 1.0, "fan_avg", "uniform",
                       "Uniform on +-sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010).")
GlorotNormal = _named("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                      "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).")
HeUniform = _named("HeUniform", 2.0, "fan_in", "uniform",
                   "Uniform on +-sqrt(6 / fan_in) (He et al., 2015).")
HeNormal = _named("HeNormal", 2.0, "fan_in", "truncated_normal",
                  "Truncated normal, stddev sqrt(2 / fan_in) (He et al., 2015).")
LecunUniform = _named("LecunUniform", 1.0, "fan_in", "uniform",
                      "Uniform on +-sqrt(3 / fan_in) (LeCun, 1998).")
LecunNormal = _named("LecunNormal", 1.0, "fan_in", "truncated_normal",
                     "Truncated normal, stddev sqrt(1 / fan_in) (LeCun, 1998).")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal sample; shapes
    of rank > 2 are flattened to (prod(shape[:-1]), shape[-1]).

    Args:
        gain: multiplicative factor. Defaults to 1.0.
        seed: int or None.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None, **kwargs):
        shape, dtype = self._prepare(shape, dtype)
        if len(shape) < 2:
            raise ValueError("Orthogonal: the tensor to initialize must be at least "
                             f"two-dimensional. Received: shape={shape} of rank {len(shape)}.")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))          # make the decomposition unique
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
