"""Weight initializers (`keras.initializers`).

Classes and their lowercase aliases (`glorot_uniform` is `GlorotUniform`, as Keras 3);
`get("he_normal")` returns a new instance; an ndarray passed to `get` becomes an
initializer returning it (shape-checked).
"""
import numpy as np

from nnfast.backend import standardize_dtype
from nnfast.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from nnfast.initializers.initializer import Initializer
from nnfast.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)
from nnfast.saving.serialization import (
    deserialize_keras_object,
    get_registered_object,
    serialize_keras_object,
)
from nnfast.utils.naming import to_snake_case

ALL_OBJECTS = (Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform,
               HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal,
               RandomUniform, TruncatedNormal, VarianceScaling)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({"IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
                         "normal": RandomNormal, "uniform": RandomUniform, "one": Ones,
                         "zero": Zeros})

# Keras 3's lowercase names are the classes themselves.
constant = Constant
identity = IdentityInitializer = Identity
ones = Ones
zeros = Zeros
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = OrthogonalInitializer = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling


def serialize(initializer):
    """An initializer -> `{"class_name": ..., "config": {...}}`."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """A config dict (or name) -> a new initializer."""
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="initializer")


def _from_array(value):
    value = np.asarray(value)

    def initialize_fn(shape, dtype=None, **kwargs):
        if tuple(shape) != value.shape:
            raise ValueError(f"Expected `shape` to be {value.shape} for direct tensor as "
                             f"initializer. Received shape={tuple(shape)}")
        return value.astype(standardize_dtype(dtype))

    return initialize_fn


def get(identifier):
    """An initializer from a name, a config dict, a class, an instance, a callable or an
    array. Unknown names raise ValueError."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        if get_registered_object(identifier, None, ALL_OBJECTS_DICT) is None:
            raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
        obj = deserialize({"class_name": identifier, "config": {}})
    elif isinstance(identifier, (np.ndarray, np.generic)):
        obj = _from_array(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
