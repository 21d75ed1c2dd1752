"""Lambda: wraps an arbitrary function as a layer.

Its config stores the function as Python bytecode (as Keras does); loading that back
runs code from a file, so `from_config` refuses it in safe mode (the default of
`load_model`) and asks for `safe_mode=False`.
"""
import base64
import inspect
import marshal
import types

from nnfast.layers.layer import Layer
from nnfast.saving.safe_mode import in_safe_mode


def _function_config(fn):
    if getattr(fn, "__name__", "<lambda>") != "<lambda>" and fn.__closure__ is None \
            and not getattr(fn, "__module__", "").startswith("__main__"):
        return fn.__name__               # a named function: restored by name (custom_objects)
    return {"class_name": "__lambda__", "config": {
        "code": base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii"),
        "defaults": fn.__defaults__,
        "closure": tuple(c.cell_contents for c in fn.__closure__ or ()),
    }}


def _function_from_config(spec, custom_objects, layer_name):
    from nnfast.saving.serialization import get_registered_object

    if isinstance(spec, str):
        fn = get_registered_object(spec, custom_objects)
        if fn is None:
            raise ValueError(
                f"Lambda layer {layer_name!r}: unknown function {spec!r}. Pass it in "
                "`custom_objects` or register it with `register_keras_serializable`.")
        return fn
    if in_safe_mode():
        raise ValueError(
            f"Requested the deserialization of a Lambda layer ({layer_name!r}) whose function "
            "is stored as Python bytecode. Loading it runs arbitrary code from the file, so "
            "it is disallowed by default. If you trust the source of this file, pass "
            "`safe_mode=False` to the loading function.")
    cfg = spec["config"] if "config" in spec else spec
    code = marshal.loads(base64.b64decode(cfg["code"]))
    closure = tuple(types.CellType(c) for c in cfg.get("closure") or ())
    defaults = tuple(cfg["defaults"]) if cfg.get("defaults") else None
    return types.FunctionType(code, globals(), code.co_name, defaults, closure or None)


class Lambda(Layer):
    """`Lambda(function, output_shape=None, mask=None, arguments=None)`.

    Args:
        function: callable taking the input tensor(s) (and `mask`/`training` if it
            declares them) and returning tensors; write it with `nnfast.ops`.
        output_shape: the output shape (without batch), or a function of the input
            shape; inferred by running the function when None.
        mask: a mask, or a function `(inputs, mask) -> mask`.
        arguments: extra keyword arguments for `function`.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable. Received: function={function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        params = inspect.signature(function).parameters
        self._fn_takes_mask = "mask" in params
        self._fn_takes_training = "training" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        batch = input_shape[0] if input_shape and not isinstance(input_shape[0], (list, tuple)) \
            else None
        return (batch,) + tuple(self._output_shape)

    def get_config(self):
        config = {"function": _function_config(self.function), "arguments": self.arguments}
        if self._output_shape is not None:
            config["output_shape"] = (_function_config(self._output_shape)
                                      if callable(self._output_shape) else list(self._output_shape))
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        name = config.get("name")
        config["function"] = _function_from_config(config["function"], custom_objects, name)
        shape = config.get("output_shape")
        if isinstance(shape, (str, dict)):
            config["output_shape"] = _function_from_config(shape, custom_objects, name)
        return cls(**config)
