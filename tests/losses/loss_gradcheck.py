"""Gradient-check helpers: the tape's gradient vs central finite differences."""
import numpy as np

from nnfast.autograd import GradientTape
from nnfast.ops import convert_to_tensor


def tape_grad(fn, y_pred, upstream):
    """d sum(fn(y_pred) * upstream) / d y_pred through the tape."""
    x = convert_to_tensor(np.asarray(y_pred, dtype="float64"))
    with GradientTape() as tape:
        tape.watch(x)
        out = fn(x)
    g = tape.gradient(out, x, output_gradients=np.asarray(upstream, dtype="float64"))
    return np.asarray(g)


def numeric_grad(fn, y_pred, upstream, h=1e-6):
    """Central finite differences of sum(fn(y_pred) * upstream)."""
    x = np.asarray(y_pred, dtype="float64")
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        up, down = np.sum(np.asarray(fn(xp)) * upstream), np.sum(np.asarray(fn(xm)) * upstream)
        g[i] = (up - down) / (2 * h)
    return g
