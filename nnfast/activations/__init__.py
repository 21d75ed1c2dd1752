"""`keras.activations`: activation functions and their `get` / `serialize` /
`deserialize`, plus `fusable_kind` (which activations a fused Dense op can run)."""
import types

from nnfast.activations.activations import (  # noqa: F401
    crelu, elu, exponential, gelu, hard_sigmoid, hard_silu, hard_swish, leaky_relu, linear,
    log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus, softsign, swish,
    tanh,
)
from nnfast.saving.serialization import deserialize_keras_object, serialize_keras_object

ALL_OBJECTS = (
    relu, leaky_relu, relu6, softmax, elu, selu, softplus, softsign, silu, gelu, tanh,
    sigmoid, exponential, hard_sigmoid, hard_silu, linear, mish, log_softmax, crelu,
)
ALL_OBJECTS_DICT = {fn.__name__: fn for fn in ALL_OBJECTS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu


def serialize(activation):
    """The config of an activation: its name for the built-ins (as Keras 3 writes it),
    the registered name for registered functions, a class_name/config dict for objects."""
    if activation is None:
        return None
    if isinstance(activation, types.FunctionType) and ALL_OBJECTS_DICT.get(
            getattr(activation, "__name__", None)) is activation:
        return activation.__name__
    if not callable(activation):
        raise ValueError(
            "serialize: expected an activation function. "
            f"Received: activation={activation!r}"
        )
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    """The activation function named (or described) by `config`."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        # Keras 3's nested form for plain functions: {"class_name": "function", "config": "relu", ...}
        config = config.get("config")
    return deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="activation function",
    )


def get(identifier):
    """An activation function from a name, a config dict, a callable or None (linear).

    Raises:
        ValueError: for an unknown name or an identifier that is not callable.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}"
    )


def fusable_kind(activation):
    """`(kind, alpha)` when `activation` is a built-in the fused kernels run (with its
    default arguments), else None."""
    kind = getattr(activation, "kernel_kind", None)
    if kind is None or ALL_OBJECTS_DICT.get(getattr(activation, "__name__", None)) is not activation:
        return None
    return kind, getattr(activation, "kernel_alpha", 0.0)
