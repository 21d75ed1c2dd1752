"""GradientTape: recording, watching, persistence, structure of results, operators."""
import numpy as np
import pytest

import nnfast
from nnfast import ops
from nnfast.autograd import GradientTape, Tensor, Variable


def test_gradient_of_matmul_and_operators_matches_formula():
    w = Variable(np.arange(6, dtype="float32").reshape(2, 3), name="w")
    x = ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    with GradientTape() as tape:
        y = x @ w
        y += 1                     # rebinds: must not corrupt the recorded product
        z = (y * y).sum()
    (g,) = tape.gradient(z, [w])
    xv, wv = x.numpy(), w.numpy()
    np.testing.assert_allclose(g, 2 * xv.T @ (xv @ wv + 1), rtol=1e-6)
    assert isinstance(g, Tensor)


def test_watch_tensor_and_numpy_functions_are_recorded():
    x = ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    with GradientTape() as tape:
        tape.watch(x)
        q = np.exp(x).mean()
    g = tape.gradient(q, x)
    np.testing.assert_allclose(g, np.exp(x.numpy()) / 4, rtol=1e-6)


def test_variable_reductions_indexing_and_transpose():
    w = Variable(np.arange(6, dtype="float64").reshape(2, 3))
    with GradientTape() as tape:
        r = np.max(w, axis=1).sum() + np.mean(w) + (w[0, 1:] * 3).sum() + w.T.sum()
    g = tape.gradient(r, w)
    expected = np.full((2, 3), 1 / 6 + 1)
    expected[:, 2] += 1
    expected[0, 1:] += 3
    np.testing.assert_allclose(g, expected)


def test_non_persistent_tape_refuses_second_gradient():
    w = Variable(np.ones(3))
    with GradientTape() as tape:
        y = (w * w).sum()
    tape.gradient(y, w)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(y, w)


def test_persistent_tape_and_output_gradients():
    w = Variable(np.array([1.0, 2.0, 3.0]))
    with GradientTape(persistent=True) as tape:
        y = w * w
    np.testing.assert_allclose(tape.gradient(y, w), 2 * w.numpy())
    dy = np.array([1.0, 0.0, 2.0])
    np.testing.assert_allclose(tape.gradient(y, w, output_gradients=dy), 2 * w.numpy() * dy)


def test_unconnected_sources_and_structures():
    a, b = Variable(np.ones(2)), Variable(np.ones(2))
    with GradientTape(persistent=True) as tape:
        y = (a * 3).sum()
    grads = tape.gradient(y, {"a": a, "b": b})
    np.testing.assert_allclose(grads["a"], [3, 3])
    assert grads["b"] is None
    zeros = tape.gradient(y, [a, b], unconnected_gradients="zero")
    np.testing.assert_allclose(zeros[1], [0, 0])


def test_untrainable_variables_are_not_watched_automatically():
    v = Variable(np.ones(2), trainable=False)
    with GradientTape() as tape:
        y = (v * 2).sum()
    assert tape.gradient(y, v) is None
    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = (v * 2).sum()
    np.testing.assert_allclose(tape.gradient(y, v), [2, 2])


def test_stop_recording_and_stop_gradient():
    w = Variable(np.array([2.0]))
    with GradientTape() as tape:
        with tape.stop_recording():
            hidden = w * 10
        y = w * w + hidden + ops.stop_gradient(w * 5)
    np.testing.assert_allclose(tape.gradient(y, w), [4.0])


def test_no_tape_means_nothing_recorded_and_plain_results():
    w = Variable(np.ones((2, 2)))
    y = w @ np.ones((2, 1))
    assert isinstance(y, Tensor)
    np.testing.assert_allclose(y, [[2], [2]])


def test_ufunc_without_gradient_rule_raises_inside_tape():
    w = Variable(np.array([0.5]))
    with GradientTape():
        with pytest.raises(TypeError, match="arctan"):
            np.arctan(w)
    np.arctan(w)   # fine outside a tape


def test_in_place_write_into_tracked_tensor_is_refused():
    w = Variable(np.ones(2))
    with GradientTape():
        y = w * 2
        with pytest.raises(TypeError, match="In-place"):
            np.add(y, 1, out=y)


def test_tapes_are_thread_local():
    import threading

    w = Variable(np.ones(2))
    seen = []
    with GradientTape() as tape:
        t = threading.Thread(target=lambda: seen.append(len(nnfast.autograd.active_tapes())))
        t.start()
        t.join()
        y = (w * 2).sum()
    assert seen == [0]
    np.testing.assert_allclose(tape.gradient(y, w), [2, 2])


def test_broadcast_gradients_are_reduced_to_input_shape():
    b = Variable(np.zeros(3))
    x = np.ones((4, 3))
    with GradientTape() as tape:
        y = (x + b).sum()
    np.testing.assert_allclose(tape.gradient(y, b), [4, 4, 4])


def test_convert_to_tensor_keeps_gradients_flowing():
    w = Variable(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        t = ops.convert_to_tensor(w)
        assert ops.convert_to_tensor(t) is t
        y = (t * t).sum()
    np.testing.assert_allclose(tape.gradient(y, w), [2.0, 4.0])
