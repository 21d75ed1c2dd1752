"""nnfast against its peers on the same weights (skipped when a peer is not installed;
`make test-interop` installs them)."""
import os

import numpy as np
import pytest

import nnfast

pytestmark = pytest.mark.interop


def _mlp_weights(rng):
    return [rng.normal(0, 0.1, (20, 16)).astype("float32"), rng.normal(0, 0.1, 16).astype("float32"),
            rng.normal(0, 0.1, (16, 5)).astype("float32"), rng.normal(0, 0.1, 5).astype("float32")]


def _nnfast_mlp(weights):
    model = nnfast.Sequential([nnfast.layers.Dense(16, activation="relu", input_shape=(20,)),
                               nnfast.layers.Dense(5, activation="softmax")])
    model.set_weights(weights)
    return model


def test_one_sgd_step_equals_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    weights = _mlp_weights(rng)
    x = rng.normal(size=(8, 20)).astype("float32")
    y = rng.integers(0, 5, size=8)
    model = _nnfast_mlp(weights)
    model.compile(nnfast.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    loss = model.train_on_batch(x, y)

    net = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.ReLU(), torch.nn.Linear(16, 5))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(weights[0].T.copy()))
        net[0].bias.copy_(torch.from_numpy(weights[1]))
        net[2].weight.copy_(torch.from_numpy(weights[2].T.copy()))
        net[2].bias.copy_(torch.from_numpy(weights[3]))
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    torch_loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y))
    opt.zero_grad()
    torch_loss.backward()
    opt.step()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-5)
    got = model.get_weights()
    want = [net[0].weight.detach().numpy().T, net[0].bias.detach().numpy(),
            net[2].weight.detach().numpy().T, net[2].bias.detach().numpy()]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_dense_and_batchnorm_outputs_equal_keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    weights = _mlp_weights(rng)
    x = rng.normal(size=(8, 20)).astype("float32")
    k_model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(16, activation="relu"),
                                keras.layers.Dense(5, activation="softmax")])
    k_model.set_weights(weights)
    np.testing.assert_allclose(_nnfast_mlp(weights).predict(x, verbose=0),
                               k_model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    k_bn = keras.layers.BatchNormalization()
    n_bn = nnfast.layers.BatchNormalization()
    np.testing.assert_allclose(np.asarray(n_bn(x, training=True)),
                               np.asarray(k_bn(x, training=True)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(n_bn.moving_mean.numpy(), np.asarray(k_bn.moving_mean), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(n_bn.moving_variance.numpy(), np.asarray(k_bn.moving_variance), rtol=1e-5)
