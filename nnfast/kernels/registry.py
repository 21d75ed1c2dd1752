"""The one place that knows which kernel implementations exist and which one runs.

Each kernel name maps to up to two implementations: "numpy" (the reference twin, always
present) and "cython" (compiled, present when the extension imported). Ops call
`get(name)(...)`; they never import an implementation module themselves.

Selection (Chainer's `use_ideep` design): `set_backend("cython" | "numpy" | "auto")`,
seeded by env `NNFAST_KERNELS`; `using("numpy")` flips it for a block; `override(name,
backend)` pins one kernel (benchmarks). "auto"/"cython" fall back to NumPy per kernel when
no compiled implementation exists.
"""
import contextlib
import os
import threading
import time
import warnings

_BACKENDS = ("auto", "cython", "numpy")
_impls = {}                  # name -> {"numpy": fn, "cython": fn}
_override = {}               # name -> backend
_backend = None
_resolved = {}               # cache: name -> fn for the current selection
_timing = None               # None, or dict name -> [calls, seconds, backend]
_timing_lock = threading.Lock()
_compiled_error = None       # why the extension could not be loaded, if it could not
_loaded = False


def register(name, *, numpy=None, cython=None):
    entry = _impls.setdefault(name, {})
    if numpy is not None:
        entry["numpy"] = numpy
    if cython is not None:
        entry["cython"] = cython
    _resolved.clear()


def names():
    return sorted(_impls)


def _load_all():
    """Import the NumPy twins and (if built) the compiled adapters, once."""
    global _compiled_error, _loaded
    if _loaded:
        return
    _loaded = True   # set first: a twin module importing another must not recurse here
    from nnfast.kernels.memory import tune_malloc

    tune_malloc()
    from nnfast.kernels import numpy_ref  # noqa: F401  (registers the twins)

    try:
        from nnfast.kernels import compiled  # noqa: F401  (registers the cython kernels)
        from nnfast.kernels.threads import reapply_blas_limit

        reapply_blas_limit()
    except ImportError as e:
        _compiled_error = str(e)
        warnings.warn(
            "nnfast: the compiled kernels (nnfast._ext) could not be imported "
            f"({e}); running on the NumPy kernels. Rebuild with `pip install -e .`.",
            RuntimeWarning,
            stacklevel=3,
        )


def compiled_available():
    _load_all()
    return _compiled_error is None and any("cython" in v for v in _impls.values())


def get_backend():
    global _backend
    if _backend is None:
        env = os.environ.get("NNFAST_KERNELS", "auto").strip().lower() or "auto"
        if env not in _BACKENDS:
            raise ValueError(f"NNFAST_KERNELS must be one of {_BACKENDS}. Received: {env!r}")
        _backend = env
    return _backend


def set_backend(backend):
    global _backend
    if backend not in _BACKENDS:
        raise ValueError(f"Kernel backend must be one of {_BACKENDS}. Received: {backend!r}")
    _backend = backend
    _resolved.clear()


@contextlib.contextmanager
def using(backend):
    """Run a block with another kernel backend: `with nnfast.kernels.using("numpy"): …`."""
    previous = get_backend()
    set_backend(backend)
    try:
        yield
    finally:
        set_backend(previous)


def override(name, backend):
    """Pin one kernel to a backend (None removes the pin)."""
    if backend is None:
        _override.pop(name, None)
    elif backend not in _BACKENDS:
        raise ValueError(f"Kernel backend must be one of {_BACKENDS}. Received: {backend!r}")
    else:
        _override[name] = backend
    _resolved.clear()


def which(name):
    """The backend that `get(name)` would run now: "cython" or "numpy"."""
    _load_all()
    if name not in _impls:
        raise KeyError(f"Unknown kernel {name!r}. Known kernels: {names()}")
    want = _override.get(name, get_backend())
    if want in ("auto", "cython") and "cython" in _impls[name]:
        return "cython"
    return "numpy"


def get(name):
    """The implementation of kernel `name` for the current selection."""
    fn = _resolved.get(name)
    if fn is None:
        backend = which(name)
        fn = _impls[name][backend]
        if _timing is not None:
            fn = _timed(name, backend, fn)
        _resolved[name] = fn
    return fn


def _timed(name, backend, fn):
    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            dt = time.perf_counter() - t0
            with _timing_lock:
                rec = _timing.setdefault(name, [0, 0.0, backend])
                rec[0] += 1
                rec[1] += dt

    return timed


def enable_timing(on=True):
    """Count calls and wall time per kernel (what `make demo` prints)."""
    global _timing
    _timing = {} if on else None
    _resolved.clear()


def timings():
    """{kernel name: {"calls", "seconds", "backend"}} since `enable_timing()`."""
    if _timing is None:
        return {}
    with _timing_lock:
        return {k: {"calls": c, "seconds": s, "backend": b} for k, (c, s, b) in _timing.items()}
