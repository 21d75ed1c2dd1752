"""`nnfast.Variable`: a named, mutable array that layers own and optimizers update.

The value lives in one ndarray whose buffer stays put for the variable's life: `assign`
copies into it, and the fused optimizer kernels update it in place. Ops read a Variable
directly (the tape watches trainable variables it sees read); NumPy ufuncs and operators
on a Variable are recorded like those on a Tensor.
"""
import numpy as np

from nnfast import backend


class Variable:
    __array_priority__ = 30

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 constraint=None, regularizer=None, aggregation="none", synchronization="auto",
                 autocast=True):
        dtype = backend.standardize_dtype(dtype)
        if callable(initializer) and not isinstance(initializer, np.ndarray):
            if shape is None:
                raise ValueError(
                    "A Variable created from an initializer needs a `shape`. "
                    f"Received: initializer={initializer!r}, shape=None"
                )
            value = initializer(tuple(shape), dtype=dtype)
        else:
            value = initializer
        value = np.array(_plain(value), dtype=dtype, copy=True, order="C")
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Variable {name!r}: initial value has shape {value.shape}, "
                f"expected shape {tuple(shape)}."
            )
        self._value = value
        self.name = name or "variable"
        self.path = self.name
        self.trainable = bool(trainable)
        self.constraint = constraint
        self.regularizer = regularizer
        self.aggregation = aggregation
        self.synchronization = synchronization

    # -- value ---------------------------------------------------------------------
    @property
    def value(self):
        """The current value as a Tensor (a recorded read, so gradients flow)."""
        from nnfast.ops.core import identity

        return identity(self)

    def numpy(self):
        return self._value.copy()

    def read_value(self):
        return self.value

    def assign(self, value):
        value = _plain(value)
        value = np.asarray(value)
        if value.shape != self._value.shape:
            raise ValueError(
                f"Cannot assign a value of shape {value.shape} to variable {self.path!r} "
                f"of shape {self._value.shape}."
            )
        np.copyto(self._value, value, casting="unsafe")
        return self

    def assign_add(self, delta):
        self._value += np.asarray(_plain(delta), dtype=self._value.dtype)
        return self

    def assign_sub(self, delta):
        self._value -= np.asarray(_plain(delta), dtype=self._value.dtype)
        return self

    # -- array protocol --------------------------------------------------------------
    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype.name

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def size(self):
        return self._value.size

    def __len__(self):
        return len(self._value)

    def __array__(self, dtype=None, copy=None):
        if dtype is None or np.dtype(dtype) == self._value.dtype:
            return self._value.copy() if copy else self._value
        return self._value.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from nnfast.autograd.numpy_dispatch import dispatch_ufunc

        return dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from nnfast.autograd.numpy_dispatch import dispatch_function

        return dispatch_function(func, types, args, kwargs)

    def __getitem__(self, index):
        from nnfast.ops.core import getitem

        return getitem(self, index)

    @property
    def T(self):
        from nnfast.ops.core import transpose

        return transpose(self)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __bool__(self):
        return bool(self._value)

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={np.array2string(self._value, threshold=8)}>"
        )

    # Arithmetic goes through the recorded ufuncs.
    __add__ = lambda s, o: np.add(s, o)          # noqa: E731
    __radd__ = lambda s, o: np.add(o, s)         # noqa: E731
    __sub__ = lambda s, o: np.subtract(s, o)     # noqa: E731
    __rsub__ = lambda s, o: np.subtract(o, s)    # noqa: E731
    __mul__ = lambda s, o: np.multiply(s, o)     # noqa: E731
    __rmul__ = lambda s, o: np.multiply(o, s)    # noqa: E731
    __truediv__ = lambda s, o: np.true_divide(s, o)    # noqa: E731
    __rtruediv__ = lambda s, o: np.true_divide(o, s)   # noqa: E731
    __matmul__ = lambda s, o: np.matmul(s, o)    # noqa: E731
    __rmatmul__ = lambda s, o: np.matmul(o, s)   # noqa: E731
    __pow__ = lambda s, o: np.power(s, o)        # noqa: E731
    __rpow__ = lambda s, o: np.power(o, s)       # noqa: E731
    __neg__ = lambda s: np.negative(s)           # noqa: E731
    __pos__ = lambda s: np.positive(s)           # noqa: E731
    __abs__ = lambda s: np.absolute(s)           # noqa: E731
    __lt__ = lambda s, o: np.less(s, o)          # noqa: E731
    __le__ = lambda s, o: np.less_equal(s, o)    # noqa: E731
    __gt__ = lambda s, o: np.greater(s, o)       # noqa: E731
    __ge__ = lambda s, o: np.greater_equal(s, o)  # noqa: E731
    __hash__ = object.__hash__


def _plain(value):
    if isinstance(value, Variable):
        return value._value
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        return value.view(np.ndarray)
    return value
