"""What the compiled kernels were built with."""
from _openmp cimport NNFAST_OPENMP, omp_get_max_threads


def openmp_enabled():
    """True when this extension was compiled with OpenMP."""
    return bool(NNFAST_OPENMP)


def openmp_max_threads():
    return omp_get_max_threads()
