"""Constant initializers, dtypes, and get / serialize / deserialize."""
import json

import numpy as np
import pytest

import nnfast
from nnfast import initializers


def test_zeros_ones_constant_dtypes():
    assert np.array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3)))
    assert initializers.zeros()((2,)).dtype == np.float32
    assert initializers.Ones()((2,), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(initializers.Constant(3.5)((2, 2)), np.full((2, 2), 3.5))
    np.testing.assert_array_equal(initializers.Constant([1.0, 2.0])((3, 2)),
                                  np.tile([1.0, 2.0], (3, 1)))
    with pytest.raises(ValueError, match="cannot fill"):
        initializers.Constant([1.0, 2.0, 3.0])((2, 2))


def test_floatx_is_the_default_dtype():
    nnfast.backend.set_floatx("float64")
    try:
        assert initializers.GlorotUniform()((3, 3)).dtype == np.float64
        assert initializers.Zeros()((3,)).dtype == np.float64
    finally:
        nnfast.backend.set_floatx("float32")


def test_identity():
    np.testing.assert_array_equal(initializers.Identity(gain=2.0)((2, 3)),
                                  2.0 * np.eye(2, 3))
    assert initializers.IdentityInitializer is initializers.Identity
    with pytest.raises(ValueError, match="2D matrices"):
        initializers.Identity()((2, 2, 2))


@pytest.mark.parametrize("name,cls", [
    ("glorot_uniform", initializers.GlorotUniform), ("GlorotUniform", initializers.GlorotUniform),
    ("glorot_normal", initializers.GlorotNormal), ("he_normal", initializers.HeNormal),
    ("he_uniform", initializers.HeUniform), ("lecun_normal", initializers.LecunNormal),
    ("lecun_uniform", initializers.LecunUniform), ("zeros", initializers.Zeros),
    ("ones", initializers.Ones), ("zero", initializers.Zeros), ("one", initializers.Ones),
    ("orthogonal", initializers.Orthogonal), ("identity", initializers.Identity),
    ("random_normal", initializers.RandomNormal), ("normal", initializers.RandomNormal),
    ("uniform", initializers.RandomUniform), ("truncated_normal", initializers.TruncatedNormal),
    ("variance_scaling", initializers.VarianceScaling), ("constant", initializers.Constant),
])
def test_get_by_name_returns_a_new_instance(name, cls):
    a, b = initializers.get(name), initializers.get(name)
    assert type(a) is cls and a is not b


def test_lowercase_aliases_are_the_classes():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert isinstance(initializers.he_normal(seed=1), initializers.HeNormal)


def test_get_passes_instances_callables_and_builds_classes():
    init = initializers.RandomNormal(stddev=0.1)
    assert initializers.get(init) is init

    def fn(shape, dtype=None):
        return np.full(shape, 7.0)

    assert initializers.get(fn) is fn
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    assert initializers.get(None) is None
    arr = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(initializers.get(arr)((2, 3)), arr)
    with pytest.raises(ValueError, match="Expected `shape`"):
        initializers.get(arr)((3, 2))


def test_unknown_identifiers_are_errors():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 'foo'"):
        initializers.get("foo")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get(3)


@pytest.mark.parametrize("init", [
    initializers.RandomNormal(mean=0.1, stddev=0.3, seed=2),
    initializers.RandomUniform(-1.0, 2.0), initializers.TruncatedNormal(stddev=0.2),
    initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform", seed=1),
    initializers.GlorotUniform(seed=4), initializers.HeNormal(), initializers.Orthogonal(0.5),
    initializers.Constant(2.5), initializers.Constant([1.0, 2.0]), initializers.Identity(3.0),
    initializers.Zeros(), initializers.Ones(),
])
def test_config_round_trip_through_json(init):
    config = json.loads(json.dumps(initializers.serialize(init)))
    clone = initializers.deserialize(config)
    assert type(clone) is type(init)
    assert clone.get_config() == init.get_config()
    assert type(init.clone()) is type(init)


def test_keras_configs_load():
    # Keras 3 writes these for a default Dense layer; Keras 2 uses the same keys.
    assert isinstance(initializers.get({"class_name": "GlorotUniform", "config": {"seed": None}}),
                      initializers.GlorotUniform)
    vs = initializers.get({"class_name": "VarianceScaling", "config": {
        "scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}})
    assert (vs.mode, vs.distribution) == ("fan_avg", "uniform")
    assert initializers.GlorotUniform().get_config() == {"seed": None}
