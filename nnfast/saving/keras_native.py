"""Keras 3's native formats: `.weights.h5` and `.keras` archives, both directions.

The weights file mirrors the object graph, not layer names: the model's layers sit in a
container `layers/<snake_case class name, made unique>`, each object's own variables in
`<path>/vars/0, 1, ...` (trainable first, creation order), sub-layers under the
attribute that holds them (`layers/lstm/cell/vars`), the optimizer in `optimizer/vars`.
nnfast walks its own objects the same way. When a layer's sub-structure differs from
Keras's (a layer keeping its weights where Keras uses a sub-layer), its weights are
matched in walk order with shapes checked. A `.keras` file is a zip of `config.json`,
`metadata.json` and `model.weights.h5`. See /work/shared/notes/formats.md section 2.
"""
import datetime
import io
import json
import warnings
import zipfile

import numpy as np

from nnfast.saving import file_utils
from nnfast.utils.naming import to_snake_case

_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_MAX_CONFIG_BYTES = 256 << 20
_ZIP_BOMB_FLOOR, _ZIP_BOMB_RATIO = 1 << 30, 100
# nnfast bookkeeping attributes that hold layers already reached through `layers`.
_SKIP_ATTRS = {"_sublayers", "_graph_layers", "_stack", "_input_layer", "_inbound_nodes",
               "_nodes", "inputs", "outputs", "_nested_inputs", "_nested_outputs",
               "optimizer", "input_spec", "activity_regularizer", "history"}


# -- the object walk ------------------------------------------------------------------
def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _own_variables(obj):
    from nnfast.optimizers import Optimizer

    if isinstance(obj, Optimizer):
        return list(obj.variables)
    own = obj.__dict__.get("_variables", [])
    return [v for v in own if v.trainable] + [v for v in own if not v.trainable]


def _children(obj):
    """(attribute, value) pairs holding layers, in Keras's order."""
    from nnfast.layers.layer import Layer, _layers_in
    from nnfast.models.functional import Functional

    out = []
    if isinstance(obj, Functional):
        out.append(("layers", list(obj.layers)))
    for attr in sorted(vars(obj), key=_name_key):
        if attr in _SKIP_ATTRS:
            continue
        value = obj.__dict__[attr]
        if isinstance(value, Layer) or (isinstance(value, (list, tuple, dict))
                                        and _layers_in(value)):
            out.append((attr, value))
    return out


def walk(model, include_optimizer=True):
    """[(path, object)] for every layer/model/optimizer, as Keras's saving walk."""
    from nnfast.layers.layer import Layer

    entries, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        entries.append((path, obj))
        for attr, value in _children(obj):
            child_path = f"{path}/{attr}" if path else attr
            if isinstance(value, Layer):
                visit(value, child_path)
            else:
                container(value, child_path)

    def container(items, path):
        if isinstance(items, dict):
            items = list(items.values())
        used = {}
        for item in items:
            if isinstance(item, Layer):
                base = to_snake_case(type(item).__name__)
            elif isinstance(item, (list, tuple, dict)):
                base = "container"
            else:
                continue
            used[base] = used.get(base, -1) + 1
            name = base if used[base] == 0 else f"{base}_{used[base]}"
            if isinstance(item, Layer):
                visit(item, f"{path}/{name}")
            else:
                container(item, f"{path}/{name}")

    visit(model, "")
    optimizer = model.__dict__.get("optimizer")
    if include_optimizer and optimizer is not None and getattr(optimizer, "built", False):
        entries.append(("optimizer", optimizer))
    return entries


# -- writing --------------------------------------------------------------------------
def _write_weights(f, model):
    for path, obj in walk(model):
        group = f.require_group(f"{path}/vars" if path else "vars")
        if isinstance(getattr(obj, "name", None), str):
            group.attrs["name"] = obj.name
        for i, var in enumerate(_own_variables(obj)):
            file_utils.write_dataset(group, str(i), var.numpy())


