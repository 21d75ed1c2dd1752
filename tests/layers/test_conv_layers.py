"""Convolution layers against NumPy formulas written here; shapes, configs (Keras's keys,
Keras-written configs load), errors, and a small Conv2D model that learns with fit."""
import numpy as np
import pytest

import nnfast
from nnfast import layers
from nnfast.autograd import GradientTape


def same_pads(n, k, s, d):
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def conv2d_formula(x, w, strides=(1, 1), padding="valid", dilation=(1, 1), depthwise=False):
    """Cross-correlation of NHWC `x` with (kh, kw, C, K) `w`, one output pixel at a time."""
    kh, kw = w.shape[:2]
    (sh, sw), (dh, dw) = strides, dilation
    pads = ((same_pads(x.shape[1], kh, sh, dh), same_pads(x.shape[2], kw, sw, dw))
            if padding == "same" else ((0, 0), (0, 0)))
    xp = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)))
    ho = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    wo = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((x.shape[0], ho, wo, w.shape[2] * w.shape[3] if depthwise else w.shape[3]))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * sh:i * sh + (kh - 1) * dh + 1:dh,
                       j * sw:j * sw + (kw - 1) * dw + 1:dw]
            if depthwise:
                y[:, i, j] = np.einsum("nabc,abcm->ncm", patch, w).reshape(x.shape[0], -1)
            else:
                y[:, i, j] = np.einsum("nabc,abck->nk", patch, w)
    return y


def _random_weights(layer, rng):
    layer.set_weights([rng.normal(size=w.shape).astype(w.dtype) * 0.5 for w in layer.weights])
    return layer.get_weights()


@pytest.mark.parametrize("kwargs", [
    {"padding": "valid"},
    {"padding": "same", "strides": 2},
    {"padding": "same", "dilation_rate": 2, "activation": "relu"},
    {"padding": "valid", "strides": (1, 2), "activation": "tanh", "use_bias": False},
])
def test_conv2d_matches_formula(kernel_backend, rng, kwargs):
    x = rng.normal(size=(2, 9, 8, 3)).astype("float32")
    layer = layers.Conv2D(4, (3, 2), **kwargs)
    layer.build(x.shape)
    weights = _random_weights(layer, rng)
    strides = layer.strides
    z = conv2d_formula(x, weights[0], strides, layer.padding, layer.dilation_rate)
    if layer.use_bias:
        z = z + weights[1]
    act = {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh}.get(kwargs.get("activation"),
                                                                   lambda v: v)
    np.testing.assert_allclose(layer(x), act(z), rtol=1e-5, atol=1e-5)
    cf = layers.Conv2D(4, (3, 2), data_format="channels_first", **kwargs)
    cf.build(x.transpose(0, 3, 1, 2).shape)
    cf.set_weights(weights)
    np.testing.assert_allclose(cf(x.transpose(0, 3, 1, 2)), act(z).transpose(0, 3, 1, 2),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_conv1d_matches_formula(kernel_backend, rng, padding):
    x = rng.normal(size=(2, 11, 3)).astype("float32")
    layer = layers.Conv1D(5, 3, padding=padding, dilation_rate=2)
    y = layer(x)
    w, b = layer.get_weights()
    if padding == "causal":
        want = conv2d_formula(np.pad(x, ((0, 0), (4, 0), (0, 0)))[:, None], w[None],
                              dilation=(1, 2))[:, 0]
    else:
        want = conv2d_formula(x[:, None], w[None], padding=padding, dilation=(1, 2))[:, 0]
    np.testing.assert_allclose(y, want + b, rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None, 11, 3)) == (None, want.shape[1], 5)


