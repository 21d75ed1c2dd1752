"""Core ops: moving data in and out, identity/cast, indexing and shape changes."""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import call_op, unwrap, wrap
from nnfast.autograd.variable import Variable


def convert_to_tensor(x, dtype=None, sparse=None):
    """An array-like as an nnfast Tensor (Python floats become floatx, as Keras does).
    A Tensor comes back as itself and a Variable as a recorded read, so gradients flow."""
    from nnfast.autograd.tensor import Tensor

    if dtype is None and type(x) is Tensor:
        return x
    if isinstance(x, Variable):
        return identity(x) if dtype is None else cast(x, dtype)
    else:
        arr = unwrap(x)
        if not isinstance(arr, np.ndarray):
            arr = np.asarray(arr)
            if arr.dtype == np.float64 and backend.floatx() != "float64":
                arr = arr.astype(backend.floatx())
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(
            f"convert_to_tensor expects numeric data. Received dtype={arr.dtype}"
        )
    if dtype is not None and arr.dtype != np.dtype(dtype):
        return cast(x, dtype)
    return arr if type(arr) is not np.ndarray else wrap(arr)


def convert_to_numpy(x):
    """A plain NumPy array holding the value of a Tensor, Variable or array-like."""
    if isinstance(x, Variable):
        return x.numpy()
    if isinstance(x, np.ndarray):
        return x.view(np.ndarray)
    return np.asarray(x)


def is_tensor(x):
    from nnfast.autograd.tensor import Tensor

    return isinstance(x, Tensor)


def _pass_forward(x):
    return x, None


def _pass_backward(g, cache, needs):
    return (g,)


def identity(x):
    """Same values; a recorded read when `x` is a Variable."""
    return call_op(_pass_forward, _pass_backward, x)


def stop_gradient(x):
    """The value of `x`, with no gradient flowing back through it."""
    return wrap(np.array(unwrap(x), copy=True))


def _cast_forward(x, dtype):
    return x.astype(dtype, copy=False), x.dtype


def _cast_backward(g, in_dtype, needs):
    return (g.astype(in_dtype, copy=False) if np.dtype(in_dtype).kind == "f" else None,)


def cast(x, dtype):
    return call_op(_cast_forward, _cast_backward, x, dtype=np.dtype(backend.standardize_dtype(dtype)))


def _plain_index(index):
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, (np.ndarray, Variable)):
        return unwrap(index)
    return index


def _getitem_forward(x, index):
    return x[index], (x.shape, x.dtype, index)


def _is_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (list, np.ndarray)) for i in items)


def _getitem_backward(g, cache, needs):
    shape, dtype, index = cache
    full = np.zeros(shape, dtype=g.dtype)
    if _is_advanced(index):
        np.add.at(full, index, g)     # repeated indices accumulate
    else:
        full[index] = g
    return (full,)


def getitem(x, index):
    return call_op(_getitem_forward, _getitem_backward, x, index=_plain_index(index))


def _reshape_forward(x, shape):
    return x.reshape(shape), x.shape


def _reshape_backward(g, in_shape, needs):
    return (g.reshape(in_shape),)


def reshape(x, new_shape):
    if isinstance(new_shape, int):
        new_shape = (new_shape,)
    new_shape = tuple(-1 if d is None else int(d) for d in new_shape)
    size = int(np.prod(np.shape(unwrap(x))))
    known = int(np.prod([d for d in new_shape if d != -1]))
    if list(new_shape).count(-1) > 1 or (known and size % known) or (-1 not in new_shape and known != size):
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {np.shape(unwrap(x))} "
            f"({size} values) into shape {new_shape}."
        )
    return call_op(_reshape_forward, _reshape_backward, x, shape=new_shape)


def _transpose_forward(x, axes):
    return np.transpose(x, axes), axes


def _transpose_backward(g, axes, needs):
    return (np.transpose(g, None if axes is None else np.argsort(axes)),)


def transpose(x, axes=None):
    return call_op(_transpose_forward, _transpose_backward, x, axes=axes)
