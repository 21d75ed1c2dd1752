"""Keras-style object (de)serialisation: `{"class_name": ..., "config": {...}}`.

Every module with `get`/`serialize`/`deserialize` (losses, metrics, optimizers,
activations, initializers, regularizers, layers) goes through these helpers, so custom
objects (`custom_objects=` or `@register_keras_serializable`) work the same everywhere.
Nothing here ever evaluates code from a config: class names are looked up in dicts.
"""
import contextlib
import threading

_GLOBAL_CUSTOM_OBJECTS = {}
_local = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class/function under `package>name` (and plain name)."""

    def deco(obj):
        key = name or getattr(obj, "__name__", None)
        if key is None:
            raise ValueError(f"Cannot register {obj!r}: it has no __name__; pass name=.")
        _GLOBAL_CUSTOM_OBJECTS[f"{package}>{key}"] = obj
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        obj._nnfast_registered_name = f"{package}>{key}"
        return obj

    return deco


def get_registered_object(name, custom_objects=None, module_objects=None):
    for table in (_scoped_objects(), custom_objects, _GLOBAL_CUSTOM_OBJECTS, module_objects):
        if table and name in table:
            return table[name]
    return None


def _scoped_objects():
    return getattr(_local, "scope", None) or {}


@contextlib.contextmanager
def custom_object_scope(*dicts):
    """`with custom_object_scope({"MyLayer": MyLayer}): load_model(...)`."""
    previous = getattr(_local, "scope", None)
    merged = dict(previous or {})
    for d in dicts:
        merged.update(d or {})
    _local.scope = merged
    try:
        yield
    finally:
        _local.scope = previous


CustomObjectScope = custom_object_scope


def get_custom_objects():
    return _GLOBAL_CUSTOM_OBJECTS


def serialize_keras_object(obj):
    """An object -> a JSON-able value: strings for plain functions, class_name/config
    dicts for objects with `get_config`."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if hasattr(obj, "get_config"):
        return {
            "class_name": getattr(obj, "_nnfast_registered_name", None) or type(obj).__name__,
            "config": obj.get_config(),
        }
    name = getattr(obj, "__name__", None)
    if name is not None:
        return getattr(obj, "_nnfast_registered_name", None) or name
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}.")


def deserialize_keras_object(config, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """The inverse of `serialize_keras_object`.

    `module_objects` maps names to the module's classes/functions. Strings name a
    function or a class (instantiated with no arguments); dicts carry class_name/config.
    Unknown names raise ValueError naming the kind of object and the name.
    """
    if config is None:
        return None
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(
                f"Unknown {printable_module_name}: {config!r}. Please ensure you are using "
                "a known name, or pass it in `custom_objects`."
            )
        return obj() if isinstance(obj, type) else obj
    if isinstance(config, dict) and "class_name" in config:
        class_name = config["class_name"]
        cls = get_registered_object(class_name, custom_objects, module_objects)
        if cls is None:
            raise ValueError(
                f"Unknown {printable_module_name}: {class_name!r}. Please ensure you are "
                "using a known name, or pass it in `custom_objects`."
            )
        inner = config.get("config", {}) or {}
        if hasattr(cls, "from_config"):
            return cls.from_config(inner)
        if isinstance(cls, type):
            return cls(**inner)
        return cls
    raise TypeError(
        f"Could not interpret {printable_module_name} identifier: {config!r}"
    )
