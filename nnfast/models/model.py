"""`Model`: a Layer with training (`compile`/`fit`/...) and summary.

`Model(inputs, outputs)` builds a functional model; subclassing `Model` and writing
`call` gives a subclassed one; `Sequential` is a functional graph grown layer by layer.
"""
import numpy as np

from nnfast.layers.layer import Layer
from nnfast.models import model_config
from nnfast.trainers.trainer import Trainer


class Model(Trainer, Layer):
    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from nnfast.models.functional import Functional

            return Functional.__new__(Functional)
        instance = super().__new__(cls)
        model_config.capture_init_args(instance, cls, args, kwargs)   # for get_config
        return instance

    def __init__(self, *args, **kwargs):
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        Layer.__init__(self, trainable=trainable, name=name, **_layer_kwargs(kwargs))
        Trainer.__init__(self)

    @property
    def layers(self):
        return [l for l in self._sublayers]

    def get_layer(self, name=None, index=None):
        """The layer with this `name`, or at this `index` in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError(
                "Provide only a layer name or a layer index. Received: "
                f"index={index}, name={name}."
            )
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def summary(self, line_length=None, positions=None, print_fn=None,
                expand_nested=False, show_trainable=False, layer_range=None):
        from nnfast.utils.summary_utils import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      show_trainable=show_trainable)

    def count_params(self):
        if not self.built:
            raise ValueError(
                "This model has not yet been built. Build the model first by calling "
                "`build()` or by calling the model on a batch of data."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    def build(self, input_shape):
        self.built = True

    # -- config and files (nnfast.saving) --------------------------------------------
    def get_config(self):
        return model_config.subclassed_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return model_config.model_from_config(cls, config, custom_objects)

    def save(self, filepath, overwrite=True, save_format=None, include_optimizer=True, **kwargs):
        """Save to `.h5` (Keras's HDF5 layout) or `.keras` (Keras 3 archive), atomically."""
        from nnfast.saving import saving_api

        saving_api.save_model(self, filepath, overwrite=overwrite, save_format=save_format,
                              include_optimizer=include_optimizer, **kwargs)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        from nnfast.saving import saving_api

        saving_api.save_weights(self, filepath, overwrite=overwrite, save_format=save_format,
                                **kwargs)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        from nnfast.saving import saving_api

        saving_api.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch,
                                **kwargs)

    def to_json(self, **kwargs):
        from nnfast.saving import saving_api

        return saving_api.to_json(self, **kwargs)

    def to_yaml(self, **kwargs):
        from nnfast.saving import saving_api

        return saving_api.to_yaml(self, **kwargs)


def _layer_kwargs(kwargs):
    allowed = ("dtype", "autocast", "input_shape", "batch_input_shape", "batch_size", "input_dim")
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise TypeError(
            f"Unrecognized keyword arguments passed to Model: { {k: kwargs[k] for k in sorted(unknown)} }"
        )
    return kwargs
