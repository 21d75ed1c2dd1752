"""Recurrent layers: LSTM, GRU, SimpleRNN against a NumPy step formula written here, the
generic RNN(cell) loop against the fused ops, states, dropout, masks, configs."""
import numpy as np
import pytest

import nnfast
from nnfast import layers as L
from nnfast.autograd import GradientTape

N, T, I, U = 3, 5, 4, 6


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _formula(kind, x, weights, h0=None, c0=None, mask=None, go_backwards=False,
             reset_after=True, act=np.tanh):
    """Keras's cells, one step at a time; masked steps carry the state and repeat the
    previous output (zeros before the first)."""
    w, r = weights[0].astype(np.float64), weights[1].astype(np.float64)
    b = weights[2].astype(np.float64) if len(weights) > 2 else None
    n, t_len, _ = x.shape
    u = r.shape[0]
    h = np.zeros((n, u)) if h0 is None else h0.astype(np.float64)
    c = np.zeros((n, u)) if c0 is None else c0.astype(np.float64)
    y, outs = np.zeros((n, u)), []
    for t in (range(t_len - 1, -1, -1) if go_backwards else range(t_len)):
        xt = x[:, t].astype(np.float64)
        if kind == "lstm":
            zi, zf, zc, zo = np.split(xt @ w + h @ r + (0 if b is None else b), 4, axis=1)
            c_new = _sig(zf) * c + _sig(zi) * act(zc)
            h_new = _sig(zo) * act(c_new)
        elif kind == "gru":
            bi, br = (b[0], b[1]) if reset_after else (b, np.zeros(3 * u))
            xz, xr, xh = np.split(xt @ w + bi, 3, axis=1)
            if reset_after:
                iz, ir, ih = np.split(h @ r + br, 3, axis=1)
                z, rr = _sig(xz + iz), _sig(xr + ir)
                hh = act(xh + rr * ih)
            else:
                z, rr = _sig(xz + h @ r[:, :u]), _sig(xr + h @ r[:, u:2 * u])
                hh = act(xh + (rr * h) @ r[:, 2 * u:])
            h_new, c_new = z * h + (1 - z) * hh, c
        else:
            h_new, c_new = act(xt @ w + (0 if b is None else b) + h @ r), c
        m = np.ones((n, 1), bool) if mask is None else mask[:, t, None]
        y = np.where(m, h_new, y)
        h, c = np.where(m, h_new, h), np.where(m, c_new, c)
        outs.append(y)
    return np.stack(outs, axis=1), h, c


def _data(seed=0, n=N):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, T, I)).astype("float32")
    mask = rng.random((n, T)) > 0.3
    mask[0, :2] = False
    return rng, x, mask


LAYERS = [("lstm", lambda **kw: L.LSTM(U, **kw)), ("gru", lambda **kw: L.GRU(U, **kw)),
          ("gru_before", lambda **kw: L.GRU(U, reset_after=False, **kw)),
          ("simple", lambda **kw: L.SimpleRNN(U, **kw))]


