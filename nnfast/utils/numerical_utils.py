"""`to_categorical` and `normalize` (NumPy in, NumPy out)."""
import numpy as np


def to_categorical(x, num_classes=None, dtype="float32"):
    """One-hot encodes integer class labels.

    Labels of any shape get a trailing class axis; a trailing axis of size 1 is
    replaced (`(n, 1)` -> `(n, num_classes)`), as Keras does.

    Args:
        x: Array-like of integer labels in `[0, num_classes)`.
        num_classes: Number of classes; `None` means `max(x) + 1`.
        dtype: Output dtype (Keras 2's argument; `"float32"` by default).

    Returns:
        A NumPy array of shape `x.shape + (num_classes,)`.
    """
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == bool):
        raise ValueError("to_categorical expects integer class labels. "
                         f"Received: x with dtype {arr.dtype}")
    if arr.size and np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
            bad = arr[~np.isfinite(arr) | (arr != np.floor(arr))].flat[0]
            raise ValueError("to_categorical expects integer class labels. "
                             f"Received: a non-integer label {float(bad)!r}")
    labels = arr.astype("int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise ValueError("to_categorical expects `num_classes` to be a positive int or None. "
                         f"Received: num_classes={num_classes!r}")
    num_classes = int(num_classes)
    if labels.size:
        low, high = labels.min(), labels.max()
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            raise ValueError(f"to_categorical expects labels in [0, {num_classes}). "
                             f"Received: a label {int(bad)} (num_classes={num_classes})")
    out = np.zeros((labels.size, num_classes), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Divides `x` by its `order`-norm along `axis` (zero norms are left as 1).

    Args:
        x: Array to normalize.
        axis: Axis along which to normalize.
        order: Norm order (`2` for the L2 norm), as `np.linalg.norm`'s `ord`.

    Returns:
        A normalized copy of `x`, a NumPy array. As in Keras, a 1-D `x` comes back
        with a leading axis of size 1 (shape `(1, n)`).
    """
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError(f"normalize expects an array of rank >= 1. Received: x={x!r}")
    if axis is None:
        axis = -1
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
