"""Routes `nnfast.ops` calls on symbolic tensors (functional models) to graph nodes.

Each public op in `nnfast.ops` is wrapped once at import: on concrete arrays the wrapper
only scans its arguments; given a KerasTensor it records an `OpLayer` node instead
(nnfast/models/symbolic_ops.py).
"""
import functools
import inspect

from nnfast.models.graph import KerasTensor

# Functions that inspect rather than compute; they are not graph nodes.
_NOT_OPS = {"is_tensor", "convert_to_numpy", "shape", "ndim", "size"}


def _has_symbolic(args, kwargs):
    for value in (*args, *kwargs.values()):
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, (list, tuple)) and any(isinstance(v, KerasTensor) for v in value):
            return True
    return False


def symbolic_aware(fn, name):
    @functools.wraps(fn)
    def op(*args, **kwargs):
        if _has_symbolic(args, kwargs):
            from nnfast.models.symbolic_ops import symbolic_op

            return symbolic_op(name, args, kwargs)
        return fn(*args, **kwargs)

    return op


def wrap_namespace(namespace):
    """Replace every public function in `namespace` (a module's globals) by its
    symbolic-aware wrapper."""
    for name, fn in list(namespace.items()):
        if name.startswith("_") or name in _NOT_OPS or not inspect.isfunction(fn):
            continue
        if getattr(fn, "__wrapped__", None) is not None and fn.__name__ == name:
            continue
        namespace[name] = symbolic_aware(fn, name)
