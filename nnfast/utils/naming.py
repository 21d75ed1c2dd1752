"""Unique default names for layers, models and variables (`dense`, `dense_1`, …)."""
import collections
import re

_UIDS = collections.defaultdict(int)


def to_snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()   # Keras: "Conv2D" -> "conv2d"
    return name


def uniquify(base):
    """`base` the first time, then `base_1`, `base_2`, … as Keras names layers."""
    count = _UIDS[base]
    _UIDS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def auto_name(cls_or_name):
    base = cls_or_name if isinstance(cls_or_name, str) else to_snake_case(cls_or_name.__name__)
    return uniquify(base)


def reset_uids():
    _UIDS.clear()
