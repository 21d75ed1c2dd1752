"""Keras's `keras.backend` surface: float type, epsilon, value access, session reset.

nnfast has exactly one backend, so `backend()` answers "nnfast".
"""
import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_ALLOWED_FLOATX = ("float16", "float32", "float64")


def backend():
    """The name of the running backend (Keras asks this to pick code paths)."""
    return "nnfast"


def floatx():
    return _FLOATX


def set_floatx(value):
    """Set the default float type: 'float32' (default) or 'float64' for gradient checks."""
    global _FLOATX
    value = str(value)
    if value not in _ALLOWED_FLOATX:
        raise ValueError(
            f"Unknown floatx type: {value!r}. Expected one of {_ALLOWED_FLOATX}."
        )
    _FLOATX = value


def epsilon():
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "Expected `data_format` to be 'channels_last' or 'channels_first'. "
            f"Received: data_format={data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


def get_value(x):
    """The NumPy value of a Variable, Tensor or array."""
    from nnfast.ops.core import convert_to_numpy

    return convert_to_numpy(x)


def set_value(x, value):
    """Assign `value` to the Variable `x` (Keras 2 spelling of `x.assign(value)`)."""
    from nnfast.autograd.variable import Variable

    if not isinstance(x, Variable):
        raise TypeError(
            f"set_value expects a Variable. Received: x of type {type(x).__name__}"
        )
    x.assign(value)


def batch_get_value(xs):
    return [get_value(x) for x in xs]


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def clear_session():
    """Reset the global layer-name counters (Keras does the same), so names restart."""
    from nnfast.utils import naming

    naming.reset_uids()


def is_float_dtype(dtype):
    return np.issubdtype(np.dtype(dtype), np.floating)


def standardize_dtype(dtype):
    """A dtype name. None means floatx; a Keras 3 DTypePolicy (its config dict, or an
    object with `compute_dtype`) gives its compute dtype."""
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name", dtype.get("name"))
    dtype = getattr(dtype, "compute_dtype", dtype)
    if dtype is None:
        return _FLOATX
    return np.dtype(dtype).name
