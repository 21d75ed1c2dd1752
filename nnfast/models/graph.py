"""Symbolic tensors and nodes: how `Input` + layer calls become a functional graph.

Calling a layer on `KerasTensor`s builds the layer, infers the output shape with
`compute_output_shape` and records a `Node`. `Model(inputs, outputs)` orders the nodes once
(`order_nodes`); running the model walks that list with arrays (`run_graph`).
"""
import numpy as np

from nnfast import backend
from nnfast.utils import tree


class KerasTensor:
    """A placeholder with a shape (None = unknown, the batch axis), a dtype and the node
    that produced it."""

    def __init__(self, shape, dtype=None, name=None, node=None, index=0):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = backend.standardize_dtype(dtype)
        self.name = name
        self.node = node          # the Node that made this tensor (None for Input)
        self.index = index        # which output of that node

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"A symbolic KerasTensor ({self.name}, shape={self.shape}) has no value: it can "
            "only be passed to layers and used to build a Model. Call the model on arrays."
        )


class Node:
    """One call of `layer` on symbolic inputs."""

    def __init__(self, layer, input_tensors, output_tensors, call_args, call_kwargs):
        self.layer = layer
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.input_shapes = map_structure(lambda t: t.shape, input_tensors)
        self.output_shapes = map_structure(lambda t: t.shape, output_tensors)
        self.has_symbolic_arguments = any(
            isinstance(t, KerasTensor)
            for t in flatten(list(call_args)) + flatten(list(call_kwargs.values())))

    @property
    def parent_tensors(self):
        """Symbolic tensors this call reads: its inputs, and any passed as arguments
        (`initial_state=encoder_states`, `mask=...`)."""
        found = flatten(self.input_tensors) + flatten(list(self.call_args))
        found += flatten(list(self.call_kwargs.values()))
        return [t for t in found if isinstance(t, KerasTensor)]


flatten = tree.flatten
map_structure = tree.map_structure


def _is_shape(s):
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def call_symbolic(layer, inputs, args, kwargs):
    from nnfast.layers.input_spec import check_input_compatibility

    kwargs = dict(kwargs)
    kwargs.pop("training", None)
    shapes = map_structure(lambda t: t.shape, inputs)
    if layer.input_spec is not None:
        check_input_compatibility(layer.input_spec, inputs, layer.name)
    layer._maybe_build(shapes)
    from nnfast.layers.layer import Layer

    if type(layer).compute_output_shape is Layer.compute_output_shape and (args or kwargs):
        # The default shape inference runs `call`: give it the node's own arguments.
        out_shapes = shape_by_running(layer, shapes, args, kwargs)
    else:
        out_shapes = layer.compute_output_shape(shapes)
    dtype = layer.dtype

    if _is_shape(out_shapes):
        outputs = KerasTensor(out_shapes, dtype, name=layer.name)
    else:
        outputs = map_structure(lambda s: s, list(out_shapes))
        outputs = [KerasTensor(s, dtype, name=f"{layer.name}_{i}") for i, s in enumerate(out_shapes)]
    node = Node(layer, inputs, outputs, args, kwargs)
    for i, t in enumerate(flatten(outputs)):
        t.node, t.index = node, i
    layer._inbound_nodes.append(node)
    return outputs


def shape_by_running(layer, input_shape, args=(), kwargs=None):
    """Output shape found by running `call` once on zeros with batch size 1 (symbolic
    tensors among `args`/`kwargs` also become zeros)."""
    from nnfast.autograd.tape import active_tapes

    def zeros(shape):
        return np.zeros([1 if d is None else d for d in shape], dtype=backend.floatx())

    def samples(shapes):
        if _is_shape(shapes):
            return zeros(shapes)
        if isinstance(shapes, dict):
            return {k: samples(v) for k, v in shapes.items()}
        return [samples(s) for s in shapes]

    sample = samples(input_shape)
    saved = list(active_tapes())
    active_tapes().clear()      # shape inference is not part of any gradient
    try:
        def concrete(v):
            return layer_inputs(zeros(v.shape)) if isinstance(v, KerasTensor) else v

        call_args = map_structure(concrete, list(args))
        call_kwargs = map_structure(concrete, dict(kwargs or {}))
        if layer._call_accepts_training:
            call_kwargs["training"] = False
        out = layer.call(layer_inputs(sample), *call_args, **call_kwargs)
    finally:
        active_tapes().extend(saved)
    layer._clear_call_losses()
    batch_unknown = (input_shape[0] if _is_shape(input_shape) else flatten_shapes(input_shape)[0][0]) is None

    def shape_of(o):
        s = tuple(np.shape(o))
        return ((None,) + s[1:]) if batch_unknown and s else s

    if isinstance(out, (list, tuple)):
        return [shape_of(o) for o in out]
    return shape_of(out)


def layer_inputs(sample):
    from nnfast.autograd.tensor import Tensor

    return map_structure(lambda a: a.view(Tensor), sample)


def flatten_shapes(shapes):
    if _is_shape(shapes):
        return [tuple(shapes)]
    if isinstance(shapes, dict):
        shapes = list(shapes.values())
    return [s for item in shapes for s in flatten_shapes(item)]


def order_nodes(inputs, outputs):
    """Nodes needed to compute `outputs` from `inputs`, in an order that runs; raise a
    clear error when an output depends on a tensor that is not among the inputs."""
    input_ids = {id(t) for t in inputs}
    order, seen, visiting = [], set(), set()

    def visit(tensor):
        if id(tensor) in input_ids:
            return
        node = tensor.node
        if node is None:
            raise ValueError(
                f"Graph disconnected: cannot obtain value for tensor {tensor.name!r} "
                f"(shape {tensor.shape}): it is not one of the model's inputs "
                f"{[t.name for t in inputs]} and no layer produced it."
            )
        if id(node) in seen:
            return
        if id(node) in visiting:
            raise ValueError(f"The graph has a cycle through layer {node.layer.name!r}.")
        visiting.add(id(node))
        for parent in node.parent_tensors:
            visit(parent)
        visiting.discard(id(node))
        seen.add(id(node))
        order.append(node)

    for t in outputs:
        visit(t)
    return order


def run_graph(nodes, inputs, outputs, values, training=None, checked=False):
    """Evaluate the ordered `nodes` with `values` (arrays for `inputs`). `checked`: the
    values passed the model's input specs and every non-batch size is static, so the
    layers inside need not re-check their inputs."""
    memo = {id(t): v for t, v in zip(inputs, values)}

    def value(t):
        return memo[id(t)] if isinstance(t, KerasTensor) else t

    for node in nodes:
        layer = node.layer
        args = map_structure(value, node.input_tensors)
        call_args, kwargs = node.call_args, node.call_kwargs
        if node.has_symbolic_arguments:
            call_args = map_structure(value, list(call_args))
            kwargs = map_structure(value, dict(kwargs))
        if training is not None and layer._call_accepts_training:
            kwargs = dict(kwargs, training=training)
        out = layer._call_eager(args, call_args, dict(kwargs), checked)
        for t, v in zip(flatten(node.output_tensors), flatten(out)):
            memo[id(t)] = v
    return [memo[id(t)] for t in outputs]
