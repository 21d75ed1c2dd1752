"""Reading and setting an optimizer's learning rate from callbacks, as Keras does:
one optimizer, or each of a multi-optimizer's `optimizers`, seen through a loss-scale
wrapper's `inner_optimizer`."""
import numpy as np


def optimizers_of(model, owner):
    """[(name or None, optimizer)] of `model`; ValueError when it has none."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(f"{owner} needs a compiled model with an optimizer. "
                         f"Received: model.optimizer=None")
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    inner = getattr(optimizer, "optimizers", None)
    if inner:
        return [(getattr(opt, "name", f"optimizer_{i}"), opt) for i, opt in enumerate(inner)]
    return [(None, optimizer)]


def get_lr(optimizer, owner):
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError(f'{owner}: Optimizer must have a "learning_rate" attribute.')
    return float(np.asarray(optimizer.learning_rate))


def log_learning_rates(model, logs, owner):
    """Add `learning_rate` (or `learning_rate_<name>` per inner optimizer) to `logs`."""
    for name, opt in optimizers_of(model, owner):
        key = "learning_rate" if name is None else f"learning_rate_{name}"
        logs[key] = get_lr(opt, owner)
    return logs
