"""nnfast.config / nnfast.backend: kernel switch, thread policy, floatx."""
import os
import subprocess
import sys

import numpy as np
import pytest

import nnfast


def test_set_kernels_switches_every_kernel_and_using_restores():
    nnfast.config.set_kernels("numpy")
    assert set(nnfast.kernels.info()["kernels"].values()) == {"numpy"}
    nnfast.config.set_kernels("auto")
    with nnfast.kernels.using("numpy"):
        assert nnfast.kernels.which("gemm") == "numpy"
    assert nnfast.kernels.get_backend() == "auto"
    with pytest.raises(ValueError, match="cuda"):
        nnfast.config.set_kernels("cuda")


def test_override_pins_one_kernel():
    nnfast.config.set_kernels("numpy")
    if nnfast.kernels.compiled_available():
        nnfast.kernels.override("gemm", "cython")
        try:
            assert nnfast.kernels.which("gemm") == "cython"
            assert nnfast.kernels.which("bias_add") == "numpy"
        finally:
            nnfast.kernels.override("gemm", None)
    assert nnfast.kernels.which("gemm") == "numpy"


def test_numpy_and_cython_train_to_the_same_weights():
    x = np.random.default_rng(0).normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    results = []
    for backend in ("numpy", "auto"):
        nnfast.config.set_kernels(backend)
        nnfast.utils.set_random_seed(3)
        model = nnfast.Sequential([nnfast.layers.Dense(8, activation="tanh", input_shape=(5,)),
                                   nnfast.layers.Dense(2, activation="softmax")])
        model.compile(nnfast.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
        model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_set_num_threads_validates_and_caps_blas():
    nnfast.config.set_num_threads(1)
    assert nnfast.config.get_num_threads() == 1
    blas = nnfast.kernels.blas_info()
    if blas and "num_threads" in blas[0]:
        assert all(lib["num_threads"] == 1 for lib in blas)
    with pytest.raises(ValueError, match="n >= 1"):
        nnfast.config.set_num_threads(0)
    with pytest.raises(TypeError, match="int"):
        nnfast.config.set_num_threads(1.5)
    nnfast.config.set_num_threads(-1)
    assert nnfast.config.get_num_threads() >= 1


def _run(code, **env):
    full_env = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=full_env, timeout=120)
    return out


def test_env_variables_seed_the_settings():
    out = _run("import nnfast; print(nnfast.config.get_num_threads(), nnfast.config.get_kernels())",
               NNFAST_NUM_THREADS="1", NNFAST_KERNELS="numpy")
    assert out.stdout.split() == ["1", "numpy"], out.stderr
    bad = _run("import nnfast; nnfast.config.get_num_threads()", NNFAST_NUM_THREADS="zero")
    assert "NNFAST_NUM_THREADS must be a positive integer" in bad.stderr


def test_floatx_and_backend_names():
    assert nnfast.backend.backend() == "nnfast"
    assert nnfast.backend.floatx() == "float32"
    nnfast.backend.set_floatx("float64")
    assert nnfast.ops.convert_to_tensor([1.0]).dtype == np.float64
    with pytest.raises(ValueError, match="floatx"):
        nnfast.backend.set_floatx("int8")
    nnfast.backend.set_floatx("float32")
    assert nnfast.ops.convert_to_tensor([1.0]).dtype == np.float32
    assert nnfast.backend.epsilon() == pytest.approx(1e-7)


def test_get_and_set_value():
    v = nnfast.Variable(np.zeros(2))
    nnfast.backend.set_value(v, [1.0, 2.0])
    np.testing.assert_allclose(nnfast.backend.get_value(v), [1, 2])
    with pytest.raises(TypeError, match="Variable"):
        nnfast.backend.set_value(np.zeros(2), 1)


def test_convert_to_tensor_and_numpy():
    t = nnfast.ops.convert_to_tensor([[1, 2], [3, 4]])
    assert isinstance(t, nnfast.Tensor) and t.dtype == np.int64
    arr = nnfast.ops.convert_to_numpy(t)
    assert type(arr) is np.ndarray
    with pytest.raises(TypeError, match="numeric"):
        nnfast.ops.convert_to_tensor(np.array(["a"]))
