"""Learning-rate schedules (`keras.optimizers.schedules`): callables of the step count.

A schedule passed as an optimizer's `learning_rate` is evaluated at `optimizer.iterations`
before every update. `__call__(step)` returns a Python float for a scalar step (an
ndarray for an array of steps).
"""
import math

import numpy as np

from nnfast.saving.serialization import deserialize_keras_object, serialize_keras_object


def _out(x):
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _step(step):
    from nnfast.autograd.function import unwrap

    return np.asarray(unwrap(step), dtype=np.float64)


def _check_positive(cls, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value <= 0:
        raise ValueError(f"{cls}: argument `{name}` must be > 0. Received: {name}={value!r}")


class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored exponent
    when `staircase`).

    Args:
        initial_learning_rate: float, the rate at step 0.
        decay_steps: positive int, the exponent's time scale.
        decay_rate: float, the factor per `decay_steps`.
        staircase: bool, decay at discrete intervals.
        name: str.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _check_positive("ExponentialDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return _out(self.initial_learning_rate * np.power(float(self.decay_rate), p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, `values[-1]` after the last boundary.

    Args:
        boundaries: strictly increasing list of step counts.
        values: list of rates, one longer than `boundaries`.
        name: str.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: the length of boundaries should be 1 less than the "
                f"length of values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        if any(nxt <= prev for prev, nxt in zip(boundaries[:-1], boundaries[1:])):
            raise ValueError(
                "PiecewiseConstantDecay: boundaries must be strictly increasing. "
                f"Received: boundaries={boundaries}"
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        # side="left": a step equal to a boundary still belongs to the interval before it.
        idx = np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), _step(step),
                              side="left")
        return _out(np.asarray(self.values, dtype=np.float64)[idx])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Decay from `initial_learning_rate` to `end_learning_rate` over `decay_steps` as
    `(1 - step / decay_steps) ** power`; with `cycle`, restart at multiples of
    `decay_steps`.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        _check_positive("PolynomialDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        s = _step(step)
        steps = np.float64(self.decay_steps)
        if self.cycle:
            steps = steps * np.where(s == 0, 1.0, np.ceil(s / steps))
        else:
            s = np.minimum(s, steps)
        frac = 1.0 - s / steps
        span = self.initial_learning_rate - self.end_learning_rate
        return _out(span * np.power(frac, self.power) + self.end_learning_rate)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (floored ratio when
    `staircase`).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _check_positive("InverseTimeDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return _out(self.initial_learning_rate / (1.0 + self.decay_rate * p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate (or `warmup_target` after a linear warmup of
    `warmup_steps`) to `alpha` times it over `decay_steps`.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_positive("CosineDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, s, start):
        cosine = 0.5 * (1.0 + np.cos(math.pi * s / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        s = _step(step)
        if self.warmup_target is None:
            return _out(self._decay(np.minimum(s, self.decay_steps), self.initial_learning_rate))
        s = np.minimum(s, self.decay_steps + self.warmup_steps)
        warm = self.warmup_steps
        with np.errstate(divide="ignore", invalid="ignore"):
            warmup = (self.warmup_target - self.initial_learning_rate) * (s / warm) \
                + self.initial_learning_rate
        decayed = self._decay(s - warm, self.warmup_target)
        return _out(np.where(s < warm, warmup, decayed))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period `first_decay_steps`, each next
    period `t_mul` times longer and `m_mul` times lower.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        _check_positive("CosineDecayRestarts", "first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        frac = _step(step) / self.first_decay_steps
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            i_restart = np.floor(frac)
            frac = frac - i_restart
        else:
            i_restart = np.floor(np.log(1.0 - frac * (1.0 - t_mul)) / math.log(t_mul))
            sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
            frac = (frac - sum_r) / t_mul**i_restart
        cosine = 0.5 * float(self._m_mul) ** i_restart * (1.0 + np.cos(math.pi * frac))
        return _out(self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


ALL_OBJECTS_DICT = {
    cls.__name__: cls
    for cls in (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay,
                PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts)
}


def serialize(learning_rate_schedule):
    """A schedule -> `{"class_name": ..., "config": {...}}`."""
    return serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    """The inverse of `serialize` (custom schedules through `custom_objects`)."""
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects,
                                    printable_module_name="decay")
