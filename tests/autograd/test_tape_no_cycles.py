"""The gradients a tape returns are freed as soon as the caller drops them (no reference
cycle waiting for the cyclic GC: a training step would otherwise page-fault fresh memory
for its gradients every step)."""
import gc
import weakref

import numpy as np

from nnfast import ops
from nnfast.autograd import GradientTape, Variable


def test_dropped_gradients_are_freed_without_the_cyclic_gc():
    w = Variable(np.ones((64, 64), "float32"))
    x = np.ones((8, 64), "float32")
    gc.collect()
    gc.disable()
    try:
        with GradientTape() as tape:
            y = ops.matmul(x, w)
        grads = tape.gradient(y, [w])
        ref = weakref.ref(grads[0])
        del grads, tape, y
        assert ref() is None
    finally:
        gc.enable()
