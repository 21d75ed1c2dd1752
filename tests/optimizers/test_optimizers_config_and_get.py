"""get / serialize / deserialize and get_config round trips (Keras 3 and Keras 2 configs)."""
import json

import numpy as np
import pytest

import nnfast
from nnfast import optimizers

ALL = {"sgd": optimizers.SGD, "adam": optimizers.Adam, "adamw": optimizers.AdamW,
       "adamax": optimizers.Adamax, "nadam": optimizers.Nadam,
       "rmsprop": optimizers.RMSprop, "adagrad": optimizers.Adagrad,
       "adadelta": optimizers.Adadelta}

NON_DEFAULT = {
    "sgd": dict(learning_rate=0.3, momentum=0.5, nesterov=True, clipnorm=2.0),
    "adam": dict(learning_rate=0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-5, amsgrad=True),
    "adamw": dict(weight_decay=0.01, beta_1=0.7, global_clipnorm=1.0),
    "adamax": dict(beta_2=0.9, clipvalue=0.5),
    "nadam": dict(epsilon=1e-4, weight_decay=0.1),
    "rmsprop": dict(rho=0.8, momentum=0.1, centered=True, epsilon=1e-6),
    "adagrad": dict(initial_accumulator_value=0.5, epsilon=1e-5),
    "adadelta": dict(rho=0.9, learning_rate=1.0),
}


@pytest.mark.parametrize("name", sorted(ALL))
def test_get_by_name_gives_a_new_default_instance(name):
    a, b = optimizers.get(name), optimizers.get(name.upper())
    assert type(a) is ALL[name] and type(b) is ALL[name]
    assert a is not b
    assert optimizers.get(a) is a
    defaults = ALL[name]().get_config()
    assert a.get_config() == defaults


@pytest.mark.parametrize("name", sorted(ALL))
def test_config_round_trip_through_json(name):
    opt = ALL[name](**NON_DEFAULT[name])
    config = json.loads(json.dumps(optimizers.serialize(opt)))
    assert config["class_name"] == ALL[name].__name__
    clone = optimizers.deserialize(config)
    assert type(clone) is ALL[name]
    assert clone.get_config() == opt.get_config()
    for key, value in NON_DEFAULT[name].items():
        assert clone.get_config()[key] == pytest.approx(value)


def test_keras3_defaults_in_config():
    config = optimizers.Adam().get_config()
    assert config["learning_rate"] == pytest.approx(0.001)
    assert (config["beta_1"], config["beta_2"], config["epsilon"], config["amsgrad"]) == \
        (0.9, 0.999, 1e-7, False)
    assert config["name"] == "adam"
    assert optimizers.SGD().get_config()["learning_rate"] == pytest.approx(0.01)
    assert optimizers.AdamW().get_config()["weight_decay"] == 0.004
    assert optimizers.RMSprop().get_config()["rho"] == 0.9
    assert optimizers.Adadelta().get_config()["rho"] == 0.95
    assert "decay" not in config


def test_schedule_survives_serialization():
    sched = optimizers.schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    config = json.loads(json.dumps(optimizers.serialize(optimizers.SGD(sched))))
    assert config["config"]["learning_rate"]["class_name"] == "PiecewiseConstantDecay"
    clone = optimizers.deserialize(config)
    assert isinstance(clone._learning_rate, optimizers.schedules.PiecewiseConstantDecay)
    assert clone._learning_rate.get_config() == sched.get_config()


def test_keras2_legacy_config_loads():
    # What Keras 2 (optimizer_v2) wrote into training_config.
    config = {"class_name": "Adam", "config": {
        "name": "Adam", "learning_rate": 0.0005, "decay": 0.0, "beta_1": 0.9,
        "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}
    opt = optimizers.deserialize(config)
    assert isinstance(opt, optimizers.Adam)
    assert float(opt.learning_rate) == pytest.approx(0.0005)
    tf_keras_211 = {"class_name": "SGD", "config": {
        "name": "SGD", "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
        "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": None, "jit_compile": True, "is_legacy_optimizer": False,
        "learning_rate": 0.01, "momentum": 0.9, "nesterov": False}}
    assert optimizers.deserialize(tf_keras_211).momentum == 0.9


def test_legacy_namespace_has_the_same_classes():
    assert optimizers.legacy.Adam is optimizers.Adam
    assert float(optimizers.legacy.SGD(lr=0.2, decay=1e-3).lr) == pytest.approx(0.2)


def test_unknown_identifiers_are_errors():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'foo'"):
        optimizers.get("foo")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.deserialize({"class_name": "Nope", "config": {}})
    assert optimizers.get(None) is None


def test_custom_optimizer_with_update_step(float64):
    @nnfast.saving.serialization.register_keras_serializable("Test")
    class HalfStep(optimizers.Optimizer):
        def __init__(self, learning_rate=0.5, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, learning_rate * np.asarray(gradient))

    w = nnfast.Variable(np.array([1.0, 1.0]))
    opt = optimizers.get("HalfStep")
    opt.apply([np.array([1.0, -1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [0.5, 1.5])
    assert isinstance(optimizers.deserialize(optimizers.serialize(opt)), HalfStep)
