"""Spatial reshaping layers: UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D and
RepeatVector — pure shape work written with differentiable ops."""
import numpy as np

from nnfast import ops
from nnfast.layers.input_spec import InputSpec
from nnfast.layers.layer import Layer
from nnfast.ops._conv_utils import standardize_data_format


def _pairs(value, rank, name, layer):
    """Keras's padding/cropping spellings: int, `rank` ints, or `rank` (before, after)."""
    if isinstance(value, (int, np.integer)):
        out = ((int(value), int(value)),) * rank
    elif rank == 1 and len(value) == 2 and all(isinstance(v, (int, np.integer)) for v in value):
        out = ((int(value[0]), int(value[1])),)
    elif len(value) == rank and all(isinstance(v, (int, np.integer)) for v in value):
        out = tuple((int(v), int(v)) for v in value)
    elif len(value) == rank and all(len(v) == 2 for v in value):
        out = tuple((int(a), int(b)) for a, b in value)
    else:
        raise ValueError(f"{layer}: `{name}` should be an int, a tuple of {rank} ints or a tuple "
                         f"of {rank} (before, after) pairs. Received: {name}={value}")
    if any(v < 0 for pair in out for v in pair):
        raise ValueError(f"{layer}: `{name}` values must be >= 0. Received: {name}={value}")
    return out


class _Spatial(Layer):
    rank = None

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format) if self.rank == 2 else "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self):
        start = 2 if self.data_format == "channels_first" else 1
        return list(range(start, start + self.rank))

    def get_config(self):
        config = super().get_config()
        if self.rank == 2:
            config["data_format"] = self.data_format
        return config


class UpSampling1D(_Spatial):
    """Repeats each step `size` times along the time axis."""

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        s[1] = None if s[1] is None else s[1] * self.size
        return tuple(s)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_Spatial):
    """Repeats rows and columns `size` times ("nearest"; "bilinear" as TF's resize)."""

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.size = (int(size),) * 2 if isinstance(size, (int, np.integer)) else tuple(int(v) for v in size)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("UpSampling2D: `interpolation` must be 'nearest' or 'bilinear'. "
                             f"Received: interpolation={interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation == "nearest":
            out = inputs
            for axis, s in zip(self._axes(), self.size):
                out = ops.repeat(out, s, axis=axis)
            return out
        return self._bilinear(inputs)

    def _bilinear(self, inputs):
        # Half-pixel centres (TF's resize_images default): each output row is a fixed
        # blend of two input rows — a matrix product along each axis, so it differentiates.
        out = inputs
        for axis, s in zip(self._axes(), self.size):
            n = inputs.shape[axis]
            matrix = _bilinear_matrix(n, n * s).astype(np.asarray(inputs).dtype)
            out = ops.moveaxis(ops.tensordot(matrix, out, axes=[[1], [axis]]), 0, axis)
        return out

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        for axis, f in zip(self._axes(), self.size):
            s[axis] = None if s[axis] is None else s[axis] * f
        return tuple(s)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}


def _bilinear_matrix(n_in, n_out):
    scale = n_in / n_out
    centres = np.clip((np.arange(n_out) + 0.5) * scale - 0.5, 0, n_in - 1)
    low = np.floor(centres).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    frac = centres - low
    m = np.zeros((n_out, n_in))
    m[np.arange(n_out), low] += 1 - frac
    m[np.arange(n_out), high] += frac
    return m


class ZeroPadding1D(_Spatial):
    """Pads the time axis with zeros: `padding` int or (before, after)."""

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, 1, "padding", "ZeroPadding1D")[0]

    def call(self, inputs):
        return ops.pad(inputs, [(0, 0), self.padding, (0, 0)])

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        s[1] = None if s[1] is None else s[1] + sum(self.padding)
        return tuple(s)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class ZeroPadding2D(_Spatial):
    """Pads rows and columns with zeros: int, (rows, cols) or ((top, bottom), (left, right))."""

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.padding = _pairs(padding, 2, "padding", "ZeroPadding2D")

    def call(self, inputs):
        widths = [(0, 0)] * 4
        for axis, pair in zip(self._axes(), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        s = list(input_shape)
        for axis, pair in zip(self._axes(), self.padding):
            s[axis] = None if s[axis] is None else s[axis] + sum(pair)
        return tuple(s)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class Cropping1D(_Spatial):
    """Crops the time axis: `cropping` int or (before, after)."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, 1, "cropping", "Cropping1D")[0]

    def _check(self, size):
        if size is not None and sum(self.cropping) >= size:
            raise ValueError(f"Cropping1D {self.name!r}: cropping {self.cropping} leaves nothing "
                             f"of an axis of size {size}.")

    def call(self, inputs):
        self._check(inputs.shape[1])
        a, b = self.cropping
        return inputs[:, a:inputs.shape[1] - b]

    def compute_output_shape(self, input_shape):
        self._check(input_shape[1])
        s = list(input_shape)
        s[1] = None if s[1] is None else s[1] - sum(self.cropping)
        return tuple(s)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(_Spatial):
    """Crops rows and columns: int, (rows, cols) or ((top, bottom), (left, right))."""

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = _pairs(cropping, 2, "cropping", "Cropping2D")

    def _check(self, shape):
        for axis, pair in zip(self._axes(), self.cropping):
            if shape[axis] is not None and sum(pair) >= shape[axis]:
                raise ValueError(f"Cropping2D {self.name!r}: cropping {self.cropping} leaves "
                                 f"nothing of an input of shape {tuple(shape)}.")

    def call(self, inputs):
        self._check(inputs.shape)
        index = [slice(None)] * 4
        for axis, (a, b) in zip(self._axes(), self.cropping):
            index[axis] = slice(a, inputs.shape[axis] - b)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        s = list(input_shape)
        for axis, pair in zip(self._axes(), self.cropping):
            s[axis] = None if s[axis] is None else s[axis] - sum(pair)
        return tuple(s)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class RepeatVector(Layer):
    """`(batch, features)` -> `(batch, n, features)`: the input repeated n times."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"RepeatVector: `n` must be a positive integer. Received: n={n!r}")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
