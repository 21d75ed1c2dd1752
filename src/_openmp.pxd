# OpenMP shim: the same .pyx compiles with or without OpenMP. Without it, every prange
# runs serially, NNFAST_OPENMP is 0 and these stubs answer as a one-thread team would
# (the pattern of scikit-learn's sklearn/utils/_openmp_helpers.pxd).
cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define NNFAST_OPENMP 1
    #else
    #define NNFAST_OPENMP 0
    static inline int omp_get_thread_num(void) { return 0; }
    static inline int omp_get_num_threads(void) { return 1; }
    static inline int omp_get_max_threads(void) { return 1; }
    #endif
    """
    int NNFAST_OPENMP
    int omp_get_thread_num() noexcept nogil
    int omp_get_num_threads() noexcept nogil
    int omp_get_max_threads() noexcept nogil
