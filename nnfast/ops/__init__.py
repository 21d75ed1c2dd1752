"""`nnfast.ops`: differentiable ops on Tensors (Keras 3's `keras.ops` names).

The families live in submodules: `numpy` (NumPy-style math, reductions, shapes),
`nn` (activations, softmax, fused dense / cross-entropy / dropout), `math`
(logsumexp, top_k, segment ops, …), `normalization` (batch norm, moments),
`indexing` (slice, scatter, unstack) and `control_flow` (cond, while_loop, …).
Importing this package also routes NumPy functions on Tensors to these ops.
"""
from nnfast.ops.numpy import *  # noqa: F401,F403
from nnfast.ops.math import *  # noqa: F401,F403
from nnfast.ops.nn import *  # noqa: F401,F403
from nnfast.ops.normalization import *  # noqa: F401,F403
from nnfast.ops.indexing import *  # noqa: F401,F403
from nnfast.ops.control_flow import *  # noqa: F401,F403
from nnfast.ops import control_flow, indexing, math, nn, normalization, numpy  # noqa: F401
# Core last: `identity` here is the tensor pass-through, not numpy's identity matrix.
from nnfast.ops.core import (  # noqa: F401
    cast,
    convert_to_numpy,
    convert_to_tensor,
    getitem,
    identity,
    is_tensor,
    reshape,
    stop_gradient,
    transpose,
)
from nnfast.ops.layer_normalization import layer_normalization  # noqa: F401,E402
from nnfast.ops.nn_pool import average_pool, max_pool  # noqa: F401,E402
from nnfast.ops.symbolic import wrap_namespace as _wrap_namespace  # noqa: E402

# Every public op also works on symbolic tensors inside a functional model.
_wrap_namespace(globals())
