"""Optimizers (`keras.optimizers`): fused, in-place updates of every parameter per step.

`get("adam")` returns a new Adam with Keras's defaults; `serialize`/`deserialize` go
through `nnfast.saving.serialization`. Keras 2's `lr=` and `decay=` arguments are accepted
by every optimizer; `nnfast.optimizers.legacy` holds the same classes under Keras 2's
namespace.
"""
from nnfast.optimizers import schedules  # noqa: F401  (first: the classes use it)
from nnfast.optimizers.adagrad import Adadelta, Adagrad
from nnfast.optimizers.adam import Adam, Adamax, AdamW, Nadam
from nnfast.optimizers.optimizer import Optimizer
from nnfast.optimizers.rmsprop import RMSprop
from nnfast.optimizers.sgd import SGD
from nnfast.saving.serialization import deserialize_keras_object, serialize_keras_object

ALL_OBJECTS = (Optimizer, SGD, RMSprop, Adam, AdamW, Adamax, Nadam, Adagrad, Adadelta)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer):
    """An optimizer -> `{"class_name": ..., "config": {...}}`."""
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """A config dict -> a new optimizer (built-in class names are case-insensitive)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "optimizers.deserialize expects a dict with 'class_name' and 'config'. "
            f"Received: config={config!r}"
        )
    name = config["class_name"]
    if isinstance(name, str) and name.lower() in ALL_OBJECTS_DICT:
        config = dict(config, class_name=name.lower())
    inner = config.get("config") or {}
    if inner.get("learning_rate") is not None and isinstance(inner["learning_rate"], dict):
        inner = dict(inner, learning_rate=schedules.deserialize(
            inner["learning_rate"], custom_objects=custom_objects))
        config = dict(config, config=inner)
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="optimizer")


def get(identifier):
    """An optimizer from a name ("adam", "SGD"), a config dict, or an instance (returned
    unchanged). A name always gives a new instance with the default arguments."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        if identifier.lower() not in ALL_OBJECTS_DICT:
            from nnfast.saving.serialization import get_registered_object

            if get_registered_object(identifier) is None:
                raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
        obj = deserialize({"class_name": identifier, "config": {}})
    elif isinstance(identifier, type) and issubclass(identifier, Optimizer):
        obj = identifier()
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


from nnfast.optimizers import legacy  # noqa: E402,F401  (Keras 2's namespace)
