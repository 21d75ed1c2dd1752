"""`model.summary()`: Keras's table of layers, output shapes and parameter counts."""
import numpy as np


def _readable_size(n_bytes):
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def _output_shape(layer):
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError):
        return "?"
    return str(tuple(shape)) if not isinstance(shape, list) else str([tuple(s) for s in shape])


def _count(variables):
    return int(sum(int(np.prod(v.shape)) for v in variables))


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False):
    print_fn = print_fn or print
    graph_like = hasattr(model, "_nodes") and model.built
    layers = list(model.layers)
    connections = graph_like and not _is_chain(model)
    line_length = line_length or (98 if connections else 65)
    positions = positions or ([0.33, 0.55, 0.67, 1.0] if connections else [0.45, 0.85, 1.0])
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    headers = [" Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connections else [])

    def row(fields):
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        return line

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(row(headers))
    print_fn("=" * line_length)
    for i, layer in enumerate(layers):
        params = _count(layer.weights) if layer.built else 0
        fields = [f" {layer.name} ({type(layer).__name__})", _output_shape(layer), params]
        if connections:
            fields.append(", ".join(_inbound_names(model, layer)))
        print_fn(row(fields))
        print_fn("=" * line_length if i == len(layers) - 1 else " " * line_length)
    if not layers:
        print_fn("=" * line_length)
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    itemsize = 4
    total = trainable + non_trainable
    print_fn(f"Total params: {total:,} ({_readable_size(total * itemsize)})")
    print_fn(f"Trainable params: {trainable:,} ({_readable_size(trainable * itemsize)})")
    print_fn(f"Non-trainable params: {non_trainable:,} ({_readable_size(non_trainable * itemsize)})")
    print_fn("_" * line_length)


def _is_chain(model):
    from nnfast.models.sequential import Sequential

    if isinstance(model, Sequential):
        return True
    return all(len(node.parent_tensors) <= 1 for node in model._nodes) and len(model.inputs) == 1


def _inbound_names(model, layer):
    """`parent[node][tensor]` for every call of `layer` inside `model` (Keras's column)."""
    in_model = {id(n) for n in model._nodes}
    names = []
    for node in layer._inbound_nodes:
        if id(node) not in in_model:
            continue
        for t in node.parent_tensors:
            if t.node is None:
                names.append(f"{t.name}[0][0]")
                continue
            src = t.node.layer
            names.append(f"{src.name}[{src._inbound_nodes.index(t.node)}][{t.index}]")
    return names
