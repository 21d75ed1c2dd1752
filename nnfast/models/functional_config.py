"""Functional model configs in Keras's format, both directions.

A config lists every layer with its `inbound_nodes` (how it was called), plus
`input_layers` / `output_layers` as `[layer_name, node_index, tensor_index]` leaves.
Two spellings of a node exist:

- Keras 3: `{"args": [<__keras_tensor__ dict>, ...], "kwargs": {...}}`, each tensor written
  `{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history"}}`;
- tf.keras 2 ("legacy"): `[[layer_name, node_index, tensor_index, call_kwargs], ...]`, one
  entry per input tensor.

`get_config` writes the first (or the second with `legacy=True`, for HDF5 files that
tf.keras 2 must read too); `from_config` reads both.
"""
from nnfast.models import graph
from nnfast.models.graph import KerasTensor

_TENSOR = "__keras_tensor__"


# -- writing --------------------------------------------------------------------------
def _model_node_index(model):
    """(id(layer), id(node)) -> the node's index among that layer's nodes in `model`
    (Keras numbers only the nodes a model uses)."""
    own = {id(n) for n in model._nodes}
    index = {}
    for layer in model.layers:
        kept = [n for n in layer._inbound_nodes if id(n) in own]
        for i, node in enumerate(kept):
            index[(id(layer), id(node))] = i
    return index


def _is_nested_functional(layer):
    from nnfast.models.functional import Functional
    from nnfast.models.sequential import Sequential

    return isinstance(layer, Functional) and not isinstance(layer, Sequential)


def _history(tensor, node_index, io=False):
    """[layer name, node index, tensor index]. Keras 3 counts a nested Functional model's
    nodes from 1 in `input_layers`/`output_layers` (its node 0 is its own graph) and from
    0 inside `inbound_nodes`; nnfast writes the same numbers."""
    if tensor.node is None:                     # an Input: InputLayer, node 0
        return [tensor._input_layer.name, 0, 0]
    layer = tensor.node.layer
    index = node_index[(id(layer), id(tensor.node))]
    if io and _is_nested_functional(layer):
        index += 1
    return [layer.name, index, tensor.index]


def _map(fn, structure):
    if isinstance(structure, dict):
        return {k: _map(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map(fn, v) for v in structure]
    return fn(structure)


def _check_json(value, where):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_check_json(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _check_json(v, where) for k, v in value.items()}
    raise ValueError(
        f"Cannot serialize the call arguments of layer {where!r}: a value of type "
        f"{type(value).__name__} is not JSON-serializable. Received: {value!r}"
    )


def _serialize_node(node, node_index, legacy):
    layer_name = node.layer.name

    def tensor_config(t):
        if not isinstance(t, KerasTensor):
            return _check_json(t, layer_name)
        return {"class_name": _TENSOR,
                "config": {"shape": list(t.shape), "dtype": t.dtype,
                           "keras_history": _history(t, node_index)}}

    if legacy:
        kwargs = _check_json(dict(node.call_kwargs), layer_name)
        return [_history(t, node_index) + [kwargs] for t in graph.flatten(node.input_tensors)]
    # Symbolic keyword arguments (`mask=`, `initial_state=`) are tensors of the graph too.
    kwargs = {str(k): _map(tensor_config, v) for k, v in node.call_kwargs.items()}
    args = [_map(tensor_config, node.input_tensors)]
    args += [_map(tensor_config, a) for a in node.call_args]
    return {"args": args, "kwargs": kwargs}


def get_functional_config(model, legacy=False):
    """The config of a Functional (graph) model, Keras 3 form unless `legacy`."""
    from nnfast.layers import serialize

    node_index = _model_node_index(model)
    own = {id(n) for n in model._nodes}
    layer_configs = []
    for layer in model.layers:
        entry = serialize(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [_serialize_node(n, node_index, legacy)
                                  for n in layer._inbound_nodes if id(n) in own]
        layer_configs.append(entry)

    def io_config(structure):
        if legacy:          # tf.keras 2 always wrote a flat list of leaves
            return [_history(t, node_index, io=True) for t in graph.flatten(structure)]
        return _map(lambda t: _history(t, node_index, io=True), structure)

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": io_config(model._nested_inputs),
        "output_layers": io_config(model._nested_outputs),
    }


# -- reading --------------------------------------------------------------------------
def _is_leaf(x):
    return (isinstance(x, (list, tuple)) and len(x) in (3, 4) and isinstance(x[0], str)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in x[1:3]))


