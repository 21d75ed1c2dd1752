"""Learning-rate schedules against their formulas, configs and errors."""
import math

import numpy as np
import pytest

from nnfast.optimizers import schedules


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    s = schedules.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=staircase)
    for step in (0, 1, 5, 9):
        p = step // 4 if staircase else step / 4
        assert s(step) == pytest.approx(0.1 * 0.5**p)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    s = schedules.InverseTimeDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=staircase)
    for step in (0, 1, 3, 10):
        p = step // 2 if staircase else step / 2
        assert s(step) == pytest.approx(1.0 / (1 + 0.5 * p))


def test_piecewise_constant_decay_boundaries_belong_to_the_earlier_interval():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(x) for x in (0, 10, 11, 20, 21, 1000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5])
    with pytest.raises(ValueError, match="strictly increasing"):
        schedules.PiecewiseConstantDecay([5, 5], [1.0, 0.5, 0.1])


def test_cosine_decay_and_warmup():
    s = schedules.CosineDecay(2.0, decay_steps=10, alpha=0.1)
    for step in (0, 3, 10, 50):
        frac = min(step, 10) / 10
        assert s(step) == pytest.approx(2.0 * (0.9 * 0.5 * (1 + math.cos(math.pi * frac)) + 0.1))
    w = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert w(2) == pytest.approx(0.5)
    assert w(4) == pytest.approx(1.0)
    assert w(9) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))


def test_polynomial_decay():
    s = schedules.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.1, power=2.0)
    assert s(5) == pytest.approx(0.9 * 0.25 + 0.1)
    assert s(50) == pytest.approx(0.1)
    c = schedules.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.0, cycle=True)
    assert c(15) == pytest.approx(1 - 15 / 20)


def test_cosine_decay_restarts():
    s = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    assert s(0) == pytest.approx(1.0)
    assert s(5) == pytest.approx(0.5)
    assert s(10) == pytest.approx(0.5)              # restart at half the rate
    assert s(20) == pytest.approx(0.5 * 0.5 * (1 + math.cos(math.pi * 0.5)))


def test_array_steps_and_config_round_trip():
    s = schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True, name="ed")
    np.testing.assert_allclose(s(np.array([0, 10, 20])), [0.1, 0.09, 0.081])
    clone = schedules.deserialize(schedules.serialize(s))
    assert isinstance(clone, schedules.ExponentialDecay)
    assert clone.get_config() == s.get_config()
    for sched in (schedules.CosineDecay(0.1, 5, warmup_target=0.2, warmup_steps=2),
                  schedules.CosineDecayRestarts(0.1, 5), schedules.PolynomialDecay(0.1, 5),
                  schedules.InverseTimeDecay(0.1, 5, 0.5)):
        assert schedules.deserialize(schedules.serialize(sched)).get_config() == \
            sched.get_config()


@pytest.mark.parametrize("make", [
    lambda: schedules.ExponentialDecay(0.1, 0, 0.5),
    lambda: schedules.InverseTimeDecay(0.1, -1, 0.5),
    lambda: schedules.CosineDecay(0.1, 0),
    lambda: schedules.PolynomialDecay(0.1, 0),
    lambda: schedules.CosineDecayRestarts(0.1, 0),
])
def test_non_positive_decay_steps_rejected(make):
    with pytest.raises(ValueError, match="must be > 0"):
        make()


def test_base_schedule_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)
