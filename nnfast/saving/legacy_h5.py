"""Keras's HDF5 layout (`model.save("m.h5")`, `save_weights("w.h5")`), both directions.

    /                     attrs keras_version, backend, model_config, training_config
      model_weights/      attrs layer_names (+ backend, keras_version)
        <layer name>/     attrs weight_names; datasets at those (path-like) names
        top_level_model_weights/
      optimizer_weights/  attrs weight_names; iteration, learning_rate, slots

A weights-only file is the `model_weights` group at the root. Layer weights are stored and
loaded in `layer.weights` order (trainable, then non-trainable) and matched to layers by
position, as Keras does; `by_name=True` matches layer names instead. Every value is read
and checked before any weight is assigned, so a bad file leaves the model unchanged.
See /work/shared/notes/formats.md section 1.
"""
import json
import warnings

import nnfast
from nnfast.saving import config_compat, file_utils, optimizer_state
from nnfast.saving.file_utils import load_attributes, safe_dataset, safe_group, save_attributes

KERAS_VERSION = "3.0.0"        # the Keras API level nnfast's files follow
BACKEND = "tensorflow"         # the weight layouts are TensorFlow's (channels_last)


# -- writing --------------------------------------------------------------------------
def _check_layer_names(layers):
    names = [l.name for l in layers]
    for name in names:
        if "/" in name or name in ("", ".", "top_level_model_weights"):
            raise ValueError(
                f"Cannot save layer {name!r} to HDF5: a layer name may not be empty, contain "
                "'/' (HDF5 would read it as a group path) or be 'top_level_model_weights'. "
                "Rename the layer."
            )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"Cannot save to HDF5: the layer name {dupes[0]!r} is used twice.")


def _weight_names(variables):
    """Dataset names for `variables`: their paths, made unique."""
    out, seen = [], set()
    for v in variables:
        base = str(getattr(v, "path", None) or v.name).strip("/") or "variable"
        name, i = base, 1
        while name in seen:
            name, i = f"{base}_{i}", i + 1
        seen.add(name)
        out.append(name)
    return out


def save_subset(group, variables):
    names = _weight_names(variables)
    save_attributes(group, "weight_names", names)
    for name, var in zip(names, variables):
        try:
            file_utils.write_dataset(group, name, var.numpy())
        except ValueError as e:
            raise ValueError(f"Cannot save weight {name!r} in group {group.name!r}: {e}") from e


def _own_variables(model):
    return [v for v in model.__dict__.get("_variables", [])]


def save_weights_to_group(group, model):
    layers = model.layers
    _check_layer_names(layers)
    save_attributes(group, "layer_names", [l.name for l in layers])
    group.attrs["backend"] = BACKEND.encode("utf8")
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    for layer in sorted(layers, key=lambda l: l.name):
        save_subset(group.create_group(layer.name), layer.weights)
    save_subset(group.create_group("top_level_model_weights"), _own_variables(model))


def portable_config(model):
    """`model.get_config()`, with tf.keras 2's node spelling for functional graphs (Keras 3
    reads it too)."""
    from nnfast.models import functional_config, model_config
    from nnfast.models.functional import Functional
    from nnfast.models.sequential import Sequential

    if (isinstance(model, Functional) and not isinstance(model, Sequential)
            and type(model).get_config is Functional.get_config
            and model_config.functional_like_constructor(type(model))):
        # tf.keras 2's node spelling cannot hold a symbolic keyword argument (an RNN's
        # `mask=` tensor): such graphs keep Keras 3's spelling, which Keras 3 reads.
        if not any(n.has_symbolic_arguments for n in model._nodes):
            return functional_config.get_functional_config(model, legacy=True)
    return model.get_config()


def model_metadata(model, include_optimizer=True):
    """The root attributes: versions, the model config (tf.keras 2 dialect, which both
    tf.keras 2 and Keras 3 read) and the compile arguments."""
    metadata = {
        "keras_version": KERAS_VERSION,
        "backend": BACKEND,
        "nnfast_version": nnfast.__version__,
        "model_config": {"class_name": _class_name(model), "config": portable_config(model)},
    }
    if include_optimizer and model.__dict__.get("compiled") and model.optimizer is not None:
        metadata["training_config"] = optimizer_state.training_config(model)
    return metadata


def _class_name(model):
    from nnfast.models.functional import Functional

    registered = getattr(model, "_nnfast_registered_name", None)
    if registered:
        return registered
    return "Functional" if type(model) is Functional else type(model).__name__


def save_model_to_hdf5(model, filepath, include_optimizer=True):
    """Write `model` (config, weights, compile arguments, optimizer state) to `filepath`
    atomically."""
    h5py = file_utils.require_h5py()
    metadata = model_metadata(model, include_optimizer)
    with file_utils.atomic_path(filepath) as tmp:
        with file_utils.h5_for_writing(tmp) as f:
            for key, value in metadata.items():
                if isinstance(value, (dict, list)):
                    value = json.dumps(value, default=file_utils.json_default).encode("utf8")
                f.attrs[key] = value
            save_weights_to_group(f.create_group("model_weights"), model)
            if include_optimizer and model.__dict__.get("compiled"):
                optimizer_state.save_to_group(f, model.optimizer)


def save_weights_to_hdf5(model, filepath):
    """The weights-only layout (`model_weights` at the root), written atomically."""
    h5py = file_utils.require_h5py()
    with file_utils.atomic_path(filepath) as tmp:
        with file_utils.h5_for_writing(tmp) as f:
            save_weights_to_group(f, model)


