"""Thread-count policy: one number governs both the OpenMP kernels and the BLAS pools.

Rule (DESIGN.md, Threads): never more running threads than `get_num_threads()`. Compiled
kernels receive the number explicitly (`num_threads=`, see build.md on sklearn #22566);
BLAS pools are capped with threadpoolctl when it is installed.
"""
import os
import threading

_lock = threading.Lock()
_num_threads = None          # resolved lazily: reading cgroups/env at import costs nothing later
_blas_limiter = None


def _cores_available():
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    # A cgroup CPU quota (containers, CI runners) may allow fewer cores than affinity shows.
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            n = min(n, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, n)


def _from_env():
    for var in ("NNFAST_NUM_THREADS", "OMP_NUM_THREADS"):
        raw = os.environ.get(var, "").strip()
        if not raw:
            continue
        try:
            n = int(raw.split(",")[0])
        except ValueError:
            raise ValueError(f"{var} must be a positive integer. Received: {raw!r}") from None
        if n < 1:
            raise ValueError(f"{var} must be a positive integer. Received: {raw!r}")
        return n
    return None


def get_num_threads():
    """The number of threads nnfast's kernels and BLAS may use."""
    global _num_threads
    if _num_threads is None:
        set_num_threads(_from_env() or _cores_available())
    return _num_threads


def set_num_threads(n):
    """Set the thread count for OpenMP kernels and BLAS together.

    `n` is a positive int; `-1` means every core this process may use.
    """
    global _num_threads, _blas_limiter
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads expects an int. Received: n={n!r}")
    if n == -1:
        n = _cores_available()
    if n < 1:
        raise ValueError(f"set_num_threads expects n >= 1 or n == -1. Received: n={n}")
    with _lock:
        _num_threads = n
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            _blas_limiter = None
        else:
            # Applied globally (not as a context): every BLAS pool loaded so far is capped.
            _blas_limiter = threadpool_limits(limits=n, user_api="blas")


def reapply_blas_limit():
    """Cap BLAS pools loaded since the last `set_num_threads` (e.g. scipy's OpenBLAS,
    which loads with the compiled kernels)."""
    if _num_threads is not None:
        set_num_threads(_num_threads)


def blas_info():
    """The BLAS libraries loaded in this process, as threadpoolctl sees them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed"}]
    return [
        {k: d.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer", "filepath")}
        for d in threadpool_info()
        if d.get("user_api") == "blas"
    ]