def save_weights(model, filepath):
    """`model.save_weights("x.weights.h5")` in Keras 3's layout, written atomically."""
    h5py = file_utils.require_h5py()
    with file_utils.atomic_path(filepath) as tmp:
        with file_utils.h5_for_writing(tmp) as f:
            _write_weights(f, model)


def is_native_weights(f):
    return "layers" in f or "vars" in f or "_layer_checkpoint_dependencies" in f


# -- reading --------------------------------------------------------------------------
def _vars_group(f, path, filepath):
    """The `vars` group of `path`, or None when the file has none there."""
    full = f"{path}/vars" if path else "vars"
    try:
        return file_utils.safe_group(f, full, filepath)
    except ValueError:
        if path.startswith("layers") and "_layer_checkpoint_dependencies" in f:  # Keras 2.13
            alias = "_layer_checkpoint_dependencies" + path[len("layers"):]
            try:
                return file_utils.safe_group(f, f"{alias}/vars", filepath)
            except ValueError:
                return None
        return None


def _group_values(group, filepath):
    """Datasets "0", "1", ... of a `vars` group, unread."""
    if group is None:
        return []
    keys = sorted(group.keys(), key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))
    return [file_utils.safe_dataset(group, k, filepath) for k in keys]


def _subtree_datasets(f, path, filepath):
    """Every dataset below `path` in walk order (own vars, then children by Keras's key)."""
    try:
        group = file_utils.safe_group(f, path, filepath)
    except ValueError:
        return []
    out = _group_values(group["vars"], filepath) if "vars" in group else []
    for key in sorted((k for k in group.keys() if k != "vars"), key=_name_key):
        out += _subtree_datasets(f, f"{path}/{key}", filepath)
    return out


def _pair(variables, datasets, where, filepath):
    if len(variables) != len(datasets):
        raise ValueError(
            f"{filepath}: {where} expects {len(variables)} variables "
            f"{[tuple(v.shape) for v in variables]}, but the file holds {len(datasets)}."
        )
    for var, ds in zip(variables, datasets):
        if tuple(ds.shape) != tuple(var.shape):
            raise ValueError(
                f"{filepath}: shape mismatch in {where} for variable {var.path!r}: the "
                f"variable has shape {tuple(var.shape)}, the file holds {ds.name} with "
                f"shape {tuple(ds.shape)}."
            )
    return list(zip(variables, datasets))


def _plan(model, f, filepath, skip_mismatch):
    """[(variable, dataset)] for the model's layers; exact paths first, then walk order
    within each top-level layer."""
    entries = [(p, o) for p, o in walk(model, include_optimizer=False)]
    plan = []
    tops = {}
    for path, obj in entries:
        parts = path.split("/")
        top = "/".join(parts[:2]) if parts[0] == "layers" else path
        tops.setdefault(top, []).append((path, obj))
    for top, members in tops.items():
        where = f"layer {members[0][1].name!r} ({top or 'the model itself'})"
        try:
            part = []
            for path, obj in members:
                variables = _own_variables(obj)
                datasets = _group_values(_vars_group(f, path, filepath), filepath)
                if variables or datasets:
                    part += _pair(variables, datasets, where, filepath)
        except ValueError as exact_error:
            variables = [v for _, o in members for v in _own_variables(o)]
            try:
                part = _pair(variables, _subtree_datasets(f, top, filepath), where, filepath) \
                    if top else []
            except ValueError:
                if skip_mismatch:
                    warnings.warn(f"Skipping {where}: {exact_error}", stacklevel=4)
                    continue
                raise exact_error from None
        plan += part
    return plan


