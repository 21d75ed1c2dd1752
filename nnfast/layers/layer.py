"""`Layer`: the base class every Keras layer in nnfast derives from.

Contract (Keras's): `__init__` validates and stores config; `build(input_shape)` creates
weights with `add_weight`; `call(inputs, training=None)` computes with `nnfast.ops` only
(gradients come from the ops — a layer never writes its own backward);
`compute_output_shape`; `get_config`. Calling a layer on a symbolic tensor (from `Input`)
records a node in the functional graph; calling it on arrays runs it now.
"""
import functools
import inspect
import threading

import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap
from nnfast.autograd.variable import Variable
from nnfast.layers.input_spec import InputSpec, check_input_compatibility
from nnfast.utils import naming, tree

_BUILD_LOCK = threading.RLock()
_BASE_KWARGS = ("input_shape", "batch_input_shape", "batch_shape", "batch_size",
                "input_dim", "input_length", "weights", "activity_regularizer",
                "trainable", "name", "dtype", "autocast", "input_dtype",
                # Keras 3.x writes these into every config; nnfast has no quantization or
                # LoRA, so they are accepted when unset and refused when used.
                "quantization_config", "lora_rank", "lora_alpha")


class Layer:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_marks_built", False):
            # As Keras: a layer is built once its build() has run, also when user code
            # calls `layer.build(shape)` itself (custom builds rarely set `built`).
            @functools.wraps(build)
            def build_and_mark(self, *args, **kw):
                result = build(self, *args, **kw)
                self.built = True
                return result

            build_and_mark._marks_built = True
            cls.build = build_and_mark

    def __init__(self, trainable=True, name=None, dtype=None, autocast=True,
                 activity_regularizer=None, **kwargs):
        unknown = set(kwargs) - set(_BASE_KWARGS)
        if unknown:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{ {k: kwargs[k] for k in sorted(unknown)} }"
            )
        for key in ("quantization_config", "lora_rank", "lora_alpha"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"{type(self).__name__}: `{key}` (Keras 3 quantization / LoRA) is not "
                    f"supported by nnfast. Received: {key}={kwargs[key]!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Layer name must be a string. Received: name={name!r}")
        self.name = name or naming.auto_name(type(self))
        self._trainable = bool(trainable)
        self.dtype = backend.standardize_dtype(dtype)
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self._variables = []          # own weights, in creation order
        self._sublayers = []          # tracked child layers (custom/subclassed)
        self._inbound_nodes = []
        params = inspect.signature(self.call).parameters
        self._call_accepts_training = "training" in params
        self._call_accepts_mask = "mask" in params
        self._batch_input_shape = _batch_shape_from_kwargs(kwargs)
        self._initial_weights = kwargs.get("weights")
        from nnfast import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)

    # -- attribute tracking: sublayers assigned in __init__ are part of this layer -----
    def __setattr__(self, name, value):
        if not name.startswith("_") or name in ("_layers",):
            tracked = self.__dict__.get("_sublayers")
            if tracked is not None:
                for item in _layers_in(value):
                    if item is not self and not any(item is t for t in tracked):
                        tracked.append(item)
        object.__setattr__(self, name, value)

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, *args, **kwargs):
        """Create a weight. Keras 3 order `(shape, initializer, dtype, trainable, ...,
        name)`; Keras 2's `(name, shape, dtype, initializer, ...)` is detected by a leading
        string."""
        if args and isinstance(args[0], str):
            keys = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint")
        else:
            keys = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
                    "constraint", "aggregation", "name")
        for key, value in zip(keys, args):
            if key in kwargs:
                raise TypeError(f"add_weight got multiple values for argument {key!r}")
            kwargs[key] = value
        return self._add_weight(**kwargs)

    add_variable = add_weight

    def _add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                    autocast=True, regularizer=None, constraint=None, aggregation="none",
                    name=None, use_resource=None, synchronization="auto", **unused):
        from nnfast import constraints, initializers, regularizers

        shape = tuple(int(d) for d in (shape or ()))
        dtype = backend.standardize_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if np.issubdtype(np.dtype(dtype), np.floating) else "zeros"
        init = initializers.get(initializer)
        var = Variable(init, shape=shape, dtype=dtype, trainable=trainable,
                       name=name or "variable", constraint=constraints.get(constraint),
                       regularizer=regularizers.get(regularizer))
        var.path = f"{self.name}/{var.name}"
        self._variables.append(var)
        return var

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._sublayers:
            layer.trainable = value

    def _flat_layers(self):
        out = [self]
        for layer in self._sublayers:
            out.extend(layer._flat_layers())
        return out

    @property
    def variables(self):
        seen, out = set(), []
        for layer in self._flat_layers():
            for v in layer._variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_variables(self):
        if not self.trainable:
            return []
        out = []
        for layer in self._flat_layers():
            if layer.trainable:
                out.extend(v for v in layer._variables if v.trainable)
        return _unique(out)

    @property
    def non_trainable_variables(self):
        trainable = {id(v) for v in self.trainable_variables}
        return [v for v in self.variables if id(v) not in trainable]

    # Keras's legacy order (trainable first) is what `weights`/get_weights use.
    @property
    def weights(self):
        return self.trainable_variables + self.non_trainable_variables

    trainable_weights = trainable_variables
    non_trainable_weights = non_trainable_variables

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(
                f"Layer {self.name!r} expects {len(params)} weight arrays, but the "
                f"weight list has {len(weights)} entries. Expected shapes: "
                f"{[p.shape for p in params]}"
            )
        for p, w in zip(params, weights):
            w = np.asarray(unwrap(w))
            if p.shape != w.shape:
                raise ValueError(
                    f"Layer {self.name!r} weight {p.name!r} has shape {p.shape}, but the "
                    f"provided weight has shape {w.shape}."
                )
        for p, w in zip(params, weights):
            p.assign(np.asarray(unwrap(w)))

    def count_params(self):
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self.name!r}, but the layer "
                "isn't built. You can build it manually via: "
                f"`{self.name}.build(batch_input_shape)`."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # -- losses ----------------------------------------------------------------------
    @property
    def losses(self):
        """Regularization penalties of this layer's weights plus losses added during the
        last call (activity regularizers, `add_loss`)."""
        out = []
        for layer in self._flat_layers():
            for v in layer._variables:
                if v.regularizer is not None and layer.trainable and v.trainable:
                    out.append(v.regularizer(v))
            out.extend(layer.__dict__.get("_call_losses", ()))
        return out

    def add_loss(self, loss):
        self.__dict__.setdefault("_call_losses", []).append(loss)

    def _clear_call_losses(self):
        for layer in self._flat_layers():
            if layer.__dict__.get("_call_losses"):
                layer._call_losses = []

    # -- building and calling -----------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shape):
        if self.built:
            return
        with _BUILD_LOCK:       # two threads calling an unbuilt layer must build it once
            if not self.built:
                self.build(input_shape)
                self.built = True
                if self._initial_weights is not None:
                    self.set_weights(self._initial_weights)
                    self._initial_weights = None

    def call(self, inputs, *args, **kwargs):
        return inputs

    def __call__(self, inputs, *args, **kwargs):
        from nnfast.models.graph import KerasTensor, call_symbolic

        if any(isinstance(t, KerasTensor) for t in _flatten(inputs)):
            return call_symbolic(self, inputs, args, kwargs)
        return self._call_eager(inputs, args, kwargs)

    def _call_eager(self, inputs, args, kwargs, checked=False):
        # `checked`: a graph with fully known non-batch shapes already validated these
        # inputs when it was built, and they are tensors the graph made (the hot path).
        if not checked or not self.built:
            inputs = _to_tensors(inputs, self.name)
            if self.input_spec is not None:
                check_input_compatibility(self.input_spec, inputs, self.name)
            self._maybe_build(_shapes(inputs))
        if not self._call_accepts_training:
            kwargs.pop("training", None)
        # Keras's implicit masks: a mask rides on a tensor as `_keras_mask` and is passed
        # to `call(mask=...)` of the next layer that takes one.
        mask = kwargs.pop("mask", None) if "mask" in kwargs else _collect_masks(inputs)
        if self._call_accepts_mask and mask is not None:
            kwargs["mask"] = mask
        outputs = self.call(inputs, *args, **kwargs)
        if self.activity_regularizer is not None:
            for out in _flatten(outputs):
                self.add_loss(self.activity_regularizer(out) / max(np.shape(out)[0], 1))
        if mask is not None or type(self).compute_mask is not Layer.compute_mask:
            _attach_masks(outputs, self.compute_mask(inputs, mask))
        return outputs

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's output: the input's mask when the layer supports
        masking (it keeps the time axis), else None."""
        if not self.supports_masking:
            return None
        return mask

    def compute_output_shape(self, input_shape):
        """Default: run `call` on zeros (batch 1) and read the shape (Keras 3 traces)."""
        from nnfast.models.graph import shape_by_running

        return shape_by_running(self, input_shape)

    # -- config -------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # -- graph attributes (Keras 2 names people still read) ---------------------------
    def _node_attr(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"The layer {self.name!r} has never been called and thus has no defined {what}."
            )
        values = [getattr(n, attr) for n in self._inbound_nodes]
        if any(v != values[0] for v in values[1:]):
            raise AttributeError(
                f"The layer {self.name!r} has multiple inbound nodes with different {what}s."
            )
        return values[0]

    @property
    def input_shape(self):
        if not self._inbound_nodes and self._batch_input_shape is not None:
            return tuple(self._batch_input_shape)
        return self._node_attr("input_shapes", "input shape")

    @property
    def output_shape(self):
        return self._node_attr("output_shapes", "output shape")

    @property
    def input(self):
        return self._node_attr("input_tensors", "input")

    @property
    def output(self):
        return self._node_attr("output_tensors", "output")

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _batch_shape_from_kwargs(kwargs):
    """Keras 2 and 3 spellings of the expected input: batch_input_shape / batch_shape,
    input_shape (+ batch_size), input_dim (+ input_length)."""
    for key in ("batch_input_shape", "batch_shape"):
        if kwargs.get(key) is not None:
            return tuple(kwargs[key])
    batch = kwargs.get("batch_size")
    if kwargs.get("input_shape") is not None:
        shape = kwargs["input_shape"]
        if isinstance(shape, int):
            shape = (shape,)
        return (batch,) + tuple(shape)
    if kwargs.get("input_dim") is not None:
        length = kwargs.get("input_length")
        dims = (kwargs["input_dim"],) if length is None else (length, kwargs["input_dim"])
        return (batch,) + dims
    return None


def _collect_masks(inputs):
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) for t in inputs]
        return None if all(m is None for m in masks) else masks
    return getattr(inputs, "_keras_mask", None)


def _attach_masks(outputs, masks):
    from nnfast.autograd.tensor import Tensor

    if isinstance(outputs, (list, tuple)):
        if not isinstance(masks, (list, tuple)):
            masks = [masks] * len(outputs)
        for out, m in zip(outputs, masks):
            _attach_masks(out, m)
    elif isinstance(outputs, Tensor):
        outputs._keras_mask = masks


def _layers_in(value):
    if isinstance(value, Layer):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _layers_in(item)]
    if isinstance(value, dict):
        return [v for item in value.values() for v in _layers_in(item)]
    return []


def _unique(variables):
    seen, out = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


_flatten = tree.flatten


def _to_tensors(x, layer_name):
    from nnfast.autograd.tensor import Tensor

    if isinstance(x, (Tensor, Variable)):
        return x
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            raise TypeError(
                f"Layer {layer_name!r} expects numeric input. Received an array of dtype {x.dtype}."
            )
        if x.dtype == np.float64 and backend.floatx() != "float64":
            x = x.astype(backend.floatx())
        return x.view(Tensor)
    if isinstance(x, (list, tuple)) and x and all(isinstance(i, (np.ndarray, Tensor, Variable)) for i in x):
        return type(x)(_to_tensors(i, layer_name) for i in x)
    if isinstance(x, dict):
        return {k: _to_tensors(v, layer_name) for k, v in x.items()}
    return _to_tensors(np.asarray(x), layer_name)


def _shapes(x):
    if isinstance(x, (list, tuple)):
        return [_shapes(i) for i in x]
    if isinstance(x, dict):
        return {k: _shapes(v) for k, v in x.items()}
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