def test_conv2d_transpose_matches_formula(kernel_backend, rng):
    x = rng.normal(size=(2, 4, 3, 3)).astype("float32")
    layer = layers.Conv2DTranspose(2, 3, strides=2, activation="relu")
    y = layer(x)
    w, b = layer.get_weights()
    assert w.shape == (3, 3, 2, 3) and y.shape == (2, 9, 7, 2)
    want = np.zeros((2, 9, 7, 2))
    for ih in range(4):                    # each input pixel scatters x @ w[i, j].T
        for iw in range(3):
            for i in range(3):
                for j in range(3):
                    want[:, 2 * ih + i, 2 * iw + j] += x[:, ih, iw] @ w[i, j].T
    np.testing.assert_allclose(y, np.maximum(want + b, 0), rtol=1e-5, atol=1e-5)
    same = layers.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1)
    assert same(x).shape == same.compute_output_shape((2, 4, 3, 3)) == (2, 8, 6, 2)
    assert layers.Conv1DTranspose(3, 2, strides=3)(x[:, 0]).shape == (2, 9, 3)


def test_depthwise_and_separable_match_formula(kernel_backend, rng):
    x = rng.normal(size=(2, 7, 6, 3)).astype("float32")
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu")
    dw.build(x.shape)
    kernel, bias = _random_weights(dw, rng)
    want = np.maximum(conv2d_formula(x, kernel, padding="same", depthwise=True) + bias, 0)
    np.testing.assert_allclose(dw(x), want, rtol=1e-5, atol=1e-5)
    sep = layers.SeparableConv2D(4, 3, strides=2, depth_multiplier=2)
    sep.build(x.shape)
    dk, pk, b = _random_weights(sep, rng)
    assert pk.shape == (1, 1, 6, 4)
    want = conv2d_formula(x, dk, (2, 2), depthwise=True) @ pk[0, 0] + b
    np.testing.assert_allclose(sep(x), want, rtol=1e-5, atol=1e-5)
    assert sep.compute_output_shape((None, 7, 6, 3)) == (None, 3, 2, 4)
    sep1 = layers.SeparableConv1D(4, 3)
    assert sep1(x[:, 0]).shape == (2, 4, 4)
    assert layers.DepthwiseConv1D(2)(x[:, 0]).shape == (2, 5, 3)


def test_fused_layer_is_one_tape_entry_and_softmax_stays_on_the_last_axis(rng):
    x = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    layer = layers.Conv2D(4, 3, activation="relu")
    layer(x)
    with GradientTape() as tape:
        layer(x)
        assert len(tape._nodes) == 1
    cf = layers.Conv2D(4, 3, activation="softmax", data_format="channels_first")
    y = cf(x)                                    # (2, 4, 3, 1): Keras's softmax is axis -1
    np.testing.assert_allclose(y, np.ones_like(y), rtol=1e-6)