def load_weights_from_h5(model, f, filepath, skip_mismatch=False):
    """Assign the weights of an open Keras 3 weights file; the optimizer state too when
    the model's optimizer is built (Keras's rule)."""
    from nnfast.saving import optimizer_state

    plan = [(v, file_utils.read_dataset(ds, filepath))
            for v, ds in _plan(model, f, filepath, skip_mismatch)]
    for var, value in plan:
        var.assign(value)
    optimizer = model.__dict__.get("optimizer")
    group = _vars_group(f, "optimizer", filepath)
    if optimizer is None or group is None:
        return
    datasets = _group_values(group, filepath)
    if not getattr(optimizer, "built", False):
        if len(datasets) != len(optimizer.variables):
            warnings.warn(
                f"{filepath}: skipping variable loading for optimizer {optimizer.name!r}: it "
                f"has {len(optimizer.variables)} variables whereas the saved optimizer has "
                f"{len(datasets)}. (It is built at the first training step; load a full "
                "model with `load_model` to resume training.)", stacklevel=3)
            return
    values = [file_utils.read_dataset(ds, filepath) for ds in datasets]
    optimizer_state.restore(model, [str(i) for i in range(len(values))], values, filepath)


# -- .keras archives ------------------------------------------------------------------
def _read_member(archive, name, filepath):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(f"{filepath}: the .keras archive has no {name!r} (it holds "
                         f"{archive.namelist()[:10]}).") from None
    if info.file_size > _ZIP_BOMB_FLOOR and info.file_size > _ZIP_BOMB_RATIO * max(info.compress_size, 1):
        raise ValueError(f"{filepath}: archive member {name!r} declares {info.file_size} bytes "
                         f"but stores {info.compress_size}; refusing a decompression bomb.")
    if name == _CONFIG and info.file_size > _MAX_CONFIG_BYTES:
        raise ValueError(f"{filepath}: {name} is {info.file_size} bytes; too large for a config.")
    return archive.read(name)


def _open_zip(filepath):
    try:
        return zipfile.ZipFile(filepath, "r")
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ValueError(f"{filepath}: not a readable .keras archive ({e}); the file is "
                         "truncated or corrupt.") from None


def _build_from_config(model, build_config):
    """A subclassed model makes its weights on its first call: run it once on zeros."""
    shape = (build_config or {}).get("input_shape")
    if model.built and model.variables or not shape:
        return
    if isinstance(shape, (list, tuple)) and shape and all(d is None or isinstance(d, int) for d in shape):
        x = np.zeros([1 if d is None else d for d in shape], dtype="float32")
        model(x, training=False)
        model._clear_call_losses()
        model.built = True


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a Keras 3 `.keras` archive."""
    from nnfast.saving import config_compat, optimizer_state, saving_api

    h5py = file_utils.require_h5py()
    try:
        with _open_zip(filepath) as archive:
            raw = _read_member(archive, _CONFIG, filepath)
            names = archive.namelist()
            if _WEIGHTS not in names:
                other = [n for n in names if n.startswith("model.weights")]
                raise ValueError(f"{filepath}: expected {_WEIGHTS} in the archive; found "
                                 f"{other or names}. (Sharded or .npz weights are not "
                                 "supported.)")
            weights = _read_member(archive, _WEIGHTS, filepath)
    except zipfile.BadZipFile as e:
        raise ValueError(f"{filepath}: corrupt .keras archive ({e}).") from None
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{filepath}: config.json is not valid JSON ({e}).") from None
    if not isinstance(config, dict):
        raise ValueError(f"{filepath}: config.json must hold a JSON object.")
    model = saving_api.model_from_config_checked(config, custom_objects, safe_mode, filepath)
    _build_from_config(model, config.get("build_config"))
    compile_config = config.get("compile_config")
    if compile and compile_config:
        training = dict(compile_config)
        training["optimizer_config"] = training.pop("optimizer", None)
        with config_compat.safe_mode_scope(safe_mode):
            optimizer_state.compile_from_training_config(model, training, custom_objects,
                                                         filepath)
        model.optimizer.build(model.trainable_variables)
    try:
        f = h5py.File(io.BytesIO(weights), "r")
    except (OSError, ValueError) as e:
        raise ValueError(f"{filepath}: {_WEIGHTS} inside the archive is not HDF5 ({e}).") from None
    with f:
        try:
            load_weights_from_h5(model, f, f"{filepath}:{_WEIGHTS}")
        except (OSError, KeyError, RuntimeError) as e:
            raise ValueError(f"{filepath}: corrupt {_WEIGHTS} ({e}).") from None
    return model


def load_weights_from_archive(model, filepath, skip_mismatch=False):
    h5py = file_utils.require_h5py()
    with _open_zip(filepath) as archive:
        weights = _read_member(archive, _WEIGHTS, filepath)
    with h5py.File(io.BytesIO(weights), "r") as f:
        load_weights_from_h5(model, f, f"{filepath}:{_WEIGHTS}", skip_mismatch)


def _with_module(obj, module):
    """A `{"class_name", "config"}` dict in Keras 3's native spelling."""
    if isinstance(obj, dict) and "class_name" in obj:
        return {"module": module, "class_name": obj["class_name"], "config": obj["config"],
                "registered_name": None}
    if isinstance(obj, dict):
        return {k: _with_module(v, module) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_with_module(v, module) for v in obj]
    return obj


