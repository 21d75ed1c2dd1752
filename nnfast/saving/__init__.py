"""`nnfast.saving`: object registry and (de)serialisation (file formats come later)."""
from nnfast.saving.serialization import (  # noqa: F401
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
