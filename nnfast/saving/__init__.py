"""`nnfast.saving`: object registry, (de)serialisation and model files (HDF5, .keras)."""
from nnfast.saving.serialization import (  # noqa: F401
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from nnfast.saving.saving_api import (  # noqa: F401,E402
    load_model,
    load_weights,
    model_from_json,
    model_from_yaml,
    save_model,
    save_weights,
)
