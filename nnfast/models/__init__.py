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
    from nnfast.layers import deserialize

    return deserialize(config, custom_objects=custom_objects)
