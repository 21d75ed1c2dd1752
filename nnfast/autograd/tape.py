"""Reverse-mode recording of op calls: `GradientTape`, with TensorFlow's spelling.

An op records itself (inputs, outputs, its backward and the cache its forward kept) on every
active tape for which one of its inputs is *tracked*: watched explicitly, a trainable
Variable read while the tape watches accessed variables, or the output of an op the tape
recorded. Objects are keyed by `id()`; a tape keeps every keyed object alive, so an id
cannot be reused while the tape holds it.
"""
import threading

import numpy as np

_local = threading.local()


def active_tapes():
    """The tapes recording on this thread (innermost last). Thread-local: predict from
    several Python threads never sees another thread's tape."""
    tapes = getattr(_local, "tapes", None)
    if tapes is None:
        tapes = _local.tapes = []
    return tapes


class _Node:
    __slots__ = ("input_keys", "inputs", "outputs", "backward", "cache")

    def __init__(self, input_keys, inputs, outputs, backward, cache):
        self.input_keys = input_keys
        self.inputs = inputs        # kept so ids stay unique while the tape lives
        self.outputs = outputs      # tuple of Tensors
        self.backward = backward
        self.cache = cache


class GradientTape:
    """Record operations for automatic differentiation.

    ```python
    with nnfast.GradientTape() as tape:
        logits = model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    ```

    Args:
        persistent: allow several `gradient()` calls on one tape.
        watch_accessed_variables: watch every trainable Variable an op reads.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._nodes = []
        self._tracked = {}          # id -> object
        self._watched_variables = {}
        self._used = False

    def __enter__(self):
        active_tapes().append(self)
        return self

    def __exit__(self, *exc):
        tapes = active_tapes()
        if self in tapes:
            tapes.remove(self)
        return False

    # -- what is watched -------------------------------------------------------------
    def watch(self, tensor):
        """Track `tensor` (a Tensor, array or Variable, or a nested list/dict of them)."""
        from nnfast.autograd.variable import Variable

        for t in _flatten(tensor):
            if not isinstance(t, (np.ndarray, Variable)):
                raise TypeError(
                    "GradientTape.watch expects Tensors, arrays or Variables. "
                    f"Received: {type(t).__name__}"
                )
            self._tracked[id(t)] = t
            if isinstance(t, Variable):
                self._watched_variables[id(t)] = t

    def _note_variable(self, var):
        key = id(var)
        if key not in self._tracked:
            self._tracked[key] = var
            self._watched_variables[key] = var

    def watched_variables(self):
        return tuple(self._watched_variables.values())

    def stop_recording(self):
        return _StopRecording(self)

    def reset(self):
        self._nodes.clear()
        self._tracked.clear()
        self._watched_variables.clear()
        self._used = False

    # -- gradients -------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(target)/d(sources), shaped like `sources` (a list stays a list, a dict a dict).

        `output_gradients` seeds the backward pass (default: ones, i.e. the gradient of
        the sum of the targets). Sources that `target` does not depend on get None, or
        zeros with `unconnected_gradients="zero"`.
        """
        from nnfast.autograd.tensor import Tensor

        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients. Create the tape with persistent=True to call gradient() again."
            )
        if unconnected_gradients not in ("none", "zero"):
            unconnected_gradients = getattr(unconnected_gradients, "value", unconnected_gradients)
            if unconnected_gradients not in ("none", "zero"):
                raise ValueError(
                    "unconnected_gradients must be 'none' or 'zero'. "
                    f"Received: {unconnected_gradients!r}"
                )
        targets = _flatten(target)
        flat_sources = _flatten(sources)
        if output_gradients is None:
            seeds = [None] * len(targets)
        else:
            seeds = _flatten(output_gradients)
            if len(seeds) != len(targets):
                raise ValueError(
                    f"output_gradients has {len(seeds)} entries but there are "
                    f"{len(targets)} targets."
                )
        grads = self._backprop(targets, seeds, flat_sources)
        if not self._persistent:
            self._used = True
            self._nodes = []
            self._tracked = {}
        out = []
        for s in flat_sources:
            g = grads.get(id(s))
            if g is None and unconnected_gradients == "zero":
                g = np.zeros(np.shape(_raw(s)), dtype=_raw(s).dtype)
            out.append(None if g is None else g.view(Tensor))
        return _pack_like(sources, out)

    def _backprop(self, targets, seeds, sources):
        source_keys = {id(s) for s in sources}
        # Forward sweep: which nodes lie downstream of a source, and which of each node's
        # inputs need a gradient (so e.g. the first Dense never computes dX).
        reach = set(source_keys)
        relevant = []
        for node in self._nodes:
            needs = tuple(k in reach for k in node.input_keys)
            if any(needs):
                relevant.append((node, needs))
                reach.update(id(o) for o in node.outputs)
        grads = {}
        for t, seed in zip(targets, seeds):
            if id(t) not in reach:
                continue
            raw = _raw(t)
            g = np.ones_like(raw) if seed is None else np.asarray(_raw(seed), dtype=raw.dtype)
            if g.shape != raw.shape:
                g = np.broadcast_to(g, raw.shape).copy()
            _accumulate(grads, id(t), g)
        for node, needs in reversed(relevant):
            douts = [grads.get(id(o)) for o in node.outputs]
            if all(d is None for d in douts):
                continue
            if len(douts) == 1:
                dout = douts[0]
            else:
                dout = tuple(
                    np.zeros(o.shape, dtype=o.dtype) if d is None else d
                    for d, o in zip(douts, node.outputs)
                )
            in_grads = node.backward(dout, node.cache, needs)
            for key, need, g in zip(node.input_keys, needs, in_grads):
                if need and g is not None:
                    _accumulate(grads, key, g)
        return grads


def _accumulate(grads, key, g):
    prev = grads.get(key)
    # Out of place: a backward may hand the same array to two inputs (add does).
    grads[key] = g if prev is None else prev + g


class _StopRecording:
    def __init__(self, tape):
        self._tape = tape

    def __enter__(self):
        tapes = active_tapes()
        self._was_active = self._tape in tapes
        if self._was_active:
            tapes.remove(self._tape)

    def __exit__(self, *exc):
        if self._was_active:
            active_tapes().append(self._tape)
        return False


def _raw(x):
    from nnfast.autograd.variable import Variable

    if isinstance(x, Variable):
        return x._value
    return np.asarray(x)


def _flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            out.extend(_flatten(item))
        return out
    if isinstance(x, dict):
        out = []
        for key in sorted(x):
            out.extend(_flatten(x[key]))
        return out
    return [x]


def _pack_like(structure, flat):
    return _pack(structure, iter(flat))


def _pack(s, it):
    # A module-level function, not a recursive closure: the closure and its cell formed a
    # reference cycle that kept every gradient array alive until the cyclic GC ran, so
    # each training step allocated (and page-faulted) fresh memory for them.
    if isinstance(s, list):
        return type(s)(_pack(item, it) for item in s)
    if isinstance(s, tuple):
        return tuple(_pack(item, it) for item in s)
    if isinstance(s, dict):
        return {k: _pack(s[k], it) for k in sorted(s)}
    return next(it)
