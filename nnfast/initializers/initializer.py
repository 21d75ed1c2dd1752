"""`Initializer`: the base class (`__call__(shape, dtype=None)` -> a NumPy array)."""


class Initializer:
    """Base class of weight initializers.

    Subclasses implement `__call__(shape, dtype=None)` returning an ndarray of `dtype`
    (default `nnfast.backend.floatx()`), and `get_config()` when they take arguments.
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config()}>"


def standardize_shape(owner, shape):
    """A tuple of non-negative ints, or a ValueError naming `owner`."""
    try:
        shape = tuple(int(d) for d in shape)
    except TypeError:
        try:
            shape = (int(shape),)
        except (TypeError, ValueError):
            raise ValueError(f"{owner}: `shape` must be a tuple of ints. "
                             f"Received: shape={shape!r}") from None
    except ValueError:
        raise ValueError(f"{owner}: `shape` must be a tuple of ints. "
                         f"Received: shape={shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{owner}: `shape` must not have negative dimensions. "
                         f"Received: shape={shape}")
    return shape
