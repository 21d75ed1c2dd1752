"""`nnfast.models`: Model, Sequential, and config round trips."""
from nnfast.models.model import Model  # noqa: F401
from nnfast.models.functional import Functional  # noqa: F401
from nnfast.models.sequential import Sequential  # noqa: F401
from nnfast.models import symbolic_ops  # noqa: F401,E402  (operators on symbolic tensors)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialised weights."""
    from nnfast.layers import deserialize

    if not isinstance(model, Sequential):
        raise ValueError("clone_model supports Sequential models in this version.")
    config = model.get_config()
    return Sequential.from_config(config)


def model_from_config(config, custom_objects=None):
    """A model (fresh weights) from `{"class_name", "config"}` in any Keras dialect."""
    from nnfast.saving.saving_api import model_from_config_checked

    return model_from_config_checked(config, custom_objects, source="model_from_config")


from nnfast.saving.saving_api import (  # noqa: E402,F401  (Keras's keras.models names)
    load_model,
    model_from_json,
    model_from_yaml,
    save_model,
)
