"""`get_config` / `from_config` for models, as Keras 3 does them.

- Functional models (and subclasses keeping Functional's `__init__`): the graph config of
  `functional_config`.
- Subclassed models: the arguments given to `__init__` are recorded when the model is
  created; if they are all plain values (str, int, float, bool, None, and lists/dicts of
  them) they are the config, and `from_config` calls `cls(**config)`. Otherwise
  `get_config` raises NotImplementedError asking for a `get_config` override.
"""
import inspect
import textwrap

_SIMPLE = (str, int, float, bool, type(None))


def _simple(value):
    if isinstance(value, (list, tuple)):
        return all(_simple(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _simple(v) for k, v in value.items())
    return isinstance(value, _SIMPLE)


def capture_init_args(instance, cls, args, kwargs):
    """Record `cls.__init__`'s arguments on `instance` when they make a config (called
    from `Model.__new__`)."""
    auto, reason = None, "non-serializable"
    try:
        signature = inspect.signature(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        bound = None
    if bound is not None:
        params = list(signature.parameters.values())
        if any(p.kind == p.POSITIONAL_ONLY for p in params[1:]):
            reason = "positional-only"
        else:
            bound.apply_defaults()
            values = dict(bound.arguments)
            values.pop(params[0].name, None)
            for p in params:
                if p.kind == p.VAR_KEYWORD:
                    values.update(values.pop(p.name, {}) or {})
                elif p.kind == p.VAR_POSITIONAL and values.pop(p.name, ()):
                    reason, values = "variadic", None
                    break
            if values is not None:
                values.pop("name", None)
                if _simple(values):
                    auto = values
    object.__setattr__(instance, "_auto_config", auto)
    object.__setattr__(instance, "_auto_config_error", None if auto is not None else reason)


_EXAMPLE = """
    class MyModel(nnfast.Model):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = nnfast.layers.Dense(units)

        def get_config(self):
            return {**super().get_config(), "units": self.units}
"""


def subclassed_get_config(model):
    """The config of a subclassed model (see the module docstring)."""
    from nnfast.models.model import Model

    config = {"name": model.name, "trainable": model.trainable}
    if type(model).get_config is not Model.get_config:
        return config        # the subclass writes its own config on top of this one
    auto = model.__dict__.get("_auto_config")
    if auto is not None:
        config.update(auto)
        params = inspect.signature(type(model).__init__).parameters
        takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in params.values())
        if "name" not in params and not takes_kwargs:
            config.pop("name")
        if "trainable" not in params and not takes_kwargs:
            config.pop("trainable")
        return config
    error = model.__dict__.get("_auto_config_error") or "non-serializable"
    what = ("positional-only or variadic positional arguments (`*args`)"
            if error in ("positional-only", "variadic") else "non-serializable argument values")
    raise NotImplementedError(
        f"Model {type(model).__name__} was created by passing {what} to `__init__()`, so "
        "its config cannot be generated automatically. Override `get_config()` (and "
        "`from_config()` if needed) to make it serializable. Example:\n"
        + textwrap.dedent(_EXAMPLE)
    )


def functional_like_constructor(cls):
    """True when `cls(inputs, outputs, name=...)` rebuilds it from a graph config."""
    from nnfast.models.functional import Functional

    spec = inspect.getfullargspec(cls.__init__)
    base = inspect.getfullargspec(Functional.__init__)
    return spec.args[1:] == base.args[1:] or (spec.varargs is not None and spec.varkw is not None)


def model_from_config(cls, config, custom_objects=None):
    """`Model.from_config`: a functional graph when the config is one and `cls` can take
    it, else `cls(**config)` (Keras 3's rule)."""
    from nnfast.models import functional_config
    from nnfast.models.functional import Functional
    from nnfast.models.model import Model

    if not isinstance(config, dict):
        raise ValueError(f"A model config must be a dict. Received: {type(config).__name__}")
    graph_keys = ("name", "layers", "input_layers", "output_layers")
    if cls is Functional or (cls is Model and "layers" in config) or (
            all(k in config for k in graph_keys) and functional_like_constructor(cls)):
        return functional_config.functional_from_config(cls, config, custom_objects)
    try:
        return cls(**config)
    except TypeError as e:
        raise TypeError(
            f"Unable to revive model from config. When overriding `get_config()`, make sure "
            f"the returned config contains all the arguments of {cls.__name__}'s "
            "constructor, or define a `from_config(cls, config)` classmethod. "
            f"Received config={config}. Error: {e}"
        ) from e
