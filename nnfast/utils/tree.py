"""Nested structures (lists, tuples, dicts of leaves): the one set of helpers the
graph, the tape, the layers and the data adapters share.

`None` is kept as None by `map_structure` (a missing `y` or `sample_weight` stays
missing) and is a leaf for `flatten`.
"""


def flatten(x, sort_keys=False):
    """The leaves of `x` in order (dict values in insertion order, or by sorted key)."""
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in flatten(item, sort_keys)]
    if isinstance(x, dict):
        keys = sorted(x) if sort_keys else x
        return [leaf for k in keys for leaf in flatten(x[k], sort_keys)]
    return [x]


def map_structure(fn, x):
    """`x` with `fn` applied to every leaf; lists, tuples and dicts rebuilt as such."""
    if x is None:
        return None
    if isinstance(x, list):
        return [map_structure(fn, i) for i in x]
    if isinstance(x, tuple):
        return tuple(map_structure(fn, i) for i in x)
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return fn(x)


def pack_sequence_as(structure, flat, sort_keys=False):
    """The inverse of `flatten`: `flat`'s leaves put back into `structure`'s shape."""
    return _pack(structure, iter(flat), sort_keys)


def _pack(s, it, sort_keys):
    # Module-level on purpose: a recursive closure forms a reference cycle (function ->
    # cell -> function) that keeps the packed arrays (a step's gradients) alive until the
    # cyclic GC runs, so every step page-faults fresh memory.
    if isinstance(s, list):
        return [_pack(i, it, sort_keys) for i in s]
    if isinstance(s, tuple):
        return tuple(_pack(i, it, sort_keys) for i in s)
    if isinstance(s, dict):
        keys = sorted(s) if sort_keys else list(s)
        packed = {k: _pack(s[k], it, sort_keys) for k in keys}
        return {k: packed[k] for k in s}
    return next(it)