class _Graph:
    """Layers created from a config and the tensors their calls produced."""

    def __init__(self, config):
        self.config = config
        self.layers = {}          # name -> layer
        self.outputs = {}         # name -> list of flat output lists, one per processed node
        self.offsets = {}         # name -> numbering base of node refs (nested models)
        self.io_offsets = {}      # name -> numbering base of input/output_layers refs

    def tensor(self, name, node_index, tensor_index, io=False):
        if name not in self.layers:
            raise ValueError(
                f"Invalid Functional model configuration: a node refers to layer {name!r}, "
                f"which is not among the model's layers {sorted(self.layers)}."
            )
        base = (self.io_offsets if io else self.offsets).get(name, 0)
        node_index -= base
        made = self.outputs.get(name, [])
        if node_index < 0:
            raise ValueError(f"Invalid Functional model configuration: layer {name!r} has "
                             f"no node {node_index + base}.")
        if node_index >= len(made):
            raise _NotYet()
        flat = made[node_index]
        if not 0 <= tensor_index < len(flat):
            raise ValueError(
                f"Invalid Functional model configuration: layer {name!r} node {node_index} "
                f"has {len(flat)} output tensor(s); tensor index {tensor_index} was requested."
            )
        return flat[tensor_index]


class _NotYet(Exception):
    """A node's inputs do not exist yet; try again in the next round."""


def _revive(value, g):
    """Replace serialized tensors in a Keras 3 node by the recreated KerasTensors."""
    if isinstance(value, dict):
        if value.get("class_name") == _TENSOR:
            history = (value.get("config") or {}).get("keras_history")
            if not _is_leaf(history):
                raise ValueError(f"Invalid Functional model configuration: bad tensor "
                                 f"history {history!r}.")
            return g.tensor(*history[:3])
        if value.get("class_name") == "__tuple__":
            return tuple(_revive(v, g) for v in (value.get("config") or {}).get("value", []))
        return {k: _revive(v, g) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v, g) for v in value]
    return value


def _node_call(node_data, g):
    """(inputs, args, kwargs) of one serialized node, both dialects."""
    if isinstance(node_data, dict):
        args = _revive(list(node_data.get("args") or []), g)
        kwargs = _revive(dict(node_data.get("kwargs") or {}), g)
        if not args:
            raise ValueError("Invalid Functional model configuration: a node has no inputs.")
        return args[0], tuple(args[1:]), kwargs
    if isinstance(node_data, (list, tuple)):
        tensors, kwargs = [], {}
        for entry in node_data:
            if not _is_leaf(entry):
                raise ValueError(f"Invalid Functional model configuration: bad node entry "
                                 f"{entry!r}.")
            tensors.append(g.tensor(*entry[:3]))
            if len(entry) == 4 and entry[3]:
                kwargs = _revive(dict(entry[3]), g)
        inputs = tensors[0] if len(tensors) == 1 else tensors
        return inputs, (), kwargs
    raise ValueError(f"Invalid Functional model configuration: bad node {node_data!r}.")


def _node_offsets(layer_configs, models):
    """Numbering base of node references to nested models: Keras 3 and nnfast count from
    0, tf.keras 2 from 1 (its node 0 was the model's own graph). Every node of a model
    is used by a later node or is a model output, so the smallest index referenced in
    `inbound_nodes` is the base."""
    used = {}

    def note(leaf):
        if _is_leaf(leaf) and leaf[0] in models:
            used.setdefault(leaf[0], []).append(leaf[1])

    def walk(x):
        if isinstance(x, dict):
            if x.get("class_name") == _TENSOR:
                note((x.get("config") or {}).get("keras_history"))
                return
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            if _is_leaf(x):
                note(x)
            else:
                for v in x:
                    walk(v)

    for entry in layer_configs:
        walk(entry.get("inbound_nodes") or [])
    return {name: min(idx) for name, idx in used.items()}


def _io_offsets(layers, node_offsets, legacy):
    """Base of `input_layers`/`output_layers` references: 1 for a nested Functional
    model (Keras 3 and tf.keras 2); for a nested Sequential, 0 in Keras 3's configs and
    whatever its node references use in tf.keras 2's."""
    from nnfast.models.model import Model

    out = {}
    for name, layer in layers.items():
        if not isinstance(layer, Model):
            continue
        if _is_nested_functional(layer):
            out[name] = 1
        else:
            out[name] = node_offsets.get(name, 0) if legacy else 0
    return out


def _accepted_kwargs(layer, kwargs):
    """Call kwargs without those the layer's `call` does not take and that are None
    (Keras 3 records `mask=None` for every masking-aware layer)."""
    import inspect

    params = inspect.signature(layer.call).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params or v is not None}


