"""`nnfast.ops` and Python operators on symbolic tensors: `x + y`, `x @ w`, `x[:, 0]` or
`ops.concatenate([a, b])` inside a functional model.

Each such call becomes an `OpLayer` node in the graph: a weightless layer that re-runs
the op on arrays when the model runs. Its config names the op (looked up in
`nnfast.ops` when loading — never code) and keeps the non-tensor arguments.
"""
import numpy as np

from nnfast.layers.layer import Layer
from nnfast.utils import naming
from nnfast.models.graph import KerasTensor, flatten, map_structure

_PLACEHOLDER = "__keras_tensor__"


class OpLayer(Layer):
    """One `nnfast.ops` call on symbolic tensors; `args`/`kwargs` hold placeholders where
    the tensors go, filled in order from the layer's inputs."""

    def __init__(self, op, args=(), kwargs=None, **layer_kwargs):
        if layer_kwargs.get("name") is None:
            layer_kwargs["name"] = naming.auto_name(op)      # `add`, `matmul_1`, … as Keras
        super().__init__(**layer_kwargs)
        self.op = op
        self.op_args = list(args)
        self.op_kwargs = dict(kwargs or {})
        self.supports_masking = False

    def _function(self):
        from nnfast import ops

        fn = None if self.op.startswith("_") else getattr(ops, self.op, None)
        if fn is None or not callable(fn) or isinstance(fn, type):
            raise ValueError(f"OpLayer {self.name!r}: unknown op {self.op!r} in nnfast.ops.")
        return getattr(fn, "__wrapped__", fn)

    def call(self, inputs):
        values = iter(inputs)

        def fill(v):
            return next(values) if isinstance(v, str) and v == _PLACEHOLDER else v

        args = map_structure(fill, self.op_args)
        kwargs = map_structure(fill, self.op_kwargs)
        if self.op == "getitem":
            args[1] = index_key(args[1])
        return self._function()(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "op": self.op,
                "args": map_structure(_encode_constant, self.op_args),
                "kwargs": map_structure(_encode_constant, self.op_kwargs)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["args"] = _decode_constants(config.get("args", []))
        config["kwargs"] = _decode_constants(config.get("kwargs", {}))
        return cls(**config)


def _encode_constant(v):
    if isinstance(v, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": v.tolist(), "dtype": str(v.dtype)}}
    if isinstance(v, np.generic):
        return v.item()
    return v


def _decode_constants(x):
    if isinstance(x, dict):
        if x.get("class_name") == "__numpy__":
            return np.asarray(x["config"]["value"], dtype=x["config"]["dtype"])
        return {k: _decode_constants(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_decode_constants(v) for v in x]
    return x


def symbolic_op(name, args, kwargs):
    """Record op `name` called on symbolic tensors as an OpLayer node."""
    tensors = [t for t in flatten(list(args)) + flatten(list(kwargs.values()))
               if isinstance(t, KerasTensor)]

    def template(v):
        return _PLACEHOLDER if isinstance(v, KerasTensor) else v

    layer = OpLayer(name, map_structure(template, list(args)),
                    map_structure(template, dict(kwargs)))
    return layer(tensors)


def _binary(name, reflected=False):
    def method(self, other):
        args = (other, self) if reflected else (self, other)
        return symbolic_op(name, args, {})
    return method


def _install_operators():
    for dunder, name in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                         ("truediv", "divide"), ("matmul", "matmul"), ("pow", "power"),
                         ("floordiv", "floor_divide"), ("mod", "mod")):
        setattr(KerasTensor, f"__{dunder}__", _binary(name))
        setattr(KerasTensor, f"__r{dunder}__", _binary(name, reflected=True))
    for cmp, name in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                      ("ge", "greater_equal")):
        setattr(KerasTensor, f"__{cmp}__", _binary(name))
    KerasTensor.__neg__ = lambda self: symbolic_op("negative", (self,), {})
    KerasTensor.__abs__ = lambda self: symbolic_op("abs", (self,), {})
    KerasTensor.__getitem__ = lambda self, key: symbolic_op("getitem", (self, _json_key(key)), {})


def _json_key(key):
    """An indexing key in a JSON-able form (slices as dicts), decoded by `_index_key`."""
    if isinstance(key, tuple):
        return {"tuple": [_json_key(k) for k in key]}
    if isinstance(key, slice):
        return {"slice": [key.start, key.stop, key.step]}
    if key is Ellipsis:
        return {"ellipsis": True}
    if key is None:
        return {"newaxis": True}
    return key


def index_key(key):
    if isinstance(key, dict):
        if "tuple" in key:
            return tuple(index_key(k) for k in key["tuple"])
        if "slice" in key:
            return slice(*key["slice"])
        if "ellipsis" in key:
            return Ellipsis
        if "newaxis" in key:
            return None
    return key


_install_operators()


class KerasOperation(Layer):
    """A Keras 3 `keras.ops` node read from a Keras file (e.g. the `NotEqual` node Keras
    records for an Embedding's mask): calls `nnfast.ops.<op>` with the node's own
    arguments. Only ops that exist in nnfast.ops are accepted (looked up by name)."""

    def __init__(self, op, keras_class=None, keras_module=None, **kwargs):
        super().__init__(**kwargs)
        self.op = op
        self.keras_class = keras_class or "".join(w.title() for w in op.split("_"))
        self.keras_module = keras_module or "keras.src.ops.numpy"
        self._fn = None if op.startswith("_") else getattr(_ops(), op, None)
        if self._fn is None or not callable(self._fn) or isinstance(self._fn, type):
            raise ValueError(f"Keras operation {op!r} (layer {self.name!r}) has no nnfast.ops "
                             "counterpart.")
        self._fn = getattr(self._fn, "__wrapped__", self._fn)

    def call(self, inputs, *args, **kwargs):
        return self._fn(inputs, *args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "op": self.op, "keras_class": self.keras_class,
                "keras_module": self.keras_module}


def _ops():
    from nnfast import ops

    return ops
