"""Public saving API: `save_model`, `load_model`, `save_weights`, `load_weights`,
JSON/YAML configs. The format follows the suffix (`.keras` -> Keras 3 archive,
`.weights.h5` -> Keras 3 weights layout, anything else -> Keras's HDF5 layout) and, when
reading, the file's own first bytes. Every write is atomic (see `file_utils`).
"""
import json
import os
import warnings

from nnfast.saving import config_compat, file_utils, keras_native, legacy_h5
from nnfast.saving.serialization import custom_object_scope

_TF_ONLY_SAVE_KWARGS = ("signatures", "options", "save_traces")


def _is_graph_model(model):
    from nnfast.models.functional import Functional

    return isinstance(model, Functional)


def _check_saveable(model, what):
    if not _is_graph_model(model):
        raise NotImplementedError(
            f"Saving the model to {what} requires the model to be a Functional model or a "
            "Sequential model. It does not work for subclassed models, whose structure is "
            "defined by the body of a Python method. Use `model.save_weights(...)` and "
            "rebuild the model in code, or define the model with the functional API."
        )
    if not model.built:
        raise ValueError(
            f"Model {model.name!r} is not built yet, so it has no weights to save. Build it "
            "first (call it on data, `model.build(input_shape)`, or pass an `Input`)."
        )


def save_model(model, filepath, overwrite=True, save_format=None, include_optimizer=True,
               **kwargs):
    """Save architecture, weights, compile arguments and optimizer state."""
    unknown = set(kwargs) - set(_TF_ONLY_SAVE_KWARGS)
    if unknown:
        raise TypeError(f"save: unrecognized keyword arguments {sorted(unknown)}")
    filepath = os.fspath(filepath)
    fmt = _save_format(filepath, save_format)
    if not file_utils.check_overwrite(filepath, overwrite):
        return
    if fmt == "keras":
        _check_saveable(model, "the .keras format")
        keras_native.save_model(model, filepath)
    else:
        _check_saveable(model, "HDF5")
        legacy_h5.save_model_to_hdf5(model, filepath, include_optimizer=include_optimizer)


def _save_format(filepath, save_format):
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "hdf5", "keras"):
            return "h5" if fmt != "keras" else "keras"
        if fmt in ("tf", "tensorflow"):
            warnings.warn("nnfast cannot write TensorFlow SavedModels; writing Keras's HDF5 "
                          f"format to {filepath} instead (load it with `load_model`).",
                          stacklevel=3)
            return "h5"
        raise ValueError(f"Unknown save_format: {save_format!r}. Expected 'h5' or 'keras'.")
    if filepath.endswith(".keras"):
        return "keras"
    if not filepath.endswith((".h5", ".hdf5")):
        warnings.warn(f"{filepath} has no .h5 or .keras suffix; writing Keras's HDF5 format "
                      "(nnfast cannot write TensorFlow SavedModels).", stacklevel=3)
    return "h5"


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from an HDF5 file (nnfast's, Keras 3's or tf.keras 2's) or a Keras 3
    `.keras` archive. Nothing in the file is executed: a Lambda layer is refused unless
    `safe_mode=False`."""
    filepath = os.fspath(filepath)
    kind = file_utils.sniff(filepath)
    if kind == "zip":
        return keras_native.load_model(filepath, custom_objects, compile, safe_mode)
    if kind == "h5":
        return legacy_h5.load_model_from_hdf5(filepath, custom_objects, compile, safe_mode)
    raise ValueError(
        f"{filepath} is neither an HDF5 file nor a .keras archive (unknown first bytes); it "
        "is corrupt, truncated, or in a format nnfast does not read (nnfast never unpickles)."
    )


def save_weights(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Keras 3's layout for `*.weights.h5`, Keras's HDF5 weights layout otherwise (also
    for paths such as 'training/cp.ckpt')."""
    unknown = set(kwargs) - {"options", "max_shard_size"}
    if unknown:
        raise TypeError(f"save_weights: unrecognized keyword arguments {sorted(unknown)}")
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        raise ValueError(f"save_weights cannot write a .keras archive ({filepath}); use "
                         "`model.save(filepath)`, or a `.weights.h5` / `.h5` path.")
    if not model.built:
        raise ValueError(f"Model {model.name!r} is not built yet, so it has no weights to save.")
    if not file_utils.check_overwrite(filepath, overwrite):
        return
    if filepath.endswith(".weights.h5"):
        keras_native.save_weights(model, filepath)
    else:
        legacy_h5.save_weights_to_hdf5(model, filepath)


def load_weights(model, filepath, by_name=False, skip_mismatch=False, **kwargs):
    """Weights from any file `save_weights`/`save` wrote (nnfast, Keras 3, tf.keras 2)."""
    unknown = set(kwargs) - {"options"}
    if unknown:
        raise TypeError(f"load_weights: unrecognized keyword arguments {sorted(unknown)}")
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath) and os.path.exists(filepath + ".index"):
        raise ValueError(f"{filepath} is a TensorFlow checkpoint (found {filepath}.index); "
                         "nnfast reads HDF5 weights only.")
    kind = file_utils.sniff(filepath)
    if kind == "zip":
        if by_name:
            raise ValueError("by_name=True is not supported for .keras archives.")
        keras_native.load_weights_from_archive(model, filepath, skip_mismatch)
        return
    if kind != "h5":
        raise ValueError(f"{filepath} is not an HDF5 weights file or a .keras archive; it is "
                         "corrupt, truncated, or in another format.")
    if by_name:
        with file_utils.open_h5(filepath, "load_weights") as f:
            group = legacy_h5.weights_group(f, filepath)
            if group is None:
                raise ValueError(f"by_name=True needs Keras's HDF5 weights layout (with "
                                 f"`layer_names`); {filepath} has none.")
            legacy_h5.load_weights_from_group(group, model, filepath, True, skip_mismatch)
        return
    legacy_h5.load_weights_from_hdf5(model, filepath, skip_mismatch=skip_mismatch)