def _io_tensors(structure, g, what):
    if _is_leaf(structure):
        return g.tensor(*structure[:3], io=True)
    if isinstance(structure, dict):
        return {k: _io_tensors(v, g, what) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_io_tensors(v, g, what) for v in structure]
    raise ValueError(f"Invalid Functional model configuration: bad `{what}` {structure!r}.")


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild a Functional model (of class `cls`) from `get_functional_config` output,
    from Keras 3's or tf.keras 2's config."""
    from nnfast.models.model import Model
    from nnfast.saving import config_compat

    config = config_compat.normalize_model_config(config)
    for key in ("layers", "input_layers", "output_layers"):
        if key not in config:
            raise ValueError(f"Invalid Functional model configuration: missing {key!r}. "
                             f"Received keys: {sorted(config)}")
    g = _Graph(config)
    pending = {}
    order = []
    for entry in config["layers"]:
        if not isinstance(entry, dict) or "class_name" not in entry:
            raise ValueError(f"Invalid Functional model configuration: bad layer entry {entry!r}.")
        layer = config_compat.deserialize_layer(entry, custom_objects=custom_objects)
        name = entry.get("name") or layer.name
        if name in g.layers:
            raise ValueError(f"Invalid Functional model configuration: layer name {name!r} "
                             "appears twice.")
        g.layers[name] = layer
        order.append(name)
        nodes = list(entry.get("inbound_nodes") or [])
        if not nodes and hasattr(layer, "output_tensor"):       # an InputLayer
            g.outputs[name] = [[layer.output_tensor]]
        pending[name] = nodes

    models = {n for n, l in g.layers.items() if isinstance(l, Model)}
    legacy = any(isinstance(n, list) for e in config["layers"] for n in e.get("inbound_nodes") or [])
    g.offsets = _node_offsets(config["layers"], models)
    g.io_offsets = _io_offsets(g.layers, g.offsets, legacy)
    # Process nodes in rounds: a node waits until the tensors it reads exist (a layer
    # shared at different depths, A(B(A(x))), needs several rounds).
    while any(pending.values()):
        progress = False
        for name in order:
            while pending[name]:
                try:
                    inputs, args, kwargs = _node_call(pending[name][0], g)
                except _NotYet:
                    break
                layer = g.layers[name]
                out = layer(inputs, *args, **_accepted_kwargs(layer, kwargs))
                g.outputs.setdefault(name, []).append(graph.flatten(out))
                pending[name].pop(0)
                progress = True
        if not progress:
            stuck = sorted(n for n, p in pending.items() if p)
            raise ValueError(
                "Invalid Functional model configuration. The graph either has loops or "
                f"disconnected nodes; the nodes of these layers could not be resolved: {stuck}"
            )

    try:
        inputs = _io_tensors(config["input_layers"], g, "input_layers")
        outputs = _io_tensors(config["output_layers"], g, "output_layers")
    except _NotYet:
        raise ValueError("Invalid Functional model configuration: `input_layers` or "
                         "`output_layers` names a node that the layers never produce.") from None
    if legacy:            # tf.keras 2 always wrote lists; a single tensor meant a single tensor
        inputs = inputs[0] if isinstance(inputs, list) and len(inputs) == 1 else inputs
        outputs = outputs[0] if isinstance(outputs, list) and len(outputs) == 1 else outputs
    kwargs = {"name": config.get("name")}
    if "trainable" in config and config["trainable"] is not None:
        kwargs["trainable"] = config["trainable"]
    from nnfast.models.functional import Functional

    if cls is Model:
        cls = Functional
    return cls(inputs, outputs, **kwargs)


def get_config(model):
    """`Functional.get_config`: the graph config, unless a subclass changed `__init__`
    (then the subclassed-model rule applies, as in Keras 3)."""
    from nnfast.models import model_config

    if not model_config.functional_like_constructor(type(model)):
        return model_config.subclassed_get_config(model)
    return get_functional_config(model)


def sequential_from_config(cls, config, custom_objects=None):
    """A Sequential model from its config (nnfast, Keras 3 or tf.keras 2; a bare list of
    layer configs is Keras 1/early tf.keras)."""
    from nnfast.saving import config_compat

    if isinstance(config, list):
        config = {"layers": config}
    config = config_compat.normalize_model_config(config)
    if not isinstance(config.get("layers"), list):
        raise ValueError("Invalid Sequential model configuration: 'layers' must be a list. "
                         f"Received keys: {sorted(config)}")
    model = cls(name=config.get("name"))
    for entry in config["layers"]:
        model.add(config_compat.deserialize_layer(entry, custom_objects=custom_objects))
    shape = config.get("build_input_shape")
    if not model.built and model.layers and isinstance(shape, (list, tuple)) and shape \
            and all(d is None or isinstance(d, int) for d in shape):
        model.build(tuple(shape))
    if config.get("trainable") is False:
        model.trainable = False
    return model
