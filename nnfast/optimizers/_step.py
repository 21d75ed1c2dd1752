"""The step half of `Optimizer`: `apply` / `apply_gradients`, clipping, weight decay,
gradient accumulation, EMA, and the fused-kernel hook `_update`.

Mixed into `nnfast.optimizers.Optimizer`; it relies on the attributes that class's
`__init__`/`build` create (`_trainable_variables`, `_index`, `_iterations`, ...).
"""
import re
import warnings

import numpy as np

from nnfast.autograd.function import unwrap, wrap
from nnfast.optimizers import _utils


class StepMixin:
    """`apply` and what one step does; see `Optimizer` for the arguments it reads."""

    # -- weight decay --------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables (or those whose name contains one of `var_names`) from
        weight decay. Call before the optimizer is built."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before "
                             "the optimizer is built.")
        self._exclude_ids = {id(v) for v in (var_list or ())}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _weight_decays(self, variables):
        if not self.weight_decay:
            return 0.0
        if not self._exclude_ids and self._exclude_pattern is None:
            return self.weight_decay
        return [self.weight_decay if self._use_weight_decay(v) else 0.0 for v in variables]

    # -- one step ------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply `(gradient, variable)` pairs; returns `iterations` (tf.keras compat)."""
        pairs = list(grads_and_vars)
        if pairs:
            grads, variables = zip(*pairs)
            self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update the variables with `grads` (None entries are skipped).

        Args:
            grads: list of gradients (Tensors/arrays), one per variable.
            trainable_variables: the variables; may be omitted once the optimizer is built.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
            self._check_known(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"{type(self).__name__}.apply: got {len(grads)} gradients for "
                f"{len(variables)} variables; they must match one-to-one."
            )
        grads, variables, indices = self._prepare(grads, variables)
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        lr = self._current_learning_rate()
        if self.gradient_accumulation_steps:
            self._accumulate_and_update(grads, variables, indices, lr)
        else:
            self._update(self._clip(grads), variables, indices, lr,
                         self._weight_decays(variables))
        if self.use_ema:
            self._update_moving_averages()
        for var in variables:
            if var.constraint is not None:
                var.assign(var.constraint(var._value))
        self._iterations._value += 1

    def _check_known(self, variables):
        if variables is self._trainable_variables:
            return
        index = self._index
        for v in variables:
            if id(v) not in index:
                raise ValueError(
                    f"Unknown variable: {getattr(v, 'path', v)!r}. This optimizer can only be "
                    "called for the variables it was originally built with. When working "
                    "with a new set of variables, you should recreate a new optimizer instance."
                )

    def _prepare(self, grads, variables):
        """Unwrap and cast the gradients; drop the None ones (warn once)."""
        out_g, out_v, missing = [], [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(v.path)
                continue
            arr = unwrap(g)
            if arr.dtype != v._value.dtype or type(arr) is not np.ndarray:
                arr = np.asarray(arr, dtype=v._value.dtype)
            if arr.shape != v._value.shape:
                raise ValueError(
                    f"{type(self).__name__}: the gradient for variable {v.path!r} has shape "
                    f"{arr.shape}, expected the variable's shape {v._value.shape}."
                )
            out_g.append(arr)
            out_v.append(v)
        if not out_g:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            if not self._warned_missing:
                self._warned_missing = True
                warnings.warn(
                    f"Gradients do not exist for variables {missing} when minimizing the "
                    "loss. If using `model.compile()`, did you forget to provide a `loss` "
                    "argument?", stacklevel=3)
            indices = tuple(self._index[id(v)] for v in out_v)
        elif len(out_v) == len(self._trainable_variables) and all(
                a is b for a, b in zip(out_v, self._trainable_variables)):
            indices = None                         # every variable, in build order
        else:
            indices = tuple(self._index[id(v)] for v in out_v)
        return out_g, out_v, indices

    def _clip(self, grads):
        if self.clipnorm:
            return [_utils.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm:
            return _utils.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue:
            return _utils.clip_by_value(grads, self.clipvalue)
        return grads

    def _arrays(self, indices, variables, *slot_lists):
        """The ndarray buffers of the parameters and of each slot list, for the kernel.
        Cached: buffers never move, so the lists stay valid between steps."""
        key = (indices, tuple(id(s) for s in slot_lists))
        hit = self._array_cache.get(key)
        if hit is None:
            if len(self._array_cache) > 16:       # varying subsets of missing gradients
                self._array_cache.clear()
            pick = range(len(variables)) if indices is None else indices
            params = [v._value for v in variables]
            slots = [None if s is None else [s[i]._value for i in pick] for s in slot_lists]
            hit = self._array_cache[key] = (params, *slots)
        return hit

    def _update(self, grads, variables, indices, lr, weight_decay):
        """Default path for Keras 3-style subclasses: weight decay, then `update_step`
        per variable. Built-in optimizers override this with one fused kernel call."""
        for i, var in enumerate(variables):
            wd = weight_decay[i] if isinstance(weight_decay, list) else weight_decay
            if wd:
                var._value -= var._value * (wd * lr)
        for g, var in zip(grads, variables):
            self.update_step(wrap(g), var, lr)

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `update_step(gradient, variable, "
            "learning_rate)` (or override `_update`)."
        )

    def _accumulate_and_update(self, grads, variables, indices, lr):
        steps = self.gradient_accumulation_steps
        pick = range(len(variables)) if indices is None else indices
        accs = [self._accumulated[i]._value for i in pick]
        if (int(self._iterations._value) + 1) % steps:
            for acc, g in zip(accs, grads):
                acc += g
            return
        grads = [(g + acc) / steps for g, acc in zip(grads, accs)]
        self._update(self._clip(grads), variables, indices, lr, self._weight_decays(variables))
        for acc in accs:
            acc.fill(0)

    def _update_moving_averages(self):
        momentum = self.ema_momentum if int(unwrap(self.iterations)) != 0 else 0.0
        for var, avg in zip(self._trainable_variables, self._averages):
            avg._value[...] = momentum * avg._value + (1.0 - momentum) * var._value
        freq = self.ema_overwrite_frequency
        if freq and (int(unwrap(self.iterations)) + 1) % freq == 0:
            self.finalize_variable_values(self._trainable_variables)

    def finalize_variable_values(self, var_list):
        """With `use_ema`, copy the moving averages into the model's variables."""
        if not self.use_ema:
            return
        if len(var_list) != len(self._averages):
            raise ValueError(
                f"Optimizer {self.name!r} holds {len(self._averages)} moving averages but "
                f"{len(var_list)} variables were given to overwrite.")
        for var, avg in zip(var_list, self._averages):
            var.assign(avg._value)

    def minimize(self, loss, var_list, tape=None):
        """Compute the gradients of `loss` (a callable, or a tensor recorded on `tape`)
        with respect to `var_list` and apply them (tf.keras spelling)."""
        from nnfast.autograd.tape import GradientTape

        if callable(loss):
            with GradientTape() as tape:
                loss = loss()
        elif tape is None:
            raise ValueError("`tape` is required when a tensor `loss` is passed to minimize.")
        var_list = list(var_list() if callable(var_list) else var_list)
        grads = tape.gradient(loss, var_list)
        self.apply(grads, var_list)

    # Keras 3's helpers for custom `update_step`s.
    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        variable.assign_sub(value)
