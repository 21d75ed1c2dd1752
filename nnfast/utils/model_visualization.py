"""`plot_model` and `model_to_dot`: the model's graph as a pydot graph or an image.

One node per layer (name, class, and optionally shapes, dtype, activation, trainable),
one edge per tensor passed between layers, nested models as clusters when
`expand_nested`. Needs `pydot` (and Graphviz's `dot` program for images):
`pip install nnfast[plot]`.
"""
import os


def _require_pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`, or "
                          "`pip install nnfast[plot]`) for `plot_model` to work.") from None
    return pydot


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    title = f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__
    rows = [title]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        act = layer.activation
        rows.append(f"Activation: {getattr(act, '__name__', type(act).__name__)}")
    if show_dtype:
        rows.append(f"dtype: {layer.dtype}")
    if show_shapes:
        def shape_text(attr):
            try:
                return str(getattr(layer, attr))
            except (AttributeError, ValueError):
                return "?"
        rows.append(f"Input shape: {shape_text('input_shape')}")
        rows.append(f"Output shape: {shape_text('output_shape')}")
    if show_trainable:
        rows.append(f"Trainable: {'T' if layer.trainable else 'F'}")
    return "\n".join(rows)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """The model as a `pydot.Dot` (or a `pydot.Cluster` when `subgraph`)."""
    pydot = _require_pydot()
    if not getattr(model, "built", False) or not hasattr(model, "_nodes"):
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` "
            "or by calling the model on a batch of data. (plot_model draws a Sequential or "
            f"functional model's graph; model {model.name!r} has none yet.)")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name, label=model.name)
    else:
        dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi))
        dot.set_node_defaults(shape="record")
    options = (show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
    node_id = {}
    for layer in model.layers:
        if expand_nested and hasattr(layer, "_nodes") and layer is not model:
            cluster = model_to_dot(layer, *options[:3], rankdir, True, dpi, subgraph=True,
                                   show_layer_activations=show_layer_activations,
                                   show_trainable=show_trainable)
            dot.add_subgraph(cluster)
            node_id[id(layer)] = (f"{id(layer.layers[0])}", f"{id(layer.layers[-1])}")
            continue
        name = str(id(layer))
        node_id[id(layer)] = (name, name)
        dot.add_node(pydot.Node(name, label=_label(layer, *options)))
    for node in model._nodes:
        target = node_id[id(node.layer)][0]
        for tensor in node.parent_tensors:
            source_layer = tensor.node.layer if tensor.node is not None else tensor._input_layer
            if id(source_layer) in node_id:
                dot.add_edge(pydot.Edge(node_id[id(source_layer)][1], target))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Write the model's graph to `to_file`; the format follows the extension (`.png`,
    `.svg`, `.pdf`, or `.dot` for the Graphviz source, which needs no Graphviz)."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    folder = os.path.dirname(to_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if extension in ("dot", "gv"):
        with open(to_file, "w") as f:
            f.write(dot.to_string())
        return None
    try:
        dot.write(to_file, format=extension)
    except (OSError, FileNotFoundError) as e:
        raise ImportError("plot_model needs Graphviz's `dot` program to write "
                          f"{extension!r} images (install graphviz), or save to a '.dot' file "
                          f"instead. ({e})") from None
    return None
