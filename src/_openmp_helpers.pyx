"""What the compiled kernels were built with, as seen at run time."""
from cython.parallel cimport prange

from _openmp cimport NNFAST_OPENMP, omp_get_max_threads, omp_get_thread_num


def openmp_enabled():
    """True when the extension was compiled with OpenMP."""
    return bool(NNFAST_OPENMP)


def openmp_max_threads():
    """libgomp's default team size (OMP_NUM_THREADS or the cores); 1 without OpenMP."""
    return omp_get_max_threads()


def openmp_team_size(int num_threads):
    """How many distinct threads a `prange(..., num_threads=n)` really runs on.

    Each of `n` iterations (static schedule, chunk 1: one per thread) records its thread
    id; the count of distinct ids proves the team was started (1 without OpenMP).
    """
    if num_threads < 1:
        raise ValueError(f"openmp_team_size expects num_threads >= 1. Received: {num_threads}")
    cdef int[64] ids
    cdef int i, j, distinct = 0, n = min(num_threads, 64)
    for i in prange(n, nogil=True, schedule="static", chunksize=1, num_threads=n):
        ids[i] = omp_get_thread_num()
    for i in range(n):
        for j in range(i):
            if ids[j] == ids[i]:
                break
        else:
            distinct += 1
    return distinct
