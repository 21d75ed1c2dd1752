"""Keep freed memory in the process for reuse (glibc malloc tuning).

A training step allocates and frees the same large arrays (activations, weight
gradients) every step. With glibc's defaults the top of the heap is trimmed back to the
OS when they are freed and grown again on the next step, so every step pays page faults
on fresh memory: measured at ~0.5 ms of a 2.3 ms W6 step (BENCHMARKS.md). Raising the
trim threshold and the top pad keeps those pages. Process-wide, so it is applied once,
only on glibc, and `NNFAST_MALLOC_TUNING=0` turns it off.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_applied = None


def tune_malloc():
    """Apply the tuning (once); True when it is in effect."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get("NNFAST_MALLOC_TUNING", "1").strip() == "0":
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):          # not glibc (e.g. musl): leave it alone
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    _applied = bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20)        # glibc's maximum
                    and mallopt(_M_TRIM_THRESHOLD, 256 << 20)
                    and mallopt(_M_TOP_PAD, 64 << 20))
    return _applied
