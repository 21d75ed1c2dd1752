"""`InputSpec`: what a layer accepts (rank, axis sizes), checked before any op runs."""
import numpy as np


class InputSpec:
    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.name = name

    def __repr__(self):
        return (f"InputSpec(ndim={self.ndim}, min_ndim={self.min_ndim}, "
                f"max_ndim={self.max_ndim}, axes={self.axes})")


def check_input_compatibility(spec, inputs, layer_name):
    """Raise ValueError in Keras's words when `inputs` cannot go into the layer."""
    specs = spec if isinstance(spec, (list, tuple)) else [spec]
    tensors = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if len(specs) != len(tensors) and len(specs) > 1:
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
            f"{len(tensors)} input tensors."
        )
    for i, (s, x) in enumerate(zip(specs, tensors)):
        if s is None:
            continue
        shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
        ndim = len(shape)
        prefix = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        if s.ndim is not None and ndim != s.ndim:
            raise ValueError(prefix + f"expected ndim={s.ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        if s.max_ndim is not None and ndim > s.max_ndim:
            raise ValueError(prefix + f"expected max_ndim={s.max_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        if s.min_ndim is not None and ndim < s.min_ndim:
            raise ValueError(prefix + f"expected min_ndim={s.min_ndim}, found ndim={ndim}. "
                             f"Full shape received: {shape}")
        for axis, value in s.axes.items():
            if value is None:
                continue
            if -ndim <= axis < ndim and shape[axis] is not None and shape[axis] != value:
                raise ValueError(prefix + f"expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {shape}")
        if s.shape is not None:
            for want, got in zip(s.shape, shape):
                if want is not None and got is not None and want != got:
                    raise ValueError(prefix + f"expected shape={s.shape}, found shape={shape}")
