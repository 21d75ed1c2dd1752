"""Configs written by Keras 3 or tf.keras 2 -> configs nnfast's classes accept.

Keras 3's native dialect adds `module`, `registered_name`, `build_config`,
`compile_config` and `shared_object_id` to every object, writes dtypes as `DTypePolicy`
objects and tuples as `__tuple__`; newer Keras versions add arguments nnfast's layers do
not take (`quantization_config=None`, `optional=False`, ...). `normalize` strips the
wrapping and drops such arguments when they hold an "off" value (None/False), so a
feature that is really used still fails loudly in the layer.

Safety: nothing here runs code from a config. A `Lambda` layer or a serialized Python
lambda is refused unless unsafe deserialization was allowed (`safe_mode=False` when
loading, or `nnfast.config.enable_unsafe_deserialization()`).
"""
import contextlib
import inspect
import threading

import numpy as np

from nnfast.saving.serialization import get_registered_object

_local = threading.local()
_WRAPPER_KEYS = ("module", "registered_name", "build_config", "compile_config",
                 "shared_object_id")
# Keras-only arguments that carry a real value even when the feature is off.
_DROP_WHEN_UNKNOWN = {"renorm_momentum": lambda cfg: not cfg.get("renorm")}
_GRAPH_KEYS = ("inbound_nodes", "input_layers", "output_layers")


@contextlib.contextmanager
def safe_mode_scope(safe_mode):
    """Loading inside this scope refuses (True) or allows (False) Lambda layers."""
    previous = getattr(_local, "safe_mode", None)
    _local.safe_mode = None if safe_mode is None else bool(safe_mode)
    try:
        yield
    finally:
        _local.safe_mode = previous


def in_safe_mode():
    from nnfast import config

    mode = getattr(_local, "safe_mode", None)
    if mode is None:
        return not config.unsafe_deserialization_enabled()
    return mode


def _refuse_unsafe(what):
    if in_safe_mode():
        raise ValueError(
            f"Requested the deserialization of {what}, which carries Python code from the "
            "file and thus a risk of arbitrary code execution; it is disallowed by default. "
            "If you trust the source of the file, pass `safe_mode=False` to the loading "
            "function or call `nnfast.config.enable_unsafe_deserialization()`."
        )


# -- object kinds, for dropping Keras-only "off" arguments ---------------------------------
def _kind_of(key):
    key = key or ""
    for suffix, kind in (("initializer", "initializers"), ("regularizer", "regularizers"),
                         ("constraint", "constraints")):
        if key.endswith(suffix):
            return kind
    if key in ("optimizer", "optimizer_config"):
        return "optimizers"
    if key in ("layer", "cell", "cells", "forward_layer", "backward_layer", "layers", ""):
        return "layers"
    return None


def _module_objects(kind):
    if kind == "layers":
        from nnfast.layers import _layer_objects

        return _layer_objects()
    import importlib

    module = importlib.import_module(f"nnfast.{kind}")
    return getattr(module, "ALL_OBJECTS_DICT", None) or getattr(module, "_OBJECTS", {})


def resolve_class(class_name, kind, custom_objects=None):
    """The class (or function) a config names, or None."""
    table = _module_objects(kind) if kind else None
    obj = get_registered_object(class_name, custom_objects, table)
    if obj is None and kind == "optimizers" and isinstance(class_name, str):
        # tf.keras 2.11+ registers its optimizers as "Custom>Adam".
        obj = get_registered_object(class_name.split(">")[-1].lower(), custom_objects, table)
    return obj


def accepted_arguments(cls):
    """Keyword arguments `cls(...)` accepts: every `__init__` up the MRO (they pass
    `**kwargs` on), plus the base Layer's."""
    from nnfast.layers.layer import _BASE_KWARGS

    names = set(_BASE_KWARGS)
    for klass in inspect.getmro(cls):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            continue
        names.update(p for p in params if p != "self")
    return names


def drop_unknown_off_arguments(cls, config):
    """`config` without the arguments `cls` does not take whose value means "off"."""
    if not isinstance(cls, type) or not isinstance(config, dict):
        return config
    if "from_config" in cls.__dict__ and not _is_nnfast_class(cls):
        return config             # a custom from_config reads its own keys
    accepted = accepted_arguments(cls)
    out = {}
    for key, value in config.items():
        if key not in accepted:
            rule = _DROP_WHEN_UNKNOWN.get(key)
            if value is None or value is False or (rule is not None and rule(config)):
                continue
        out[key] = value
    return out


def _is_nnfast_class(cls):
    return (getattr(cls, "__module__", "") or "").startswith("nnfast.")


# -- normalisation --------------------------------------------------------------------
def _dtype_name(policy):
    name = (policy.get("config") or {}).get("name") or "float32"
    if isinstance(name, str) and name.startswith("mixed_"):
        return "float32"              # mixed policies keep float32 variables
    return name


