"""Convolution layers and ops equal Keras 3's (TensorFlow backend) on the same weights:
Conv1D / Conv2D (every padding, strides, dilation), Conv2DTranspose, DepthwiseConv2D,
SeparableConv2D, and the gradients of a Conv2D. Skipped when Keras is not installed
(`make test-interop` installs it)."""
import os

import numpy as np
import pytest

import nnfast

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def _pair(keras, name, kwargs, x, rng):
    """The Keras layer and nnfast's, built on x's shape with the same random weights."""
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs.build(x.shape)
    weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = getattr(nnfast.layers, name)(**kwargs)
    ours.build(x.shape)
    ours.set_weights(weights)
    return theirs, ours


def _compare(keras, name, kwargs, x_shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape).astype("float32")
    theirs, ours = _pair(keras, name, kwargs, x, rng)
    want = keras.ops.convert_to_numpy(theirs(x))
    got = ours(x).numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    assert ours.compute_output_shape((None,) + x_shape[1:]) == \
        tuple(theirs.compute_output_shape((None,) + x_shape[1:]))


@pytest.mark.parametrize("kwargs", [
    {"filters": 4, "kernel_size": 3},
    {"filters": 4, "kernel_size": 4, "padding": "same"},
    {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
    {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same", "activation": "relu"},
    {"filters": 5, "kernel_size": 3, "strides": 3, "use_bias": False},
], ids=str)
def test_conv1d(keras, kwargs):
    _compare(keras, "Conv1D", kwargs, (2, 13, 3))


@pytest.mark.parametrize("kwargs", [
    {"filters": 4, "kernel_size": 3},
    {"filters": 4, "kernel_size": (4, 3), "padding": "same"},
    {"filters": 3, "kernel_size": 3, "strides": (2, 1), "padding": "same", "activation": "tanh"},
    {"filters": 3, "kernel_size": 5, "strides": 2},
    {"filters": 2, "kernel_size": 3, "dilation_rate": (2, 1), "padding": "same"},
    {"filters": 2, "kernel_size": (2, 3), "dilation_rate": 2, "activation": "sigmoid"},
], ids=str)
def test_conv2d(keras, kwargs):
    _compare(keras, "Conv2D", kwargs, (2, 9, 8, 3))


@pytest.mark.parametrize("kwargs", [
    {"filters": 4, "kernel_size": 3, "strides": 2},
    {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
    {"filters": 3, "kernel_size": (3, 2), "strides": (2, 3), "padding": "same"},
    {"filters": 3, "kernel_size": 3, "strides": 2, "output_padding": 1},
    {"filters": 3, "kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 1},
    {"filters": 2, "kernel_size": 2, "strides": 3},
], ids=str)   # (TensorFlow has no dilated transposed convolution on the CPU to compare with)
def test_conv2d_transpose(keras, kwargs):
    _compare(keras, "Conv2DTranspose", kwargs, (2, 5, 4, 3))


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 3},
    {"kernel_size": 3, "depth_multiplier": 2, "padding": "same", "strides": 2},
    {"kernel_size": (2, 3), "dilation_rate": 2, "activation": "relu"},
], ids=str)
def test_depthwise_conv2d(keras, kwargs):
    _compare(keras, "DepthwiseConv2D", kwargs, (2, 9, 8, 3))


@pytest.mark.parametrize("kwargs", [
    {"filters": 4, "kernel_size": 3},
    {"filters": 4, "kernel_size": 3, "depth_multiplier": 2, "padding": "same", "strides": 2},
    {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "activation": "relu"},
], ids=str)
def test_separable_conv2d(keras, kwargs):
    _compare(keras, "SeparableConv2D", kwargs, (2, 9, 8, 3))


def test_conv2d_gradients_equal_tensorflows(keras):
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 9, 8, 3)).astype("float32")
    kwargs = {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same",
              "activation": "tanh"}
    theirs, ours = _pair(keras, "Conv2D", kwargs, x, rng)
    up = rng.normal(size=theirs.compute_output_shape(x.shape)).astype("float32")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(theirs(xt) * up)
    want = tape.gradient(loss, [xt, theirs.kernel, theirs.bias])
    xo = nnfast.ops.convert_to_tensor(x)
    with nnfast.GradientTape() as tape:
        tape.watch(xo)
        loss = (ours(xo) * up).sum()
    got = tape.gradient(loss, [xo, ours.kernel, ours.bias])
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w.numpy(), rtol=1e-4, atol=1e-4)
