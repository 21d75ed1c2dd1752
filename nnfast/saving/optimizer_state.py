"""Compile arguments and optimizer state in model files.

nnfast's optimizer variables are Keras 3's, in Keras 3's order (`iteration`,
`learning_rate`, then the slots), so files from nnfast and Keras 3 restore by position.
tf.keras 2 orders and names them differently (legacy `Adam/iter:0`, `Adam/dense/kernel/m:0`
with all `m` before all `v`; 2.11+ `Adam/m/dense/kernel:0`, no learning rate): those are
matched by slot name and the variable they belong to. When the state cannot be matched
the model keeps a fresh optimizer and a warning says so (Keras's behaviour).
"""
import re
import warnings

import numpy as np

from nnfast.saving import config_compat, file_utils
from nnfast.saving.file_utils import load_attributes, save_attributes

# tf.keras 2 slot names -> nnfast/Keras 3 slot names.
_SLOT_ALIASES = {
    "m": "momentum", "v": "velocity", "vhat": "velocity_hat", "rms": "velocity",
    "mg": "average_gradient", "momentum": "momentum", "velocity": "velocity",
    "velocity_hat": "velocity_hat", "average_gradient": "average_gradient",
    "accumulator": "accumulator", "accum_grad": "accumulated_grad",
    "accum_var": "accumulated_delta_var", "u": "norm", "norm": "norm",
}
_ITERATION_NAMES = ("iter", "iteration", "iterations")


# -- compile arguments ----------------------------------------------------------------
def _serialize(value):
    from nnfast.saving.serialization import serialize_keras_object

    return serialize_keras_object(value)


# Keras 3 arguments that tf.keras 2's (legacy) optimizers refuse: written only when they
# differ from their defaults, so files stay readable by both.
_OPTIONAL_DEFAULTS = {"weight_decay": None, "use_ema": False, "ema_momentum": 0.99,
                      "ema_overwrite_frequency": None, "loss_scale_factor": None,
                      "gradient_accumulation_steps": None}


def optimizer_config(optimizer):
    """`{"class_name", "config"}`, leaving out Keras 3 arguments at their defaults."""
    config = {k: v for k, v in optimizer.get_config().items()
              if not (k in _OPTIONAL_DEFAULTS and v == _OPTIONAL_DEFAULTS[k])}
    return {"class_name": getattr(optimizer, "_nnfast_registered_name", None)
            or type(optimizer).__name__, "config": config}


# Keras 3.15 cannot read these short loss names back from an HDF5 file (it looks them up
# as metrics); the full names mean the same to every Keras version.
_LOSS_ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
                 "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
                 "mape": "mean_absolute_percentage_error",
                 "MAPE": "mean_absolute_percentage_error",
                 "msle": "mean_squared_logarithmic_error",
                 "MSLE": "mean_squared_logarithmic_error"}


def _full_loss_names(loss):
    if isinstance(loss, str):
        return _LOSS_ALIASES.get(loss, loss)
    if isinstance(loss, dict) and "class_name" not in loss:
        return {k: _full_loss_names(v) for k, v in loss.items()}
    if isinstance(loss, list):
        return [_full_loss_names(v) for v in loss]
    return loss


def training_config(model):
    """The `training_config` root attribute: compile arguments + `optimizer_config`."""
    compiled = dict(model.__dict__.get("_compile_config") or {})
    return {
        "loss": _full_loss_names(_serialize(compiled.get("loss"))),
        "metrics": _serialize(compiled.get("metrics")),
        "weighted_metrics": _serialize(compiled.get("weighted_metrics")),
        "loss_weights": _serialize(compiled.get("loss_weights")),
        "optimizer_config": optimizer_config(model.optimizer),
    }


def _deserialize_nested(value, deserialize):
    if isinstance(value, dict) and "class_name" in value:
        return deserialize(config_compat.normalize(value))
    if isinstance(value, dict):
        return {k: _deserialize_nested(v, deserialize) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_nested(v, deserialize) for v in value]
    return value


def compile_from_training_config(model, config, custom_objects, filepath):
    """`model.compile(...)` with the arguments a file recorded."""
    from nnfast import losses, metrics, optimizers

    if not isinstance(config, dict):
        raise ValueError(f"{filepath}: `training_config` must be a JSON object.")
    try:
        opt = config.get("optimizer_config")
        optimizer = (optimizers.deserialize(config_compat.normalize(opt, "optimizer"),
                                            custom_objects=custom_objects)
                     if opt is not None else "rmsprop")

        def loss_fn(c):
            return losses.deserialize(c, custom_objects=custom_objects)

        def metric_fn(c):
            return metrics.deserialize(c, custom_objects=custom_objects)

        model.compile(
            optimizer=optimizer,
            loss=_deserialize_nested(config.get("loss"), loss_fn),
            metrics=_deserialize_nested(config.get("metrics"), metric_fn),
            weighted_metrics=_deserialize_nested(config.get("weighted_metrics"), metric_fn),
            loss_weights=config.get("loss_weights"),
        )
    except (TypeError, ValueError, KeyError) as e:
        raise ValueError(f"{filepath}: cannot compile the model from its saved training "
                         f"configuration ({type(e).__name__}: {e}). Load it with "
                         "compile=False and compile it yourself.") from e