def normalize(value, key=None, custom_objects=None):
    """Strip Keras 3 wrapping from a config tree (idempotent; see the module doc)."""
    if isinstance(value, list):
        return [normalize(v, key, custom_objects) for v in value]
    if not isinstance(value, dict):
        return value
    class_name = value.get("class_name")
    if class_name is None or not isinstance(class_name, str):
        return {k: (v if k in _GRAPH_KEYS else normalize(v, k, custom_objects))
                for k, v in value.items()}
    inner = value.get("config")
    if class_name == "__keras_tensor__":
        return value
    if class_name == "__tuple__":
        return tuple(normalize((inner or {}).get("value", []), key, custom_objects))
    if class_name in ("__numpy__", "__tensor__"):
        return np.asarray((inner or {}).get("value"), dtype=(inner or {}).get("dtype"))
    if class_name == "__bytes__":
        return str((inner or {}).get("value", "")).encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__lambda__":
        _refuse_unsafe("a Python lambda")
        return value
    if class_name == "function":           # a named function: look it up by name
        registered = value.get("registered_name")
        return registered if registered and registered != "function" else inner
    if class_name.endswith("DTypePolicy") or class_name == "Policy":
        return _dtype_name(value)
    if class_name == "Lambda":
        _refuse_unsafe("a `Lambda` layer")
    registered = value.get("registered_name")
    out = {k: v for k, v in value.items() if k not in _WRAPPER_KEYS}
    if str(value.get("module") or "").startswith(("keras.src.ops", "keras.ops")):
        out["module"] = value["module"]       # a keras.ops node: deserialize_layer maps it
    if registered and registered != class_name and ">" in registered:
        out["class_name"] = registered
    if isinstance(inner, dict):
        inner = {k: (v if k in _GRAPH_KEYS else normalize(v, k, custom_objects))
                 for k, v in inner.items()}
        kind = _kind_of(key)
        cls = resolve_class(out["class_name"], kind, custom_objects) if kind else None
        if kind == "optimizers":      # tf.keras 2 bookkeeping flags and registered name
            inner.pop("is_legacy_optimizer", None)
            inner.pop("jit_compile", None)
            if cls is not None and out["class_name"].startswith("Custom>"):
                out["class_name"] = out["class_name"].split(">")[-1]
        inner = drop_unknown_off_arguments(cls, inner)
        out["config"] = inner
    elif inner is not None:
        out["config"] = normalize(inner, key, custom_objects)
    return out


def normalize_model_config(config, custom_objects=None):
    """A model's inner config (the dict with `layers`), normalised."""
    if not isinstance(config, dict):
        raise ValueError(f"A model config must be a dict. Received: {type(config).__name__}")
    return {k: (v if k in ("input_layers", "output_layers") else normalize(v, k, custom_objects))
            for k, v in config.items()}


# -- layers ---------------------------------------------------------------------------
def deserialize_layer(config, custom_objects=None):
    """A layer or model from `{"class_name", "config"}` (any Keras dialect), with a
    ValueError naming the layer when it cannot be built."""
    from nnfast.models.model import Model

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A layer config must be a dict with a 'class_name'. Received: {config!r}")
    module = str(config.get("module") or "")
    config = normalize(config, "layers", custom_objects)
    class_name = config["class_name"]
    inner = config.get("config")
    inner = dict(inner) if isinstance(inner, dict) else {}
    name = inner.get("name") or config.get("name")
    cls = resolve_class(class_name, "layers", custom_objects)
    # Keras 3 records keras.ops calls on symbolic tensors as nodes of their own: a module
    # under keras.src.ops (native files), or in legacy .h5 configs a bare {"name"} config.
    op_node = module.startswith(("keras.src.ops", "keras.ops")) or set(inner) <= {"name"}
    if cls is None and op_node:
        from nnfast.models.symbolic_ops import KerasOperation
        from nnfast.utils.naming import to_snake_case

        try:
            return KerasOperation(to_snake_case(class_name), name=name,
                                  keras_class=class_name, keras_module=module or None)
        except ValueError as e:
            raise ValueError(f"Unknown layer: {class_name!r} (layer {name!r}): {e}") from e
    if cls is None:
        raise ValueError(
            f"Unknown layer: {class_name!r} (layer {name!r}). Please ensure you are using a "
            "`custom_object_scope` or `custom_objects=` that includes this class, or that it "
            "is decorated with `@nnfast.saving.register_keras_serializable()`."
        )
    try:
        if isinstance(cls, type) and issubclass(cls, Model):
            return cls.from_config(inner, custom_objects=custom_objects)
        if hasattr(cls, "from_config"):
            return cls.from_config(inner)
        return cls(**inner)
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise ValueError(
            f"Could not deserialize layer {name!r} of class {class_name!r}: "
            f"{type(e).__name__}: {e}"
        ) from e
