# OpenMP shim: the same .pyx compiles with or without OpenMP (then every prange runs
# serially and NNFAST_OPENMP is 0). Pattern of scikit-learn's _openmp_helpers.pxd.
cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define NNFAST_OPENMP 1
    #else
    #define NNFAST_OPENMP 0
    static int omp_get_thread_num(void) { return 0; }
    static int omp_get_max_threads(void) { return 1; }
    #endif
    """
    int NNFAST_OPENMP
    int omp_get_thread_num() noexcept nogil
    int omp_get_max_threads() noexcept nogil