def test_conv_model_learns_with_fit(rng):
    # Is the bright 2x2 patch in the top or the bottom half of the image?
    n = 128
    x = rng.normal(0, 0.1, size=(n, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 2, size=n)
    for k in range(n):
        r, c = rng.integers(0, 2) + 4 * y[k], rng.integers(0, 6)
        x[k, r:r + 2, c:c + 2, 0] += 1.0
    model = nnfast.Sequential([
        layers.Input((8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu", padding="same"),
        layers.Conv2D(4, 3, strides=2, activation="relu"),
        layers.Flatten(),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile(nnfast.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert history.history["accuracy"][-1] > 0.9
    assert model.layers[0].output_shape == (None, 8, 8, 4)


KERAS_CONV2D = {"class_name": "Conv2D", "config": {
    "name": "c2", "trainable": True, "dtype": "float32", "filters": 4, "kernel_size": [3, 3],
    "strides": [2, 2], "padding": "same", "data_format": "channels_last",
    "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True,
    "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                           "config": {"seed": None}, "registered_name": None},
    "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                         "registered_name": None},
    "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
    "kernel_constraint": None, "bias_constraint": None}}
# tf.keras 2 wrote DepthwiseConv2D / Conv2DTranspose as Conv2D subclasses: `groups` stays.
KERAS2_DEPTHWISE = {"class_name": "DepthwiseConv2D", "config": {
    "name": "dw", "trainable": True, "dtype": "float32", "kernel_size": [3, 3],
    "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
    "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": True,
    "bias_initializer": {"class_name": "Zeros", "config": {}}, "bias_regularizer": None,
    "activity_regularizer": None, "bias_constraint": None, "depth_multiplier": 2,
    "depthwise_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
    "depthwise_regularizer": None, "depthwise_constraint": None}}
KEYS = {
    "Conv2D": ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
               "groups", "activation", "use_bias", "kernel_initializer", "bias_initializer",
               "kernel_regularizer", "bias_regularizer", "activity_regularizer",
               "kernel_constraint", "bias_constraint"],
    "Conv2DTranspose": ["filters", "kernel_size", "strides", "padding", "output_padding",
                        "data_format", "dilation_rate", "activation", "use_bias",
                        "kernel_initializer", "bias_initializer", "kernel_regularizer",
                        "bias_regularizer", "activity_regularizer", "kernel_constraint",
                        "bias_constraint"],
    "DepthwiseConv2D": ["depth_multiplier", "kernel_size", "strides", "padding", "data_format",
                        "dilation_rate", "activation", "use_bias", "depthwise_initializer",
                        "bias_initializer", "depthwise_regularizer", "bias_regularizer",
                        "activity_regularizer", "depthwise_constraint", "bias_constraint"],
    "SeparableConv2D": ["depth_multiplier", "filters", "kernel_size", "strides", "padding",
                        "data_format", "dilation_rate", "activation", "use_bias",
                        "depthwise_initializer", "pointwise_initializer", "bias_initializer",
                        "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                        "activity_regularizer", "depthwise_constraint",
                        "pointwise_constraint", "bias_constraint"],
}


@pytest.mark.parametrize("layer", [
    layers.Conv2D(3, 2, kernel_regularizer="l2"),
    layers.Conv2DTranspose(3, 2, output_padding=(1, 0), strides=2),
    layers.DepthwiseConv2D(3, depth_multiplier=2),
    layers.SeparableConv2D(3, 2, activation="tanh"),
], ids=lambda layer: type(layer).__name__)
def test_config_has_keras_keys_and_round_trips(layer):
    config = layer.get_config()
    assert set(KEYS[type(layer).__name__]) <= set(config)
    assert set(config) - set(KEYS[type(layer).__name__]) <= {"name", "trainable", "dtype"}
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == config


def test_keras_written_configs_load():
    conv = layers.deserialize(KERAS_CONV2D)
    assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == \
        (4, (3, 3), (2, 2), "same")
    assert conv.activation is nnfast.activations.relu
    assert conv(np.ones((1, 5, 5, 2), "float32")).shape == (1, 3, 3, 4)
    dw = layers.deserialize(KERAS2_DEPTHWISE)
    assert dw.depth_multiplier == 2 and dw(np.ones((1, 5, 5, 2), "float32")).shape == (1, 3, 3, 4)
    alias = layers.deserialize({"class_name": "Convolution2D", "config": {"filters": 2,
                                                                         "kernel_size": 1}})
    assert type(alias) is layers.Conv2D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.Convolution1D is layers.Conv1D


def test_argument_and_input_errors():
    with pytest.raises(ValueError, match="Invalid value for argument `filters`"):
        layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="`kernel_size` argument must be a tuple of 2"):
        layers.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="`strides > 1` not supported in conjunction"):
        layers.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"grouped convolution.*groups=2"):
        layers.Conv2D(4, 3, groups=2)
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="data_format"):
        layers.Conv1D(2, 3, data_format="NWC")
    with pytest.raises(ValueError, match="Computed output size would be zero or negative"):
        layers.Conv2D(2, 5)(np.ones((1, 4, 4, 1), "float32"))
    layer = layers.Conv2D(2, 3)
    layer(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match="min_ndim=4"):
        layers.Conv2D(2, 3)(np.ones((5, 5, 3), "float32"))
    with pytest.raises(TypeError, match="Unrecognized keyword arguments passed to Conv2D"):
        layers.Conv2D(2, 3, depth_multiplier=2)
