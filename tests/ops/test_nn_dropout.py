"""dropout / alpha_dropout: mask statistics, scaling, gradients, seeds, noise_shape."""
import numpy as np
import pytest

import nnfast
from nnfast import ops
from nnfast.autograd import GradientTape

ALPHA_P = -1.7580993408473766


def test_dropout_scales_kept_units_and_gradient_uses_the_mask():
    x = ops.convert_to_tensor(np.random.default_rng(0).uniform(1, 2, size=(200, 50)))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.dropout(x, 0.3)
    kept = np.asarray(y) != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(np.asarray(y)[kept], np.asarray(x)[kept] / 0.7, rtol=1e-6)
    dy = np.random.default_rng(1).normal(size=x.shape)
    g = np.asarray(tape.gradient(y, x, output_gradients=dy))
    np.testing.assert_allclose(g, dy * kept / 0.7, rtol=1e-6)
    assert y.dtype == x.dtype
    assert ops.dropout(np.ones(4, dtype="float32"), 0.5).dtype == np.float32


def test_dropout_seed_and_global_rng():
    x = np.ones((20, 20), dtype="float32")
    a, b = ops.dropout(x, 0.5, seed=3), ops.dropout(x, 0.5, seed=3)
    np.testing.assert_array_equal(a, b)
    nnfast.utils.rng.set_random_seed(7)
    c = ops.dropout(x, 0.5)
    d = ops.dropout(x, 0.5)
    assert not np.array_equal(c, d)
    nnfast.utils.rng.set_random_seed(7)
    np.testing.assert_array_equal(ops.dropout(x, 0.5), c)


def test_dropout_noise_shape_broadcasts_the_mask():
    x = np.ones((4, 3, 6), dtype="float32")
    y = np.asarray(ops.dropout(x, 0.5, noise_shape=(None, 1, 6), seed=1))
    assert np.all(y == y[:, :1, :])          # same mask along axis 1
    with pytest.raises(ValueError, match=r"dropout.*noise_shape.*\(4, 2, 6\)"):
        ops.dropout(x, 0.5, noise_shape=(4, 2, 6))


def test_dropout_rate_zero_and_bad_rates():
    x = np.ones(3)
    assert ops.dropout(x, 0.0) is x
    for rate in (1.0, -0.1, True):
        with pytest.raises(ValueError, match="dropout.*rate"):
            ops.dropout(x, rate)


def test_alpha_dropout_formula_and_gradient():
    rate = 0.2
    x = np.random.default_rng(2).normal(size=(300, 40))
    xt = ops.convert_to_tensor(x)
    with GradientTape() as tape:
        tape.watch(xt)
        y = ops.alpha_dropout(xt, rate, seed=5)
    keep = np.random.default_rng(5).random(x.shape, dtype=np.float32) >= rate
    a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5
    b = -a * ALPHA_P * rate
    expected = a * (x * keep + ALPHA_P * (1 - keep)) + b
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    np.testing.assert_allclose(tape.gradient(y, xt), a * keep)
    # Self-normalising: a standard normal input keeps mean 0 and variance 1.
    assert abs(np.mean(y)) < 0.03 and abs(np.std(y) - 1) < 0.03
    with pytest.raises(ValueError, match="alpha_dropout.*rate"):
        ops.alpha_dropout(x, 1.5)
