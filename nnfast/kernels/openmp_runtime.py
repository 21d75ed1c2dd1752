"""Load the OpenMP runtime of nnfast's compiled kernels with a passive wait policy.

GNU OpenMP's idle threads spin for a while after each parallel loop. nnfast alternates
its own OpenMP loops with OpenBLAS calls that have threads of their own, so on a machine
with as many cores as threads the spinning team starves BLAS (measured at 2 threads: the
W5 CNN's batch-1 forward 8.0 ms instead of 1.2, the W7 LSTM epoch 5x slower). Passive
waiting costs a wake-up per loop instead (W3 pooling 1.5 -> 2.0 ms), a far smaller price.

The policy is read once, when the runtime loads; it is set only for that moment and the
environment is restored, so other libraries' OpenMP runtimes loaded later (PyTorch's,
scikit-learn's) keep their own settings. A user's OMP_WAIT_POLICY / GOMP_SPINCOUNT wins.
"""
import os


def load():
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ:
        _import_runtime()
        return
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        _import_runtime()
    finally:
        del os.environ["OMP_WAIT_POLICY"]


def _import_runtime():
    try:
        from nnfast._ext import _openmp_helpers  # noqa: F401  (loads libgomp)
    except ImportError:
        pass            # no build: the registry warns when it looks for the kernels
