"""Gradient checks shared by the test suites: the tape's VJP against central finite
differences, in float64.

    from gradcheck import check_vjp
    check_vjp(lambda x, w: ops.matmul(x, w), [x, w])

`check_vjp` draws a random cotangent `c` for every output, asks the tape for the gradient
of sum(out * c) with respect to each differentiable input, and compares it with
[f(x + h e_i) - f(x - h e_i)] / 2h for every element i. Use it under float64
(`nnfast.backend.set_floatx("float64")`), on inputs away from kinks.
"""
import numpy as np

from nnfast.autograd import GradientTape, Tensor, Variable


def _flat_outputs(out):
    if isinstance(out, (list, tuple)):
        items = []
        for o in out:
            items.extend(_flat_outputs(o))
        return items
    return [out]


def _objective(fn, args, cotangents):
    outs = _flat_outputs(fn(*args))
    return sum(float(np.sum(np.asarray(o, dtype=np.float64) * c)) for o, c in zip(outs, cotangents))


def numeric_vjp(fn, inputs, cotangents, wrt, eps=1e-6):
    """Central differences of sum(fn(*inputs) * cotangents) w.r.t. `inputs[i]`, i in wrt."""
    grads = []
    for i in wrt:
        x = np.array(inputs[i], dtype=np.float64)
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            orig = x[idx]
            args = list(inputs)
            x[idx] = orig + eps
            args[i] = x.copy()
            plus = _objective(fn, args, cotangents)
            x[idx] = orig - eps
            args[i] = x.copy()
            minus = _objective(fn, args, cotangents)
            x[idx] = orig
            g[idx] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def tape_vjp(fn, inputs, cotangents, wrt, as_variables=False):
    """The tape's gradient of sum(fn(*inputs) * cotangents) w.r.t. `inputs[i]`, i in wrt."""
    args = list(inputs)
    for i in wrt:
        a = np.array(inputs[i], dtype=np.float64)
        args[i] = Variable(a) if as_variables else a.view(Tensor)
    with GradientTape() as tape:
        for i in wrt:
            tape.watch(args[i])
        outs = _flat_outputs(fn(*args))
    grads = tape.gradient(outs, [args[i] for i in wrt], output_gradients=list(cotangents))
    return [None if g is None else np.asarray(g) for g in grads]


def check_vjp(fn, inputs, wrt=None, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0,
              as_variables=False):
    """Assert the tape's VJP of `fn` equals central finite differences.

    Args:
        fn: callable on the inputs (arrays or Tensors) returning a tensor or a (nested)
            tuple/list of tensors.
        inputs: the arguments; float arrays are used in float64.
        wrt: indices of the inputs to differentiate (default: every float array input).
        eps: finite-difference step.
        rtol, atol: tolerances of the comparison.
        seed: seed of the random cotangents.
        as_variables: feed the differentiated inputs as Variables instead of Tensors.

    Returns: the tape's gradients (a list, one per index in `wrt`).
    """
    inputs = [np.asarray(x, dtype=np.float64)
              if isinstance(x, (np.ndarray, list, float)) and np.asarray(x).dtype.kind == "f"
              else x for x in inputs]
    if wrt is None:
        wrt = [i for i, x in enumerate(inputs) if isinstance(x, np.ndarray) and x.dtype.kind == "f"]
    outs = _flat_outputs(fn(*inputs))
    rng = np.random.default_rng(seed)
    cotangents = [rng.normal(size=np.shape(o)) for o in outs]
    got = tape_vjp(fn, inputs, cotangents, wrt, as_variables=as_variables)
    expected = numeric_vjp(fn, inputs, cotangents, wrt, eps=eps)
    for i, g, e in zip(wrt, got, expected):
        assert g is not None, f"input {i}: the tape returned no gradient"
        assert g.shape == e.shape, f"input {i}: gradient shape {g.shape} != {e.shape}"
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")
    return got