# -- writing state --------------------------------------------------------------------
def save_to_group(f, optimizer):
    """Group `optimizer_weights` (only for a built optimizer: an unbuilt one has no
    state worth restoring)."""
    if optimizer is None or not getattr(optimizer, "built", False):
        return
    from nnfast.saving.legacy_h5 import save_subset

    variables = list(optimizer.variables)
    if variables:
        save_subset(f.create_group("optimizer_weights"), variables)


# -- restoring state ------------------------------------------------------------------
def _sanitize(path):
    return str(path).replace("/", "_").replace(":", "_")


def _slots_of(optimizer, trainable):
    """For each optimizer variable: ("iteration"|"learning_rate"|(slot, var index))."""
    prefixes = sorted(((_sanitize(v.path) + "_", i) for i, v in enumerate(trainable)),
                      key=lambda p: -len(p[0]))
    out = []
    for var in optimizer.variables:
        name = var.name
        if name in ("iteration", "learning_rate"):
            out.append(name)
            continue
        for prefix, i in prefixes:
            if name.startswith(prefix):
                out.append((name[len(prefix):], i))
                break
        else:
            out.append(None)
    return out


def _parse_tf2_name(name):
    """("iteration" | "learning_rate" | (slot, reference path)) for a tf.keras 2 name."""
    parts = re.sub(r":\d+$", "", name).split("/")
    if parts[-1] in _ITERATION_NAMES:
        return "iteration"
    if parts[-1] in ("learning_rate", "lr"):
        return "learning_rate"
    if len(parts) >= 3 and parts[-1] in _SLOT_ALIASES:          # legacy: Adam/dense/kernel/m
        return _SLOT_ALIASES[parts[-1]], "/".join(parts[1:-1])
    if len(parts) >= 3 and parts[1] in _SLOT_ALIASES:           # 2.11+: Adam/m/dense/kernel
        return _SLOT_ALIASES[parts[1]], "/".join(parts[2:])
    return None


def _map_tf2(optimizer, trainable, names, values):
    """Values in nnfast's order from a tf.keras 2 file (by slot name and variable)."""
    parsed = [_parse_tf2_name(n) for n in names]
    if any(p is None for p in parsed):
        bad = [n for n, p in zip(names, parsed) if p is None]
        raise ValueError(f"unrecognised optimizer variables {bad[:3]}")
    # The variables a slot belongs to, in order of first appearance = the model's order.
    refs = []
    for p in parsed:
        if isinstance(p, tuple) and p[1] not in refs:
            refs.append(p[1])
    if len(refs) != len(trainable):
        raise ValueError(f"the file has slots for {len(refs)} variables, the model has "
                         f"{len(trainable)} trainable variables")
    paths = [str(v.path) for v in trainable]
    ref_index = {r: paths.index(r) if r in paths else i for i, r in enumerate(refs)}
    table = {}
    for p, value in zip(parsed, values):
        key = p if isinstance(p, str) else (p[0], ref_index[p[1]])
        table[key] = value
    out = []
    for var, slot in zip(optimizer.variables, _slots_of(optimizer, trainable)):
        if slot == "learning_rate" and slot not in table:
            out.append(var.numpy())             # tf.keras 2.11+ keeps it in the config only
            continue
        if slot not in table:
            raise ValueError(f"no saved value for optimizer variable {var.path!r}")
        out.append(table[slot])
    return out


def restore(model, names, values, filepath):
    """Build the optimizer on the model's trainable variables and assign the saved state;
    warn and keep a fresh optimizer when it does not fit."""
    optimizer = model.optimizer
    trainable = model.trainable_variables
    try:
        optimizer.build(trainable)
        current = optimizer.variables
        if any(re.search(r":\d+$", n) for n in names):
            values = _map_tf2(optimizer, trainable, names, values)
        elif len(values) != len(current):
            raise ValueError(f"optimizer {optimizer.name!r} has {len(current)} variables "
                             f"whereas the saved optimizer has {len(values)}")
        optimizer.set_weights([np.asarray(v) for v in values])
    except ValueError as e:
        # Nothing was assigned (set_weights checks every shape first): the optimizer is
        # freshly built.
        warnings.warn(f"{filepath}: error in loading the saved optimizer state ({e}). As a "
                      "result, your model is starting with a freshly initialized optimizer.",
                      stacklevel=3)


def restore_from_group(model, group, filepath):
    """Read `optimizer_weights` (an unreadable, corrupt dataset is a ValueError: the file
    is damaged) and restore it (a state that does not fit only warns, as in Keras)."""
    names = load_attributes(group, "weight_names")
    values = [file_utils.read_dataset(file_utils.safe_dataset(group, name, filepath), filepath)
              for name in names]
    restore(model, names, values, filepath)