# -- reading --------------------------------------------------------------------------
def _weight_values(group, variables, where, filepath, skip_mismatch):
    """[(variable, array)] for one saved layer group, shapes checked before reading."""
    names = load_attributes(group, "weight_names")
    if len(names) != len(variables):
        raise ValueError(
            f"{filepath}: weight count mismatch for {where}: the model expects "
            f"{len(variables)} weight(s) {[tuple(v.shape) for v in variables]}, the file "
            f"holds {len(names)} saved weight(s) {names}."
        )
    plan = []
    for var, name in zip(variables, names):
        ds = safe_dataset(group, name, filepath)
        if tuple(ds.shape) != tuple(var.shape):
            message = (f"{filepath}: shape mismatch in {where} for weight {var.path!r}: the "
                       f"weight expects shape {tuple(var.shape)}, the file holds "
                       f"{name!r} with shape {tuple(ds.shape)}.")
            if skip_mismatch:
                warnings.warn("Skipping: " + message, stacklevel=3)
                continue
            raise ValueError(message)
        plan.append((var, file_utils.read_dataset(ds, filepath)))
    return plan


def weights_group(f, filepath):
    """The group holding `layer_names` in a full-model or weights-only file."""
    if "layer_names" in f.attrs or "layer_names0" in f.attrs:
        return f
    if "model_weights" in f:
        return safe_group(f, "model_weights", filepath)
    return None


def load_weights_from_group(group, model, filepath, by_name=False, skip_mismatch=False):
    """Assign the weights stored in `group` (Keras's layout) to `model`."""
    saved = load_attributes(group, "layer_names")
    if not saved and "layer_names" not in group.attrs:
        raise ValueError(f"{filepath}: no `layer_names` attribute; this is not a Keras "
                         "weights file.")
    plan = []
    if by_name:
        index = {}
        for layer in model.layers:
            index.setdefault(layer.name, []).append(layer)
        for k, name in enumerate(saved):
            sub = safe_group(group, name, filepath)
            for layer in index.get(name, []):
                try:
                    plan += _weight_values(sub, layer.weights, f"layer #{k} (named {name})",
                                           filepath, skip_mismatch)
                except ValueError as e:
                    if not skip_mismatch or "count mismatch" not in str(e):
                        raise
                    warnings.warn(f"Skipping loading of weights for layer {name!r}: {e}",
                                  stacklevel=2)
    else:
        layers = [l for l in model.layers if l.weights]
        groups = []
        for name in saved:
            sub = safe_group(group, name, filepath)
            if load_attributes(sub, "weight_names"):
                groups.append((name, sub))
        if len(groups) != len(layers):
            raise ValueError(
                f"{filepath}: layer count mismatch when loading weights from file. The model "
                f"expects {len(layers)} layers with weights {[l.name for l in layers]}; the "
                f"file holds {len(groups)} saved layers {[n for n, _ in groups]}."
            )
        for k, ((name, sub), layer) in enumerate(zip(groups, layers)):
            where = f"layer #{k} (named {layer.name!r} in the model, {name!r} in the file)"
            plan += _weight_values(sub, layer.weights, where, filepath, skip_mismatch)
    own = _own_variables(model)
    if "top_level_model_weights" in group and own:
        sub = safe_group(group, "top_level_model_weights", filepath)
        plan += _weight_values(sub, own, "the top-level model weights", filepath, skip_mismatch)
    for var, value in plan:
        var.assign(value)


def load_weights_from_hdf5(model, filepath, by_name=False, skip_mismatch=False):
    with file_utils.open_h5(filepath, "load_weights") as f:
        group = weights_group(f, filepath)
        if group is None:
            from nnfast.saving import keras_native

            if keras_native.is_native_weights(f):
                keras_native.load_weights_from_h5(model, f, filepath, skip_mismatch)
                return
            raise ValueError(f"{filepath} holds no Keras weights: neither `layer_names` nor "
                             "a `model_weights` or `layers` group was found.")
        load_weights_from_group(group, model, filepath, by_name, skip_mismatch)


def load_model_from_hdf5(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a full-model HDF5 file (nnfast's, Keras 3's or tf.keras 2's)."""
    from nnfast.saving import saving_api

    with file_utils.open_h5(filepath, "load_model") as f:
        model_config = file_utils.read_json_attr(f, "model_config", filepath)
        if model_config is None:
            hint = (" It looks like a weights-only file: build the model and call "
                    "`model.load_weights(path)`." if weights_group(f, filepath) is not None
                    else "")
            raise ValueError(f"No model config found in the file at {filepath}.{hint}")
        model = saving_api.model_from_config_checked(model_config, custom_objects, safe_mode,
                                                     filepath)
        group = weights_group(f, filepath)
        if group is None:
            raise ValueError(f"{filepath}: the `model_weights` group is missing.")
        load_weights_from_group(group, model, filepath)
        if not compile:
            return model
        training_config = file_utils.read_json_attr(f, "training_config", filepath)
        if training_config is None:
            warnings.warn("No training configuration found in the save file, so the model "
                          "was *not* compiled. Compile it manually.", stacklevel=3)
            return model
        with config_compat.safe_mode_scope(safe_mode):
            optimizer_state.compile_from_training_config(model, training_config,
                                                         custom_objects, filepath)
        if "optimizer_weights" in f:
            optimizer_state.restore_from_group(model, safe_group(f, "optimizer_weights", filepath),
                                               filepath)
    return model
