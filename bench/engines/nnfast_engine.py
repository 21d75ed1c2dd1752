"""The workloads on nnfast, written as a Keras user writes them (`import nnfast as keras`)."""
import numpy as np

from engines import common


def setup(kernels, threads):
    import nnfast

    nnfast.config.set_kernels(kernels)
    nnfast.config.set_num_threads(threads)
    nnfast.utils.set_random_seed(0)
    return nnfast


def build(workload, kernels, threads, quick):
    keras = setup(kernels, threads)
    layers = keras.layers
    name, _, mode = workload.partition("-")
    if name == "W1":
        a, b = common.gemm_operands(int(mode))
        gemm = keras.kernels.get("gemm")
        return lambda: gemm(a, b)
    if name in common.CONV_CASES:
        h, w, cin, cout, k, padding = common.CONV_CASES[name]
        x = keras.autograd.Variable(common.conv_input(name))
        conv = layers.Conv2D(cout, k, padding=padding, use_bias=False)
        conv(x)
        return _fwd_or_fwdbwd(keras, lambda: conv(x), [x, conv.kernel], mode)
    if name == "W3":
        x = keras.autograd.Variable(common.pool_input())
        return _fwd_or_fwdbwd(keras, lambda: keras.ops.max_pool(x, 2, 2), [x], mode)
    if name == "W4":
        x = keras.autograd.Variable(common.lstm_input())
        lstm = layers.LSTM(common.LSTM_SHAPE[3])
        lstm(x)
        return _fwd_or_fwdbwd(keras, lambda: lstm(x), [x] + lstm.trainable_weights, mode)
    if name == "W5" or name == "W8":
        model = cnn(keras)
        if name == "W8":
            x1 = common.w5_data(1)[0]
            model.predict(x1, verbose=0)
            return (lambda: model.predict(x1, verbose=0)) if mode == "predict" else (lambda: model(x1))
        x, y = common.w5_data(common.samples_of("W5", quick))
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                      metrics=["accuracy"])
        return lambda: model.fit(x, y, batch_size=common.W5["batch"], epochs=1, verbose=0)
    if name == "W6":
        x, y = common.w6_data(common.samples_of("W6", quick))
        model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(),
                                  layers.Dense(300, activation="relu"),
                                  layers.Dense(100, activation="relu"),
                                  layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.01),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return lambda: model.fit(x, y, batch_size=common.W6["batch"], epochs=1, verbose=0)
    if name == "W7":
        x, y = common.w7_data(common.samples_of("W7", quick))
        model = keras.Sequential([keras.Input((common.W7["length"],), dtype="int32"),
                                  layers.Embedding(common.W7["vocab"], 64), layers.LSTM(32),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return lambda: model.fit(x, y, batch_size=common.W7["batch"], epochs=1, verbose=0)
    raise ValueError(f"unknown workload {workload!r}")


def cnn(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 5, activation="relu"),
        layers.Conv2D(64, 5, activation="relu"), layers.MaxPool2D(2), layers.Flatten(),
        layers.Dropout(0.5), layers.Dense(128, activation="relu"), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax")])


def _fwd_or_fwdbwd(keras, forward, sources, mode):
    if mode == "fwd":
        return forward

    def step():
        with keras.GradientTape() as tape:
            y = forward()
        return tape.gradient(y, sources, output_gradients=np.ones(y.shape, np.float32))

    return step
