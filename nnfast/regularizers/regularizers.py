"""Weight regularizers: L1, L2, L1L2, OrthogonalRegularizer.

`regularizer(x)` returns a scalar Tensor built from recorded ufuncs, so a GradientTape
differentiates it (layers add it to the loss for every regularized Variable).
"""
import math

import numpy as np

from nnfast.autograd.function import wrap
from nnfast.autograd.tensor import Tensor
from nnfast.autograd.variable import Variable


def validate_float_arg(value, name):
    """A non-negative finite float, or a ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or math.isinf(value) or math.isnan(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


def _as_tensor(x):
    """Variables and Tensors pass through (their ufuncs are recorded); arrays become
    Tensors so the result is a Tensor too."""
    if isinstance(x, (Variable, Tensor)):
        return x
    return wrap(np.asarray(x))


def _legacy_l(owner, kwargs, value):
    """Keras 2 accepted `l1(l=...)` / `l2(l=...)`."""
    value = kwargs.pop("l", value)
    if kwargs:
        raise TypeError(f"{owner}: unexpected argument(s) {sorted(kwargs)}.")
    return value


def _sum(x):
    return np.add.reduce(x, axis=None)


class Regularizer:
    """Base class: `__call__(x)` returns the penalty for weight `x`."""

    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x^2)`.

    Args:
        l1: non-negative float. Defaults to 0.0.
        l2: non-negative float. Defaults to 0.0.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x):
        x = _as_tensor(x)
        total = None
        if self.l1:
            total = self.l1 * _sum(np.absolute(x))
        if self.l2:
            term = self.l2 * _sum(np.square(x))
            total = term if total is None else total + term
        if total is None:
            return wrap(np.zeros((), dtype=np.dtype(x.dtype)))
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`.

    Args:
        l1: non-negative float. Defaults to 0.01.
        **kwargs: Keras 2's `l` (alias of `l1`).
    """

    def __init__(self, l1=0.01, **kwargs):
        l1 = _legacy_l(type(self).__name__, kwargs, l1)
        self.l1 = validate_float_arg(0.01 if l1 is None else l1, name="l1")

    def __call__(self, x):
        return self.l1 * _sum(np.absolute(_as_tensor(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x^2)`.

    Args:
        l2: non-negative float. Defaults to 0.01.
        **kwargs: Keras 2's `l` (alias of `l2`).
    """

    def __init__(self, l2=0.01, **kwargs):
        l2 = _legacy_l(type(self).__name__, kwargs, l2)
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x):
        return self.l2 * _sum(np.square(_as_tensor(x)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Encourages orthogonal rows (or columns) of a 2-D weight: `factor * 0.5 *` the mean
    absolute off-diagonal entry of the Gram matrix of the L2-normalized rows (columns).

    Args:
        factor: non-negative float. Defaults to 0.01.
        mode: "rows" or "columns".
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = validate_float_arg(factor, name="factor")
        if mode not in ("rows", "columns"):
            raise ValueError('Invalid value for argument `mode`. Expected one of {"rows", '
                             f'"columns"}}. Received: mode={mode!r}')
        self.mode = mode

    def __call__(self, inputs):
        x = _as_tensor(inputs)
        if len(x.shape) != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(x.shape)}")
        axis = 1 if self.mode == "rows" else 0
        size = x.shape[1 - axis]
        eps = 1e-7                              # Keras's backend.epsilon(), squared below
        sq = np.add.reduce(np.square(x), axis=axis, keepdims=True)
        x = x / np.sqrt(np.maximum(sq, eps * eps))
        product = x @ x.T if axis == 1 else x.T @ x
        off_diagonal = product * (1.0 - np.eye(size, dtype=np.dtype(x.dtype)))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * _sum(np.absolute(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}
