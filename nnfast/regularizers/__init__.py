"""Weight regularizers (`keras.regularizers`).

`l1`, `l2`, `l1_l2` and `orthogonal_regularizer` are the classes themselves (Keras 3's
aliases): `l2(0.01)` is `L2(0.01)`.
"""
from nnfast.regularizers.regularizers import (
    L1,
    L1L2,
    L2,
    OrthogonalRegularizer,
    Regularizer,
    validate_float_arg,  # noqa: F401
)
from nnfast.saving.serialization import (
    deserialize_keras_object,
    get_registered_object,
    serialize_keras_object,
)
from nnfast.utils.naming import to_snake_case

l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})


def serialize(regularizer):
    """A regularizer -> `{"class_name": ..., "config": {...}}`."""
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """A config dict (or name) -> a new regularizer."""
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="regularizer")


def get(identifier):
    """A regularizer from a name ("l2"), a config dict, a class, an instance or a
    callable. Unknown names raise ValueError."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = get_registered_object(identifier, None, ALL_OBJECTS_DICT)
        if obj is None:
            raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
