"""The recurrent ops `lstm`, `gru` and `simple_rnn`: gradients of every input against
central finite differences (float64, both kernel backends), one tape entry per sequence,
no input gradient unless asked, and shape errors naming the op."""
import numpy as np
import pytest

import nnfast
from gradcheck import check_vjp
from nnfast.autograd import GradientTape, Variable
from nnfast.ops import nn_rnn

N, T, I, U = 2, 3, 2, 3


def _args(kind, rng, bias=True, reset_after=True):
    g = {"lstm": 4, "gru": 3, "simple_rnn": 1}[kind]
    states = [rng.normal(size=(N, U)) * 0.5 for _ in range(2 if kind == "lstm" else 1)]
    b = rng.normal(size=(2, 3 * U) if kind == "gru" and reset_after else (g * U,)) * 0.5
    return ([rng.normal(size=(N, T, I))] + states
            + [rng.normal(size=(I, g * U)) * 0.6, rng.normal(size=(U, g * U)) * 0.6]
            + ([b] if bias else []))


CASES = [
    ("lstm", {}),
    ("lstm", dict(go_backwards=True, return_sequences=False, masked=True)),
    ("lstm", dict(masked=True, zero_output_for_mask=True, rmask=True)),
    ("lstm", dict(activation="relu", recurrent_activation="hard_sigmoid", masked=True)),
    ("gru", {}),
    ("gru", dict(reset_after=False, masked=True, go_backwards=True, rmask=True)),
    ("gru", dict(masked=True, return_sequences=False, bias=False)),
    ("gru", dict(activation="swish", recurrent_activation="sigmoid", reset_after=False)),
    ("simple_rnn", dict(masked=True, go_backwards=True)),
    ("simple_rnn", dict(activation="relu", rmask=True, zero_output_for_mask=True, masked=True)),
]


@pytest.mark.parametrize("kind,opts", CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_gradients_of_every_input_match_finite_differences(kind, opts, kernel_backend, float64):
    rng = np.random.default_rng(hash((kind, str(opts))) % 2**32)
    opts = dict(opts)
    bias = opts.pop("bias", True)
    reset = opts.get("reset_after", True)
    if opts.pop("masked", False):
        mask = rng.random((N, T)) > 0.3
        mask[0, 0] = mask[1, -1] = False
        opts["mask"] = mask
    if opts.pop("rmask", False):
        opts["recurrent_mask"] = (rng.random((N, U)) > 0.3) * 1.5
    args = _args(kind, rng, bias, reset)
    fn = getattr(nn_rnn, kind)
    if bias:
        check_vjp(lambda *a: fn(*a, **opts), args, rtol=1e-5, atol=1e-7)
    else:
        check_vjp(lambda *a: fn(*a, None, **opts), args, rtol=1e-5, atol=1e-7)


def test_one_tape_entry_and_no_input_gradient_unless_asked(kernel_backend, rng):
    x, h0, c0, w, r, b = (a.astype(np.float32) for a in _args("lstm", rng))
    wv, rv, bv = Variable(w), Variable(r), Variable(b)
    calls = []
    backward = nnfast.kernels.get("lstm_backward")

    def spy(*a, **kw):
        calls.append(kw["need_input"])
        return backward(*a, **kw)

    nnfast.kernels.register("lstm_backward", **{kernel_backend: spy})
    try:
        with GradientTape() as tape:
            out, h, c = nn_rnn.lstm(x, h0, c0, wv, rv, bv, return_sequences=False)
            assert len(tape._nodes) == 1          # the whole sequence is one entry
            loss = (out * out).sum() + h.sum()
        grads = tape.gradient(loss, [wv, rv, bv])
    finally:
        nnfast.kernels.register("lstm_backward", **{kernel_backend: backward})
    assert calls == [False]
    assert [g.shape for g in grads] == [w.shape, r.shape, b.shape]
    assert all(g.dtype == np.float32 for g in grads)
    assert out.shape == (N, U) and h.shape == (N, U) and c.shape == (N, U)


def test_float64_inputs_follow_the_weights_dtype(rng):
    x, h0, w, r, b = _args("gru", rng)
    out, h = nn_rnn.gru(x, h0.astype(np.float32), w.astype(np.float32),
                        r.astype(np.float32), b.astype(np.float32))
    assert out.dtype == np.float32 and h.dtype == np.float32


def test_shape_errors_name_the_op_and_shapes(rng):
    x, h0, c0, w, r, b = _args("lstm", rng)
    with pytest.raises(ValueError, match=r"lstm: expected `kernel` of shape \(2, 12\).*"
                                         r"Received: kernel.shape=\(3, 12\)"):
        nn_rnn.lstm(x, h0, c0, np.zeros((3, 12)), r, b)
    with pytest.raises(ValueError, match=r"lstm: expected `initial_c` of shape \(2, 3\)"):
        nn_rnn.lstm(x, h0, c0[:1], w, r, b)
    with pytest.raises(ValueError, match=r"gru: expected `recurrent_kernel` of shape "
                                         r"\(units, 3 \* units\)"):
        nn_rnn.gru(x, h0, w[:, :9], r, None)
    with pytest.raises(ValueError, match=r"gru: expected `bias` of shape \(9,\)"):
        nn_rnn.gru(x, h0, w[:, :9], r[:, :9], b[:9].reshape(1, 9), reset_after=False)
    with pytest.raises(ValueError, match=r"simple_rnn: expected `inputs` of shape"):
        nn_rnn.simple_rnn(x[0], h0, w[:, :3], r[:, :3])
    with pytest.raises(ValueError, match=r"lstm: expected `mask` of shape \(2, 3\)"):
        nn_rnn.lstm(x, h0, c0, w, r, b, mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="lstm: the activation must be an elementwise"):
        nn_rnn.lstm(x, h0, c0, w, r, b, activation=lambda z: z)
