"""`Optimizer`: the base every optimizer shares (Keras 3's BaseOptimizer contract).

A step (`apply` / `apply_gradients`) unwraps the gradients, skips the missing ones,
clips, and hands every parameter to ONE fused kernel call (`_update`, overridden by the
built-in optimizers to call `nnfast.kernels.get("<name>_update")`). Subclasses written for
Keras 3 that implement `update_step(gradient, variable, learning_rate)` instead run
per variable through the default `_update`. Parameters are updated in place; constraints
run afterwards; `iterations` counts the calls.
"""
import warnings

import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap
from nnfast.autograd.variable import Variable
from nnfast.optimizers import _utils
from nnfast.optimizers._step import StepMixin
from nnfast.optimizers import schedules as _schedules
from nnfast.saving.serialization import serialize_keras_object


class Optimizer(StepMixin):
    """Base class of the optimizers.

    Args:
        learning_rate: float, a `LearningRateSchedule`, or a no-argument callable.
        weight_decay: float; decoupled weight decay (`w -= lr * weight_decay * w`).
        clipnorm: float; clip each gradient to this norm.
        clipvalue: float; clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: float; clip all gradients together to this global norm.
        use_ema: bool; keep an exponential moving average of the weights.
        ema_momentum: float in [0, 1], the EMA momentum.
        ema_overwrite_frequency: int or None; copy the EMA into the weights every N steps.
        loss_scale_factor: float or None; gradients are divided by it.
        gradient_accumulation_steps: int >= 2 or None; update every N steps with the mean
            gradient.
        name: str.
        **kwargs: Keras 2's `lr` (alias of `learning_rate`) and `decay` (the learning rate
            becomes `lr / (1 + decay * iterations)`).
    """

    _default_name = "optimizer"

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        learning_rate, self.decay = _utils.pop_legacy_kwargs(owner, kwargs, learning_rate)
        self.name = name or self._default_name
        self.weight_decay = _utils.check_number(owner, "weight_decay", weight_decay, low=0.0,
                                                allow_none=True)
        self.clipnorm = _utils.check_number(owner, "clipnorm", clipnorm, low=0.0,
                                            allow_none=True)
        self.clipvalue = _utils.check_number(owner, "clipvalue", clipvalue, low=0.0,
                                             allow_none=True)
        self.global_clipnorm = _utils.check_number(owner, "global_clipnorm", global_clipnorm,
                                                   low=0.0, allow_none=True)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.use_ema = bool(use_ema)
        self.ema_momentum = _utils.check_number(owner, "ema_momentum", ema_momentum, 0.0, 1.0)
        if ema_overwrite_frequency is not None and (
                isinstance(ema_overwrite_frequency, bool)
                or not isinstance(ema_overwrite_frequency, (int, np.integer))
                or ema_overwrite_frequency < 1):
            raise ValueError(f"{owner}: `ema_overwrite_frequency` must be an integer >= 1 or "
                             f"None. Received: ema_overwrite_frequency={ema_overwrite_frequency!r}")
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = _utils.check_number(owner, "loss_scale_factor",
                                                     loss_scale_factor, allow_none=True)
        if gradient_accumulation_steps is not None and (
                isinstance(gradient_accumulation_steps, bool)
                or not isinstance(gradient_accumulation_steps, (int, np.integer))
                or gradient_accumulation_steps < 2):
            raise ValueError(
                f"{owner}: `gradient_accumulation_steps` must be an integer >= 2. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps!r}")
        self.gradient_accumulation_steps = gradient_accumulation_steps

        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._index = {}                  # id(variable) -> position in _trainable_variables
        self._warned_missing = False
        self._array_cache = {}
        self._exclude_ids, self._exclude_pattern = set(), None
        self._iterations = self._track(Variable(0, dtype="int64", name="iteration",
                                                trainable=False))
        self._learning_rate = None
        self._set_initial_learning_rate(learning_rate)

    # -- learning rate and step count --------------------------------------------------
    def _set_initial_learning_rate(self, learning_rate):
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, Variable)):
            self._learning_rate = learning_rate
            return
        value = _lr_value(type(self).__name__, learning_rate)
        self._learning_rate = Variable(value, dtype=backend.floatx(), name="learning_rate",
                                       trainable=False)
        self._track(self._learning_rate, position=1)

    @property
    def learning_rate(self):
        """The learning rate: a Variable (settable), or the schedule's current value."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations._value)
        if callable(lr) and not isinstance(lr, Variable):
            return lr()
        return lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        current = self._learning_rate
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, Variable)):
            if isinstance(current, Variable):
                self._variables.remove(current)
                self._array_cache.clear()
            self._learning_rate = learning_rate
            return
        if isinstance(current, _schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        value = _lr_value(type(self).__name__, learning_rate)
        if isinstance(current, Variable):
            current.assign(value)
        else:
            self._set_initial_learning_rate(value)

    lr = learning_rate            # Keras 2 spelling

    @property
    def iterations(self):
        """The step counter (int64 Variable); with gradient accumulation, the number of
        real updates (an int)."""
        if self.gradient_accumulation_steps:
            return int(self._iterations._value) // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations.assign(int(unwrap(value)))

    def _current_learning_rate(self):
        """The float used by this step (schedule evaluated, Keras 2 `decay` applied)."""
        lr = float(unwrap(self.learning_rate))
        if self.decay:
            lr /= 1.0 + self.decay * float(self._iterations._value)
        return lr

    def _step(self):
        """The 1-based step number Adam-style corrections use."""
        return int(unwrap(self.iterations)) + 1

    # -- variables -----------------------------------------------------------------------
    def _track(self, variable, position=None):
        variable.path = f"{self.name}/{variable.name}"
        if position is None:
            self._variables.append(variable)
        else:
            self._variables.insert(position, variable)
        return variable

    @property
    def variables(self):
        """iterations, learning_rate (unless a schedule), then the slots, as Keras 3."""
        return self._variables[:]

    @property
    def weights(self):
        return self.variables

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="mean",
                     name=None):
        """Create and track a non-trainable optimizer Variable."""
        from nnfast import initializers

        init = initializers.get(initializer)
        var = Variable(init, shape=tuple(shape), dtype=dtype, trainable=False,
                       name=name or "variable", aggregation=aggregation)
        return self._track(var)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped and typed like `reference_variable`, named `<its path>_<name>`."""
        base = getattr(reference_variable, "path", None) or str(reference_variable.name)
        full = base.replace("/", "_").replace(":", "_") + "_" + (name or "var")
        return self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=full)

    def build(self, var_list):
        """Record the trainable variables and create the slots (subclasses add theirs
        after calling this)."""
        var_list = list(var_list)
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"{type(self).__name__}.build expects Variables. Received: "
                                f"{type(v).__name__}")
        self._trainable_variables = var_list
        self._index = {id(v): i for i, v in enumerate(var_list)}
        self._averages, self._accumulated = [], []
        for v in var_list:
            if self.use_ema:
                self._averages.append(self.add_variable_from_reference(v, "average"))
            if self.gradient_accumulation_steps:
                self._accumulated.append(
                    self.add_variable_from_reference(v, "gradient_accumulator"))
        self._array_cache = {}
        self.built = True

    def _get_variable_index(self, variable):
        return self._index[id(variable)]

    def get_weights(self):
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights):
        """Assign values to `variables` (same order and shapes)."""
        if not self.built:
            raise ValueError(
                f"You are calling `set_weights()` on optimizer {self.name!r} that has not yet "
                "been built. Call `optimizer.build(trainable_variables)` first."
            )
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(
                f"Optimizer {self.name!r}: set_weights expects {len(self._variables)} arrays "
                f"(one per variable). Received: {len(weights)} arrays."
            )
        for var, w in zip(self._variables, weights):
            if tuple(np.shape(w)) != tuple(var.shape):
                raise ValueError(
                    f"Optimizer variable {var.path!r} has shape {var.shape}, not compatible "
                    f"with the provided weight of shape {np.shape(w)}."
                )
        for var, w in zip(self._variables, weights):
            var.assign(w)

    def save_own_variables(self, store):
        for i, var in enumerate(self._variables):
            store[str(i)] = var.numpy()

    def load_own_variables(self, store):
        if len(store.keys()) != len(self._variables):
            warnings.warn(f"Skipping variable loading for optimizer {self.name!r}: it has "
                          f"{len(self._variables)} variables whereas the saved optimizer has "
                          f"{len(store.keys())}.", stacklevel=2)
            return
        for i, var in enumerate(self._variables):
            var.assign(store[str(i)])

    # -- config --------------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, Variable):
            lr = float(lr._value)
        elif isinstance(lr, _schedules.LearningRateSchedule):
            lr = _schedules.serialize(lr)
        else:
            lr = serialize_keras_object(lr)
        config = {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay:                 # Keras 2's argument: only written when used
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"],
                                                             custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _lr_value(owner, learning_rate):
    value = unwrap(learning_rate) if isinstance(learning_rate, (Variable, np.ndarray)) \
        else learning_rate
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(
            f"{owner}: argument `learning_rate` should be float, or an instance of "
            "LearningRateSchedule, or a callable (that takes in the current iteration value "
            "and returns the corresponding learning rate value). "
            f"Received instead: learning_rate={learning_rate!r}"
        )
    return float(value)
