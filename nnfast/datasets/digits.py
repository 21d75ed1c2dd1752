"""The UCI hand-written digits (1,797 8x8 images, pixels 0..16), bundled with nnfast.

Offline stand-in for `keras.datasets.mnist`: small enough to ship inside the package
and to train on in seconds. Source and licence: `nnfast/datasets/data/README.md`.
"""
import functools
import gzip
import importlib.resources

import numpy as np

_FILE = "digits.csv.gz"


@functools.lru_cache(maxsize=1)
def _read():
    # One row per image: 64 pixel counts (row-major 8x8) then the label.
    resource = importlib.resources.files("nnfast.datasets") / "data" / _FILE
    with resource.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.uint8, ndmin=2)
    if table.shape != (1797, 65):
        raise ValueError(f"digits.load_data: the bundled {_FILE} is damaged: expected a "
                         f"(1797, 65) table. Received: shape {table.shape}")
    table.flags.writeable = False
    return table


def load_data(test_split=0.2, seed=113):
    """Loads the digits dataset, shuffled and split as Keras's `reuters` does.

    Args:
        test_split: Fraction of the samples kept for the test set, in `[0, 1)`.
        seed: Seed of the shuffle, so the split is the same on every call.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x` are `uint8` arrays of shape
        `(n, 8, 8)` with values 0..16, `y` are `uint8` labels 0..9.
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float, np.number)) \
            or not 0 <= test_split < 1:
        raise ValueError("digits.load_data expects `test_split` in [0, 1). "
                         f"Received: test_split={test_split!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"digits.load_data expects an int `seed`. Received: seed={seed!r}")
    table = _read()
    # A legacy RandomState: its shuffle is frozen across NumPy versions (NEP 19), so a
    # seed names the same split everywhere.
    order = np.arange(len(table))
    np.random.RandomState(seed).shuffle(order)
    x = table[order, :64].reshape(-1, 8, 8)
    y = table[order, 64].copy()
    cut = int(len(table) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