# -- configs --------------------------------------------------------------------------
def model_from_config_checked(config, custom_objects=None, safe_mode=True, source="config"):
    """A model from `{"class_name", "config"}`; errors are ValueErrors naming `source`."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{source}: a model config must be a dict with 'class_name' and "
                         f"'config'. Received: {str(config)[:200]}")
    with custom_object_scope(custom_objects or {}), config_compat.safe_mode_scope(safe_mode):
        try:
            model = config_compat.deserialize_layer(config, custom_objects)
        except (TypeError, KeyError, AttributeError, IndexError) as e:
            raise ValueError(f"{source}: cannot rebuild the model from its config "
                             f"({type(e).__name__}: {e})") from e
        except ValueError as e:
            if source in str(e):
                raise
            raise ValueError(f"{source}: {e}") from e
    from nnfast.models.model import Model

    if not isinstance(model, Model):
        raise ValueError(f"{source}: the config describes a {type(model).__name__}, not a model.")
    return model


def model_config_dict(model):
    """`{"class_name", "config"}` plus what Keras 3 (`module`) and tf.keras 2
    (`keras_version`, `backend`) look for in `model_from_json`; functional graphs use
    tf.keras 2's node spelling, which both read."""
    from nnfast.models.functional import Functional
    from nnfast.models.sequential import Sequential
    from nnfast.saving.legacy_h5 import BACKEND, KERAS_VERSION, _class_name

    from nnfast.saving.legacy_h5 import portable_config

    out = {"class_name": _class_name(model), "config": portable_config(model)}
    if type(model) is Sequential:
        out.update(module="keras", registered_name=None)
    elif type(model) is Functional:
        out.update(module="keras.src.models.functional", registered_name="Functional")
    out.update(keras_version=KERAS_VERSION, backend=BACKEND)
    return out


def to_json(model, **kwargs):
    return json.dumps(model_config_dict(model), default=file_utils.json_default, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model (fresh weights) from `model.to_json()` output (nnfast, Keras 3, tf.keras)."""
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as e:
        raise ValueError(f"model_from_json: the string is not valid JSON ({e}).") from None
    return model_from_config_checked(config, custom_objects, source="model_from_json")


def _yaml():
    try:
        import yaml
    except ImportError:
        raise ImportError("to_yaml/model_from_yaml need PyYAML: `pip install pyyaml`.") from None
    return yaml


def to_yaml(model, **kwargs):
    """The config as YAML (written with `safe_dump`: plain data only)."""
    config = json.loads(to_json(model))
    return _yaml().safe_dump(config, **kwargs)


def model_from_yaml(yaml_string, custom_objects=None):
    """A model from `to_yaml()` output. Read with `safe_load`, which builds plain data
    only and never Python objects."""
    yaml = _yaml()
    try:
        config = yaml.safe_load(yaml_string)
    except yaml.YAMLError as e:
        raise ValueError(f"model_from_yaml: the string is not valid YAML ({e}).") from None
    return model_from_config_checked(config, custom_objects, source="model_from_yaml")
