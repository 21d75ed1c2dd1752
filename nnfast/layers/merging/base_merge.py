"""`Merge`: the base of layers that combine a list of tensors (Add, Concatenate, …)."""
import numpy as np

from nnfast.layers.layer import Layer


class Merge(Layer):
    """Takes a list of at least two tensors; subclasses define `_merge_function`.

    Shapes must agree or broadcast (a 1 against anything, ranks aligned at the right);
    masks are combined with a logical AND.
    """

    min_inputs = 2
    max_inputs = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, shapes):
        kind = type(self).__name__
        if not isinstance(shapes, (list, tuple)) or not shapes \
                or not isinstance(shapes[0], (list, tuple)):
            raise ValueError(
                f"A merge layer ({kind} {self.name!r}) should be called on a list of inputs. "
                f"Received: input_shape={shapes}")
        if len(shapes) < self.min_inputs or (self.max_inputs and len(shapes) > self.max_inputs):
            want = (f"exactly {self.max_inputs}" if self.max_inputs == self.min_inputs
                    else f"at least {self.min_inputs}")
            raise ValueError(
                f"A `{kind}` layer ({self.name!r}) should be called on {want} inputs. "
                f"Received: {len(shapes)} inputs (shapes {list(shapes)})")
        batches = {s[0] for s in shapes if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError(
                f"Cannot merge tensors with different batch sizes in {kind} {self.name!r}. "
                f"Received tensors with shapes {list(shapes)}")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)   # raises on incompatible shapes
        self.built = True

    def call(self, inputs):
        self.compute_output_shape([tuple(np.shape(x)) for x in inputs])  # raises on a mismatch
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define _merge_function")

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        out = tuple(input_shape[0])
        for shape in input_shape[1:]:
            out = self._broadcast(out, tuple(shape), input_shape)
        return out

    def _broadcast(self, a, b, all_shapes):
        if len(a) < len(b):
            a, b = b, a
        b = (1,) * (len(a) - len(b)) + b
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            if x is None or y is None:
                known = y if x is None else x
                # An unknown size against a known k > 1 must be k (else it would not
                # broadcast); against 1 or unknown it stays unknown.
                out.append(None if i == 0 or known in (None, 1) else known)
            elif x == y or y == 1:
                out.append(x)
            elif x == 1:
                out.append(y)
            else:
                raise ValueError(
                    f"Inputs of {type(self).__name__} layer {self.name!r} have incompatible "
                    f"shapes. Received shapes {list(map(tuple, all_shapes))}")
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: `mask` should be a list of one mask "
                f"per input. Received: mask={mask!r}")
        masks = [np.asarray(m, dtype=bool) for m in mask if m is not None]
        if not masks:
            return None
        out = masks[0]
        for m in masks[1:]:
            out = np.logical_and(out, m)
        return out
