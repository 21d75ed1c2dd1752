"""`Loss` base class, reductions and the rank-alignment rule shared by every loss.

A loss call is two recorded ops at most: the per-sample loss (one op, see
regression.py/probabilistic.py/hinge.py) and the weighted reduction (one op, below), so a
training step's tape stays short.
"""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import call_op, unbroadcast, unwrap
from nnfast.utils.naming import auto_name


class Reduction:
    """Keras 2's `losses_utils.ReductionV2` constants (Keras 3 takes the strings)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(
                f"Invalid Reduction Key: {key!r}. Expected keys are {cls.all()}"
            )


_ALLOWED_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean",
                       "mean_with_sample_weight", "auto")


def standardize_reduction(reduction):
    """Check `reduction`; Keras 2's "auto" means "sum_over_batch_size"."""
    reduction = getattr(reduction, "value", reduction)
    if reduction not in _ALLOWED_REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{_ALLOWED_REDUCTIONS}. Received: reduction={reduction!r}"
        )
    return "sum_over_batch_size" if reduction == "auto" else reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rule: when ranks differ by one and the longer has a trailing 1, drop it
    (or, when the shorter is rank 1, add a trailing 1 to the shorter)."""
    r1, r2 = np.ndim(x1), np.ndim(x2)
    if r1 == r2 + 1 and np.shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.reshape(np.shape(x2) + (1,))
        else:
            x1 = x1.reshape(np.shape(x1)[:-1])
    elif r2 == r1 + 1 and np.shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.reshape(np.shape(x1) + (1,))
        else:
            x2 = x2.reshape(np.shape(x2)[:-1])
    return x1, x2


def get_mask(x):
    """The Keras mask carried by a tensor (`_keras_mask`), or None."""
    return getattr(x, "_keras_mask", None)


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merge a boolean mask into the sample weights (Keras's `apply_mask`): for mean-type
    reductions valid entries are scaled by total/valid so the mean runs over valid ones."""
    if mask is None:
        return sample_weight
    mask = np.asarray(unwrap(mask))
    if reduction in ("mean", "sum_over_batch_size"):
        valid = float(np.count_nonzero(mask))
        scale = mask.size / valid if valid else 0.0
        float_mask = np.where(mask.astype(bool), scale, 0.0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = np.asarray(unwrap(sample_weight), dtype=dtype)
    float_mask, sample_weight = align_weight(float_mask, sample_weight)
    return sample_weight * float_mask


def align_weight(values, weight):
    """Line `weight` up with `values`: Keras's rank rule, then a per-sample weight of
    shape (N,) or (N, T) spreads over the remaining trailing axes of `values`."""
    v, w = squeeze_or_expand_to_same_rank(values, weight)
    if 0 < w.ndim < v.ndim and w.shape == v.shape[:w.ndim]:
        w = w.reshape(w.shape + (1,) * (v.ndim - w.ndim))
    return v, w


def _reduce_forward(values, weight, reduction):
    v, w = values, weight
    if w is not None:
        v, w = align_weight(values, w)
        try:
            v = v * w
        except ValueError:
            raise ValueError(
                "Loss: `sample_weight` cannot be broadcast to the per-sample losses. "
                f"Received: sample_weight.shape={np.shape(weight)}, "
                f"losses.shape={values.shape}"
            ) from None
    if reduction in (None, "none") or v.shape in ((), (0,)):
        return v, (values.shape, v.shape, w, 1.0, False)
    total = np.add.reduce(v, axis=None)
    if reduction == "sum":
        scale = 1.0
    else:
        if reduction == "mean_with_sample_weight" and weight is not None:
            divisor = float(np.sum(weight))
        else:
            divisor = float(v.size)
        scale = 1.0 / divisor if divisor else 0.0      # divide_no_nan
    return np.asarray(total * scale, dtype=v.dtype), (values.shape, v.shape, w, scale, True)


def _reduce_backward(dout, cache, needs):
    in_shape, v_shape, w, scale, reduced = cache
    g = np.full(v_shape, dout * scale, dtype=dout.dtype) if reduced else dout
    if w is not None:
        g = g * w
    # Undo the rank alignment and any broadcasting against the weights.
    if g.shape != in_shape:
        if g.ndim == len(in_shape) + 1 and g.shape[-1] == 1:
            g = g.reshape(g.shape[:-1])
        elif g.ndim + 1 == len(in_shape):
            g = g.reshape(g.shape + (1,))
        g = unbroadcast(g, in_shape)
    return (g,)


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Weight per-sample `values` by `sample_weight` (and `mask`), then reduce — one op."""
    reduction = standardize_reduction(reduction)
    arr = unwrap(values)
    dtype = np.dtype(dtype or arr.dtype)
    if sample_weight is not None:
        sample_weight = np.asarray(unwrap(sample_weight), dtype=dtype)
    weight = apply_mask(sample_weight, mask, dtype, reduction)
    return call_op(_reduce_forward, _reduce_backward, values, weight=weight,
                   reduction=reduction)


class Loss:
    """Loss base class: subclasses implement `call(y_true, y_pred)` -> per-sample losses.

    Args:
        name: Optional name for the loss instance.
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none"/None, or Keras 2's "auto".
        dtype: Dtype of the computation; defaults to `backend.floatx()`.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or auto_name(type(self))
        self.reduction = standardize_reduction(reduction)
        self._dtype = standardize_dtype(dtype)

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss as a Tensor (recorded on the active tape)."""
        in_mask = get_mask(y_pred)
        y_pred = _to_dtype(y_pred, self._dtype)
        losses = self.call(y_true, y_pred)
        out_mask = get_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = np.logical_and(unwrap(in_mask), unwrap(out_mask))
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self._dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `call(y_true, y_pred)`."
        )

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, reduction={self.reduction}>"


def standardize_dtype(dtype):
    """A dtype name; None means floatx, and a Keras 3 DTypePolicy config gives its name."""
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name", dtype.get("name"))
    dtype = getattr(dtype, "compute_dtype", dtype)
    return backend.standardize_dtype(dtype or backend.floatx())


def plain_function_config(config):
    """Keras 3 serialises a plain function as {"class_name": "function", "config": name}."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        return config.get("config")
    return config


def _to_dtype(x, dtype):
    """`x` in the loss dtype; a recorded cast only when a Tensor's dtype differs."""
    from nnfast.autograd.tensor import Tensor
    from nnfast.autograd.variable import Variable

    if isinstance(x, (Tensor, Variable)):
        if np.dtype(x.dtype) == np.dtype(dtype):
            return x
        from nnfast.ops.core import cast

        return cast(x, dtype)
    arr = unwrap(x)
    if isinstance(arr, np.ndarray) and arr.dtype == np.dtype(dtype):
        return arr
    return np.asarray(arr, dtype=dtype)      # plain data: nothing to record
