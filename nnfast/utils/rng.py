"""One seedable random source for initializers, dropout and shuffling.

`nnfast.utils.set_random_seed(s)` makes weights, dropout masks and fit's shuffling
reproducible (it also seeds Python's `random` and NumPy's legacy global state, as
Keras's does).
"""
import random

import numpy as np

_generator = np.random.default_rng()


def set_random_seed(seed):
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"set_random_seed expects an int. Received: seed={seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % (2**32))
    _generator = np.random.default_rng(seed)


def get_rng(seed=None):
    """The global generator, or a fresh one when an explicit `seed` is given."""
    if seed is not None:
        return np.random.default_rng(seed)
    return _generator
