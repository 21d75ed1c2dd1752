"""Dot: per-sample dot product of two tensors along given axes."""
from nnfast import ops
from nnfast.layers.merging.base_merge import Merge


class Dot(Merge):
    """`Dot(axes, normalize=False)`: for each sample, contracts `axes[0]` of the first
    input with `axes[1]` of the second (an int uses the same axis for both).

    With `normalize=True` both inputs are L2-normalised along those axes first, so the
    result is the cosine proximity. `(batch, n) . (batch, n)` gives `(batch, 1)`.
    """

    max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        if not (isinstance(axes, (list, tuple)) and len(axes) == 2
                and all(isinstance(a, int) for a in axes)):
            raise ValueError(
                f"Dot: `axes` must be an int or a list of two ints. Received: axes={axes!r}")
        self.axes = list(axes)
        self.normalize = bool(normalize)
        self.supports_masking = False

    def _axes(self, shapes):
        return [a % len(s) for a, s in zip(self.axes, shapes)]

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        s1, s2 = (tuple(s) for s in input_shape)
        a1, a2 = self._axes((s1, s2))
        if a1 == 0 or a2 == 0:
            raise ValueError(f"Dot {self.name!r}: cannot contract the batch axis. "
                             f"Received: axes={self.axes}")
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise ValueError(
                f"Dot {self.name!r}: incompatible input shapes: {s1}[{a1}] != {s2}[{a2}]. "
                f"Received: input_shape={[s1, s2]}, axes={self.axes}")
        out = s1[:a1] + s1[a1 + 1:] + s2[1:a2] + s2[a2 + 1:]
        return out if len(out) > 1 else out + (1,)

    def _merge_function(self, inputs):
        x, y = inputs
        a1, a2 = self._axes((x.shape, y.shape))
        if self.normalize:
            x = ops.divide(x, ops.maximum(ops.sqrt(ops.sum(ops.square(x), axis=a1, keepdims=True)), 1e-12))
            y = ops.divide(y, ops.maximum(ops.sqrt(ops.sum(ops.square(y), axis=a2, keepdims=True)), 1e-12))
        # (B, rest_x..., K) @ (B, K, rest_y...) as one batched matmul.
        xm = ops.moveaxis(x, a1, -1)
        ym = ops.moveaxis(y, a2, 1)
        rest_x, rest_y = xm.shape[1:-1], ym.shape[2:]
        batch, k = x.shape[0], x.shape[a1]
        out = ops.matmul(ops.reshape(xm, (batch, -1, k)), ops.reshape(ym, (batch, k, -1)))
        shape = (batch,) + tuple(rest_x) + tuple(rest_y)
        return ops.reshape(out, shape if len(shape) > 1 else (batch, 1))

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of `Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
