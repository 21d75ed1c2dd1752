"""`nnfast.config`: Keras's `keras.config` names plus the engine's own knobs.

    nnfast.config.set_kernels("numpy")      # or "cython" / "auto"; env NNFAST_KERNELS
    nnfast.config.set_num_threads(2)        # OpenMP kernels and BLAS together
"""
from nnfast.backend import (  # noqa: F401
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from nnfast.kernels import (  # noqa: F401
    compiled_available as kernels_available,
    get_backend as get_kernels,
    get_num_threads,
    openmp_enabled,
    set_backend as set_kernels,
    set_num_threads,
    using as kernels,
)

_unsafe_deserialization = False


def enable_unsafe_deserialization():
    """Allow Lambda layers to be loaded from files (Keras 3's switch)."""
    global _unsafe_deserialization
    _unsafe_deserialization = True


def unsafe_deserialization_enabled():
    return _unsafe_deserialization
