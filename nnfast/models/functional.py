"""`Functional`: a model defined by `Model(inputs, outputs)` over symbolic tensors."""
from nnfast.layers.input_spec import InputSpec, check_input_compatibility
from nnfast.models import graph
from nnfast.models.graph import KerasTensor
from nnfast.models.model import Model


class Functional(Model):
    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        flat_in = graph.flatten(inputs)
        flat_out = graph.flatten(outputs)
        for t in flat_in + flat_out:
            if not isinstance(t, KerasTensor):
                raise TypeError(
                    "Model(inputs, outputs) expects symbolic tensors (from `Input` and layer "
                    f"calls). Received an object of type {type(t).__name__}."
                )
        self.inputs = flat_in
        self._input_specs = None
        # Every size but the batch known: inputs that pass the model's specs are valid for
        # every layer inside (they were checked when the graph was built).
        self._static_shapes = all(d is not None for t in flat_in for d in t.shape[1:])
        self.outputs = flat_out
        self._nodes = graph.order_nodes(flat_in, flat_out)
        layers = []
        for t in flat_in:
            layers.append(t._input_layer)
        for node in self._nodes:
            if not any(node.layer is l for l in layers):
                layers.append(node.layer)
        names = [l.name for l in layers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(
                f"The name {dupes[0]!r} is used {names.count(dupes[0])} times in the model "
                f"{self.name!r}. All layer names should be unique."
            )
        self._graph_layers = layers
        object.__setattr__(self, "_sublayers", [l for l in layers])
        self.output_names = [t.node.layer.name if t.node else t.name for t in flat_out]
        self.input_names = [t.name for t in flat_in]
        self.built = True

    @property
    def layers(self):
        return list(self._graph_layers)

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=None):
        values = self._standardize_inputs(inputs)
        outs = graph.run_graph(self._nodes, self.inputs, self.outputs, values, training,
                               checked=self._static_shapes)
        return outs[0] if len(outs) == 1 and not isinstance(self._nested_outputs, (list, tuple)) else outs

    def _standardize_inputs(self, inputs):
        """Arrays in the model's input order (a dict is matched by input name)."""
        if isinstance(inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            extra = sorted(set(inputs) - set(self.input_names))
            if missing or extra:
                raise ValueError(
                    f"Model {self.name!r} expects inputs named {self.input_names}. "
                    f"Received keys {sorted(inputs)}"
                    + (f"; {extra} name no input" if extra else "")
                )
            values = [inputs[n] for n in self.input_names]
        elif isinstance(inputs, (list, tuple)) and len(self.inputs) > 1:
            values = list(inputs)
        else:
            values = [inputs]
        if len(values) != len(self.inputs):
            raise ValueError(
                f"Model {self.name!r} expects {len(self.inputs)} input(s), but it received "
                f"{len(values)} input tensors."
            )
        specs = self.__dict__.get("_input_specs")
        if specs is None:     # built once per graph, checked every call
            specs = self._input_specs = [InputSpec(shape=t.shape) for t in self.inputs]
        for spec, v in zip(specs, values):
            check_input_compatibility(spec, v, self.name)
        return values

    def compute_output_shape(self, input_shape):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def get_config(self):
        from nnfast.models import functional_config

        return functional_config.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nnfast.models import model_config

        return model_config.model_from_config(cls, config, custom_objects)
