"""Random initializers: statistics, bounds, truncation, fans, orthogonality, seeding."""
import math

import numpy as np
import pytest

import nnfast
from nnfast import initializers

BIG = (400, 500)


def test_random_normal_statistics():
    x = initializers.RandomNormal(mean=1.0, stddev=0.5)(BIG)
    assert x.dtype == np.float32 and x.shape == BIG
    assert abs(x.mean() - 1.0) < 0.01
    assert abs(x.std() - 0.5) < 0.01


def test_random_uniform_bounds_and_statistics():
    x = initializers.RandomUniform(minval=-0.2, maxval=0.6)(BIG, dtype="float64")
    assert x.dtype == np.float64
    assert x.min() >= -0.2 and x.max() < 0.6
    assert abs(x.mean() - 0.2) < 0.005
    assert abs(x.var() - 0.8**2 / 12) < 0.002


def test_truncated_normal_resamples_beyond_two_stddev():
    x = initializers.TruncatedNormal(mean=0.5, stddev=0.1)(BIG)
    assert x.min() >= 0.5 - 0.2 - 1e-6 and x.max() <= 0.5 + 0.2 + 1e-6
    # A standard normal truncated to [-2, 2] has std 0.8796...
    assert abs(x.std() - 0.1 * 0.87962566103423978) < 0.002
    # Redrawn, not clipped: no pile-up at the bounds.
    assert np.mean(np.abs(x - 0.5) > 0.199) < 0.005


@pytest.mark.parametrize("mode,n", [("fan_in", 300), ("fan_out", 200), ("fan_avg", 250)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_hits_the_target_variance(mode, n, distribution):
    init = initializers.VarianceScaling(scale=2.0, mode=mode, distribution=distribution)
    x = init((300, 200), dtype="float64")
    target = 2.0 / n
    assert abs(x.var() / target - 1) < 0.05
    if distribution == "uniform":
        assert np.abs(x).max() <= math.sqrt(3 * target)
    if distribution == "truncated_normal":
        assert np.abs(x).max() <= 2 * math.sqrt(target) / 0.87962566103423978 + 1e-12


def test_compute_fans_for_dense_conv_and_small_shapes():
    assert initializers.compute_fans((3, 4)) == (3, 4)
    assert initializers.compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)   # Conv2D
    assert initializers.compute_fans((5, 8, 4)) == (40, 20)                  # Conv1D
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans(()) == (1, 1)


@pytest.mark.parametrize("cls,limit_fn", [
    (initializers.GlorotUniform, lambda fi, fo: math.sqrt(6 / (fi + fo))),
    (initializers.HeUniform, lambda fi, fo: math.sqrt(6 / fi)),
    (initializers.LecunUniform, lambda fi, fo: math.sqrt(3 / fi)),
])
def test_named_uniform_initializers_use_conv_fans(cls, limit_fn):
    shape = (3, 3, 32, 64)
    x = cls()(shape, dtype="float64")
    limit = limit_fn(9 * 32, 9 * 64)
    assert np.abs(x).max() <= limit
    assert abs(x.var() / (limit**2 / 3) - 1) < 0.05


@pytest.mark.parametrize("cls,var_fn", [
    (initializers.GlorotNormal, lambda fi, fo: 2 / (fi + fo)),
    (initializers.HeNormal, lambda fi, fo: 2 / fi),
    (initializers.LecunNormal, lambda fi, fo: 1 / fi),
])
def test_named_normal_initializers_are_truncated_with_the_target_variance(cls, var_fn):
    x = cls()((300, 400), dtype="float64")
    target = var_fn(300, 400)
    assert abs(x.var() / target - 1) < 0.05
    assert np.abs(x).max() <= 2 * math.sqrt(target) / 0.87962566103423978 + 1e-12


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 8)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    x = initializers.Orthogonal(gain=2.0)(shape, dtype="float64")
    assert x.shape == shape
    flat = x.reshape(-1, shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-10)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((5,))


ALL_RANDOM = [initializers.RandomNormal, initializers.RandomUniform,
              initializers.TruncatedNormal, initializers.VarianceScaling,
              initializers.GlorotUniform, initializers.GlorotNormal, initializers.HeNormal,
              initializers.HeUniform, initializers.LecunNormal, initializers.LecunUniform,
              initializers.Orthogonal]


@pytest.mark.parametrize("cls", ALL_RANDOM)
def test_set_random_seed_makes_unseeded_draws_reproducible(cls):
    nnfast.utils.set_random_seed(5)
    a1, a2 = cls()((8, 6)), cls()((8, 6))
    nnfast.utils.set_random_seed(5)
    b1, b2 = cls()((8, 6)), cls()((8, 6))
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)               # consecutive draws differ


@pytest.mark.parametrize("cls", ALL_RANDOM)
def test_integer_seed_repeats_per_call_and_differs_between_seeds(cls):
    init = cls(seed=3)
    np.testing.assert_array_equal(init((8, 6)), init((8, 6)))
    np.testing.assert_array_equal(init((8, 6)), cls(seed=3)((8, 6)))
    assert not np.array_equal(init((8, 6)), cls(seed=4)((8, 6)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="abc")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sideways")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="floating point dtype"):
        initializers.RandomNormal()((2, 2), dtype="int32")
    with pytest.raises(ValueError, match="shape"):
        initializers.GlorotUniform()((2, None))


def test_variance_scaling_normal_alias_means_truncated():
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
