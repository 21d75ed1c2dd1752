"""`predict` from several Python threads at once equals serial calls (kernels release the
GIL; nothing in the forward pass is shared mutable state), also for an unbuilt model."""
import threading

import numpy as np

import nnfast as keras
from nnfast import layers


def _model(built=True):
    stack = [layers.Dense(64, activation="relu"), layers.Dropout(0.5),
             layers.BatchNormalization(), layers.Dense(10, activation="softmax")]
    if built:
        return keras.Sequential([keras.Input((20,))] + stack)
    return keras.Sequential(stack)


def _run_in_threads(fn, inputs):
    results = [None] * len(inputs)
    errors = []
    barrier = threading.Barrier(len(inputs))

    def work(i):
        try:
            barrier.wait()
            results[i] = [fn(inputs[i]) for _ in range(5)]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_predict_from_four_threads_equals_serial(rng, kernel_backend):
    model = _model()
    inputs = [rng.normal(size=(n, 20)).astype("float32") for n in (1, 7, 64, 300)]
    serial = [model.predict(x, verbose=0) for x in inputs]
    results = _run_in_threads(lambda x: model.predict(x, verbose=0), inputs)
    for want, got in zip(serial, results):
        for g in got:
            np.testing.assert_array_equal(g, want)


def test_unbuilt_model_is_built_once_under_concurrent_predict(rng):
    keras.utils.set_random_seed(7)
    model = _model(built=False)
    inputs = [rng.normal(size=(4, 20)).astype("float32") for _ in range(4)]
    results = _run_in_threads(lambda x: model.predict(x, verbose=0), inputs)
    assert len(model.weights) == 2 + 4 + 2      # built once: no duplicated variables
    for x, got in zip(inputs, results):
        np.testing.assert_array_equal(got[0], model.predict(x, verbose=0))