@pytest.mark.parametrize("kind,make", LAYERS, ids=[k for k, _ in LAYERS])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_outputs_equal_the_step_formula(kind, make, go_backwards, masked, kernel_backend):
    rng, x, mask = _data()
    layer = make(return_sequences=True, return_state=True, go_backwards=go_backwards)
    layer(x[:1])
    weights = [rng.normal(0, 0.4, w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    n_states = 2 if kind == "lstm" else 1
    init = [rng.normal(size=(N, U)).astype("float32") for _ in range(n_states)]
    got = layer(x, initial_state=init, mask=mask if masked else None)
    want = _formula(kind.split("_")[0], x, weights, *init, mask=mask if masked else None,
                    go_backwards=go_backwards, reset_after=kind != "gru_before")
    for g, w in zip(got, want[:1 + n_states]):
        np.testing.assert_allclose(np.asarray(g), w, rtol=2e-5, atol=2e-5)
    last = make(go_backwards=go_backwards)
    last(x[:1])
    last.set_weights(weights)
    np.testing.assert_allclose(np.asarray(last(x, initial_state=init,
                                               mask=mask if masked else None)),
                               want[0][:, -1], rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("cell", [L.LSTMCell, L.GRUCell, L.SimpleRNNCell])
def test_generic_step_loop_equals_the_fused_op(cell):
    # A custom activation function cannot run in the fused kernels: the layer falls back to
    # one cell call per step. Same numbers, same gradients.
    rng, x, mask = _data(1)
    fused = L.RNN(cell(U), return_sequences=True, go_backwards=True)
    looped = L.RNN(cell(U, activation=lambda z: nnfast.activations.tanh(z)),
                   return_sequences=True, go_backwards=True)
    fused(x), looped(x)
    looped.set_weights(fused.get_weights())
    grads = []
    for layer in (fused, looped):
        with GradientTape() as tape:
            out = layer(x, mask=mask)
            loss = (out * out).sum()
        grads.append((np.asarray(out), [np.asarray(g) for g in
                                        tape.gradient(loss, layer.trainable_weights)]))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-5, atol=1e-6)
    for a, b in zip(grads[0][1], grads[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_stacked_cells_equal_two_layers():
    rng, x, _ = _data(2)
    stacked = L.RNN([L.LSTMCell(U), L.GRUCell(4)], return_sequences=True)
    first, second = L.LSTM(U, return_sequences=True), L.GRU(4, return_sequences=True)
    out = stacked(x)
    first(x), second(first(x))
    first.set_weights(stacked.get_weights()[:3])
    second.set_weights(stacked.get_weights()[3:])
    np.testing.assert_allclose(np.asarray(out), np.asarray(second(first(x))), rtol=1e-5,
                               atol=1e-6)


def test_stateful_layer_carries_state_between_calls_and_resets():
    _, x, _ = _data(3)
    layer = L.LSTM(U, stateful=True, return_state=True)
    whole = L.LSTM(U, return_state=True)
    layer(x[:, :2]), whole(x)
    whole.set_weights(layer.get_weights())
    layer.reset_states()
    layer(x[:, :2])
    out, h, c = layer(x[:, 2:])
    want = whole(x)
    for g, w in zip((out, h, c), want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.states[0].numpy(), np.asarray(h))
    layer.reset_states()
    assert not layer.states[0].numpy().any() and not layer.states[1].numpy().any()
    with pytest.raises(ValueError, match="batch size of the input sequences"):
        layer(x[:2])
    with pytest.raises(ValueError, match="batch size must be static"):
        L.GRU(2, stateful=True).build((None, 4, 3))


def test_dropout_only_while_training_and_gradients_flow():
    _, x, _ = _data(4)
    layer = L.GRU(U, dropout=0.5, recurrent_dropout=0.5, seed=3)
    eval1, eval2 = np.asarray(layer(x)), np.asarray(layer(x, training=False))
    np.testing.assert_array_equal(eval1, eval2)
    with GradientTape() as tape:
        out = layer(x, training=True)
        loss = (out * out).sum()
    assert not np.allclose(np.asarray(out), eval1)
    grads = tape.gradient(loss, layer.trainable_weights)
    assert all(g is not None and np.isfinite(np.asarray(g)).all() for g in grads)
    assert layer.cell._dropout_mask is None        # masks live for one sequence only


def test_lstm_text_classifier_trains_with_fit():
    rng = np.random.default_rng(0)
    n, t, v = 256, 12, 8
    tokens = rng.integers(0, v, size=(n, t))
    y = (tokens[:, -4:] >= v // 2).sum(1) >= 2          # depends on the sequence's end
    x = np.eye(v, dtype="float32")[tokens]
    model = nnfast.Sequential([L.Input((t, v)), L.Dense(16), L.LSTM(16),
                               L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=nnfast.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    hist = model.fit(x, y.astype("float32"), epochs=8, batch_size=32, verbose=0)
    assert hist.history["loss"][-1] < 0.6 * hist.history["loss"][0]
    assert hist.history["accuracy"][-1] > 0.8


def test_functional_model_with_initial_state_and_return_state():
    _, x, _ = _data(5)
    inputs = L.Input((T, I))
    seq, h, c = L.LSTM(U, return_sequences=True, return_state=True)(inputs)
    out = L.GRU(4)(seq, initial_state=[L.Dense(4)(h)])
    model = nnfast.Model(inputs, [out, c])
    res = model.predict(x, verbose=0)
    assert [np.shape(r) for r in res] == [(N, 4), (N, U)]


def test_bidirectional_merge_modes_and_states():
    rng, x, mask = _data(6)
    for mode, width in (("concat", 2 * U), ("sum", U), ("mul", U), ("ave", U)):
        layer = L.Bidirectional(L.LSTM(U, return_sequences=True), merge_mode=mode)
        assert np.shape(layer(x)) == (N, T, width)
    layer = L.Bidirectional(L.GRU(U, return_sequences=True, return_state=True), merge_mode=None)
    fwd_out, bwd_out, h_f, h_b = layer(x, mask=mask)
    fw, bw = layer.forward_layer, layer.backward_layer
    assert fw.name.startswith("forward_") and bw.go_backwards and not fw.go_backwards
    weights = fw.get_weights()
    want_f = _formula("gru", x, weights, mask=mask)
    want_b = _formula("gru", x, bw.get_weights(), mask=mask, go_backwards=True)
    np.testing.assert_allclose(np.asarray(h_f), want_f[1], rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(np.asarray(h_b), want_b[1], rtol=2e-5, atol=2e-5)
    # return_sequences: masked steps are zeros in both directions; the backward output is
    # flipped back to input order.
    np.testing.assert_allclose(np.asarray(fwd_out), want_f[0] * mask[..., None], atol=2e-5)
    np.testing.assert_allclose(np.asarray(bwd_out), (want_b[0] * mask[:, ::-1, None])[:, ::-1],
                               atol=2e-5)
    assert layer.compute_mask(x, mask)[0] is mask
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="different `go_backwards`"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2))
    custom = L.Bidirectional(L.LSTM(2), backward_layer=L.GRU(3, go_backwards=True))
    assert np.shape(custom(x)) == (N, 5)


def test_time_distributed_dense_and_mask_check():
    _, x, mask = _data(7)
    td = L.TimeDistributed(L.Dense(3))
    out = td(x, mask=mask)
    w, b = td.layer.get_weights()
    np.testing.assert_allclose(np.asarray(out), x @ w + b, rtol=1e-5, atol=1e-6)
    assert td.compute_output_shape((None, T, I)) == (None, T, 3)
    with pytest.raises(ValueError, match="incompatible with the input shape"):
        td(x, mask=mask[:, :2])
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        td.compute_output_shape((None, 4))


def test_compute_mask_and_output_shapes():
    layer = L.LSTM(U, return_sequences=True, return_state=True)
    mask = np.ones((N, T), bool)
    out_mask = layer.compute_mask(None, mask)
    assert out_mask[0] is mask and out_mask[1:] == [None, None]
    assert L.GRU(U).compute_mask(None, mask) is None
    assert layer.compute_output_shape((None, T, I)) == [(None, T, U), (None, U), (None, U)]
    assert L.SimpleRNN(U).compute_output_shape((None, None, I)) == (None, U)
    assert L.LSTM(U).supports_masking


def test_initializers_regularizers_and_errors():
    layer = L.LSTM(U, kernel_regularizer="l2", recurrent_initializer="orthogonal")
    layer(np.zeros((2, 3, I), "float32"))
    bias = layer.cell.bias.numpy()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])
    r = layer.cell.recurrent_kernel.numpy()
    np.testing.assert_allclose(r @ r.T, np.eye(U), atol=1e-5)     # orthogonal rows
    assert len(layer.losses) == 1
    assert layer.units == U and layer.recurrent_activation is nnfast.activations.sigmoid
    with pytest.raises(ValueError, match="expected a positive integer, got 0"):
        L.GRU(0)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.LSTM(2)(np.zeros((2, 3), "float32"))


def test_configs_round_trip_and_read_keras_2_and_3_forms():
    for layer in (L.LSTM(U, return_sequences=True, go_backwards=True, dropout=0.1),
                  L.GRU(U, reset_after=False, unroll=True), L.SimpleRNN(U, activation="relu"),
                  L.Bidirectional(L.LSTM(U), merge_mode="sum"),
                  L.TimeDistributed(L.Dense(2)), L.RNN(L.GRUCell(3), return_state=True),
                  L.RNN([L.LSTMCell(2), L.SimpleRNNCell(3)])):
        clone = L.deserialize(L.serialize(layer))
        assert type(clone) is type(layer) and clone.get_config() == layer.get_config()
    keras2 = {"name": "lstm_1", "trainable": True, "batch_input_shape": [None, 5, 4],
              "dtype": "float32", "return_sequences": False, "return_state": False,
              "go_backwards": False, "stateful": False, "unroll": False, "time_major": False,
              "units": 8, "activation": "tanh", "recurrent_activation": "hard_sigmoid",
              "use_bias": True, "unit_forget_bias": True, "implementation": 2,
              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "recurrent_initializer": {"class_name": "Orthogonal",
                                        "config": {"gain": 1.0, "seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}},
              "kernel_regularizer": None, "recurrent_regularizer": None,
              "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "recurrent_constraint": None,
              "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0}
    layer = L.deserialize({"class_name": "LSTM", "config": keras2})
    assert layer.units == 8 and layer.recurrent_activation is nnfast.activations.hard_sigmoid
    keras3 = {"name": "gru", "trainable": True, "units": 4, "reset_after": True, "seed": None,
              "dtype": {"module": "keras", "class_name": "DTypePolicy",
                        "config": {"name": "float32"}, "registered_name": None},
              "zero_output_for_mask": False}
    assert L.GRU.from_config(keras3).dtype == "float32"
