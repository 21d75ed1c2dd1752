"""The activation functions of `keras.activations`, with Keras 3's names, defaults and
formulas, written with `nnfast.ops`.

A function whose default form the kernels implement carries `kernel_kind` (and
`kernel_alpha` when the kind has a parameter), so a Dense layer can run it inside its
fused op (see `fusable_kind` in `__init__`).
"""
import numpy as np

from nnfast import ops
from nnfast.autograd.variable import Variable


def _kernel(kind, alpha=0.0):
    def deco(fn):
        fn.kernel_kind = kind
        fn.kernel_alpha = float(alpha)
        return fn

    return deco


@_kernel("relu")
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: `max(x, 0)` by default.

    Args:
        x: input tensor.
        negative_slope: slope for values below `threshold`.
        max_value: the largest value returned (None: unbounded).
        threshold: values below it are damped (or zeroed).
    """
    if negative_slope == 0 and max_value is None and threshold == 0:
        return ops.relu(x)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    if not isinstance(x, (np.ndarray, Variable)):
        x = ops.convert_to_tensor(x)       # (Tensors/Variables pass as they are: tracked)
    dtype = np.dtype(x.dtype)
    if negative_slope != 0:
        negative_part = ops.relu(ops.subtract(threshold, x) if threshold != 0 else ops.negative(x))
    clip_max = max_value is not None
    if threshold != 0:
        x = ops.multiply(x, ops.cast(ops.greater(x, threshold), dtype))
    elif max_value == 6:
        x = ops.relu6(x)
        clip_max = False
    else:
        x = ops.relu(x)
    if clip_max:
        x = ops.clip(x, 0.0, max_value)
    if negative_slope != 0:
        x = ops.subtract(x, ops.multiply(negative_slope, negative_part))
    return x


@_kernel("leaky_relu", 0.2)
def leaky_relu(x, negative_slope=0.2):
    """`x` for x >= 0, else `negative_slope * x`."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return ops.relu6(x)


@_kernel("softmax")
def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis`."""
    out = ops.softmax(x, axis=axis)
    out._keras_logits = x          # as Keras: crossentropy may use the logits instead
    return out


@_kernel("elu", 1.0)
def elu(x, alpha=1.0):
    """Exponential linear unit: `x` for x > 0, else `alpha * (exp(x) - 1)`."""
    return ops.elu(x, alpha=alpha)


@_kernel("selu")
def selu(x):
    """Scaled ELU: `scale * elu(x, alpha)`, alpha=1.67326324, scale=1.05070098."""
    return ops.selu(x)


@_kernel("softplus")
def softplus(x):
    """`log(exp(x) + 1)`."""
    return ops.softplus(x)


@_kernel("softsign")
def softsign(x):
    """`x / (abs(x) + 1)`."""
    return ops.softsign(x)


@_kernel("swish")
def silu(x):
    """Swish / SiLU: `x * sigmoid(x)`."""
    return ops.silu(x)


swish = silu


@_kernel("gelu")
def gelu(x, approximate=False):
    """Gaussian error linear unit, `0.5 * x * (1 + erf(x / sqrt(2)))`; `approximate=True`
    uses the tanh approximation."""
    return ops.gelu(x, approximate=approximate)


@_kernel("tanh")
def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


@_kernel("sigmoid")
def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    out = ops.sigmoid(x)
    out._keras_logits = x
    return out


@_kernel("exponential")
def exponential(x):
    """`exp(x)`."""
    return ops.exponential(x)


@_kernel("hard_sigmoid")
def hard_sigmoid(x):
    """Piecewise-linear sigmoid: 0 for x <= -3, 1 for x >= 3, else `x / 6 + 0.5`."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """Hard swish: `x * relu6(x + 3) / 6`."""
    return ops.hard_silu(x)


hard_swish = hard_silu


@_kernel("linear")
def linear(x):
    """The identity (returns `x` unchanged)."""
    return x


def mish(x):
    """`x * tanh(softplus(x))`."""
    return ops.mish(x)


@_kernel("log_softmax")
def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis`."""
    return ops.log_softmax(x, axis=axis)


def crelu(x, axis=-1):
    """Concatenated ReLU: `concatenate([relu(x), relu(-x)], axis)`."""
    return ops.concatenate([ops.relu(x), ops.relu(ops.negative(x))], axis=axis)
