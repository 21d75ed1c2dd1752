"""Kernel registry: op name -> implementation ("cython" | "numpy").

See registry.py for the selection rules and threads.py for the thread policy.
"""
from nnfast.kernels.registry import (  # noqa: F401
    compiled_available,
    enable_timing,
    get,
    get_backend,
    names,
    override,
    register,
    set_backend,
    timings,
    using,
    which,
)
from nnfast.kernels import memory as _memory
from nnfast.kernels import registry as _registry
from nnfast.kernels.threads import blas_info, get_num_threads, set_num_threads  # noqa: F401


def openmp_enabled():
    """True when the compiled kernels were built with OpenMP."""
    if not compiled_available():
        return False
    from nnfast.kernels import compiled

    return compiled.openmp_enabled()


def info():
    """What runs here: compiled kernels, OpenMP, BLAS, threads, current selection."""
    _registry._load_all()
    return {
        "backend": get_backend(),
        "compiled_available": compiled_available(),
        "compiled_error": _registry._compiled_error,
        "openmp": openmp_enabled(),
        "num_threads": get_num_threads(),
        "malloc_tuning": _memory.tune_malloc(),
        "blas": blas_info(),
        "kernels": {name: which(name) for name in names()},
        "compiled_kernels": sorted(n for n, v in _registry._impls.items() if "cython" in v),
    }