def native_config(model):
    """config.json for a Sequential/Functional model: native wrapping at the top (Keras 3
    reads the layer entries in the legacy dialect, which is what nnfast writes)."""
    from nnfast.models.sequential import Sequential
    from nnfast.saving import optimizer_state

    if isinstance(model, Sequential):
        top = {"module": "keras", "class_name": "Sequential", "registered_name": None}
    else:
        top = {"module": "keras.src.models.functional", "class_name": "Functional",
               "registered_name": "Functional"}
    top["config"] = model.get_config()
    for entry in top["config"].get("layers", ()):
        # Layers nested in a layer's config (Bidirectional's, TimeDistributed's, an RNN's
        # cell) are read by Keras's native deserializer, which needs their module.
        for key in ("layer", "backward_layer", "forward_layer", "cell"):
            nested = entry.get("config", {}).get(key)
            if isinstance(nested, dict) and "class_name" in nested and "module" not in nested:
                nested["module"] = "keras.layers"
                nested.setdefault("registered_name", None)
        if entry.get("class_name") == "KerasOperation":     # back to Keras's own op node
            cfg = entry["config"]
            entry.update({"module": cfg["keras_module"], "class_name": cfg["keras_class"],
                          "registered_name": cfg["keras_class"], "config": {"name": cfg["name"]}})
    if model.built and model.inputs:
        top["build_config"] = {"input_shape": list(model.inputs[0].shape)}
    if model.__dict__.get("compiled") and model.optimizer is not None:
        tc = optimizer_state.training_config(model)
        opt = tc.pop("optimizer_config")
        lr = opt["config"].get("learning_rate")
        if isinstance(lr, dict):
            opt["config"]["learning_rate"] = _with_module(lr, "keras.optimizers.schedules")
        top["compile_config"] = {
            "optimizer": _with_module(opt, "keras.optimizers"),
            "loss": _with_module(tc["loss"], "keras.losses"),
            "loss_weights": tc["loss_weights"],
            "metrics": _with_module(tc["metrics"], "keras.metrics"),
            "weighted_metrics": _with_module(tc["weighted_metrics"], "keras.metrics"),
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False,
        }
    return top


def save_model(model, filepath):
    """A `.keras` archive of a Sequential/Functional model, written atomically."""
    from nnfast.saving.legacy_h5 import KERAS_VERSION

    h5py = file_utils.require_h5py()
    config = json.dumps(native_config(model), default=file_utils.json_default)
    metadata = json.dumps({"keras_version": KERAS_VERSION,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    buffer = io.BytesIO()
    with file_utils.h5_for_writing(buffer) as f:
        _write_weights(f, model)
    with file_utils.atomic_path(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w") as archive:
            archive.writestr(_METADATA, metadata)
            archive.writestr(_CONFIG, config)
            archive.writestr(_WEIGHTS, buffer.getvalue())
