"""`nnfast.Tensor`: a NumPy array that remembers it may be differentiated.

Ops return Tensors (an `ndarray` subclass), so everything NumPy does works on them and
Keras/TF code that calls `.numpy()` works too. NumPy ufuncs and operators on Tensors
(`x + y`, `x * 2`, `np.exp(x)`, `x @ w`) are recorded on the active tape through
`numpy_dispatch`; augmented assignment (`x += y`) rebinds instead of writing in place,
because a recorded tensor may be needed by a backward pass (TF tensors are immutable too).
"""
import numpy as np


class Tensor(np.ndarray):
    __array_priority__ = 20

    def numpy(self):
        """The value as a plain ndarray (shares memory, like TF's eager `.numpy()`)."""
        return self.view(np.ndarray)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from nnfast.autograd.numpy_dispatch import dispatch_ufunc

        return dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from nnfast.autograd.numpy_dispatch import dispatch_function

        return dispatch_function(func, types, args, kwargs)

    # Augmented assignment rebinds (see module docstring).
    def __iadd__(self, other):
        return np.add(self, other)

    def __isub__(self, other):
        return np.subtract(self, other)

    def __imul__(self, other):
        return np.multiply(self, other)

    def __itruediv__(self, other):
        return np.true_divide(self, other)

    def __ipow__(self, other):
        return np.power(self, other)

    def __imatmul__(self, other):
        return np.matmul(self, other)

    # Shape methods go through recorded ops so gradients flow through them.
    def __getitem__(self, index):
        from nnfast.ops import core

        return core.getitem(self, index)

    def reshape(self, *shape, order="C"):
        from nnfast.ops import core

        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return core.reshape(self, tuple(shape))

    def transpose(self, *axes):
        from nnfast.ops import core

        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        return core.transpose(self, tuple(axes) if axes else None)

    @property
    def T(self):
        return self.transpose()

    def flatten(self, order="C"):
        return self.reshape(-1)

    def ravel(self, order="C"):
        return self.reshape(-1)

    def astype(self, dtype, *args, **kwargs):
        from nnfast.ops import core

        return core.cast(self, dtype)

    # Reductions as recorded ufunc reductions (NumPy's own `mean` divides in place).
    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        return np.add.reduce(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        total = np.add.reduce(self, axis=axis, keepdims=keepdims)
        return total / (self.size // max(total.size, 1) if self.size else 1)

    def max(self, axis=None, out=None, keepdims=False, **kwargs):
        return np.maximum.reduce(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, out=None, keepdims=False, **kwargs):
        return np.minimum.reduce(self, axis=axis, keepdims=keepdims)

    def __repr__(self):
        body = np.array2string(self.view(np.ndarray), separator=", ", prefix="tensor(")
        return f"tensor({body}, shape={self.shape}, dtype={self.dtype})"


def as_tensor(x):
    return x.view(Tensor) if isinstance(x, np.ndarray) else np.asarray(x).view(Tensor)
