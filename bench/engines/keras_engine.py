"""The workloads on Keras 3 with the TensorFlow backend (tensorflow-cpu 2.21). Op-level
workloads run inside `tf.function` (the fastest TensorFlow offers); the training and
inference workloads use Keras's own `fit`, `predict` and `model(x)`."""
import os

from engines import common

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def build(workload, threads, quick):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    name, _, mode = workload.partition("-")
    if name == "W1":
        a, b = (tf.constant(m) for m in common.gemm_operands(int(mode)))
        matmul = tf.function(tf.matmul)
        return lambda: matmul(a, b).numpy()
    if name in common.CONV_CASES:
        h, w, cin, cout, k, padding = common.CONV_CASES[name]
        x = tf.Variable(common.conv_input(name))
        conv = layers.Conv2D(cout, k, padding=padding, use_bias=False)
        conv(x)
        return _fwd_or_fwdbwd(tf, lambda: conv(x), [x, conv.kernel], mode)
    if name == "W3":
        x = tf.Variable(common.pool_input())
        return _fwd_or_fwdbwd(tf, lambda: tf.nn.max_pool2d(x, 2, 2, "VALID"), [x], mode)
    if name == "W4":
        x = tf.Variable(common.lstm_input())
        lstm = layers.LSTM(common.LSTM_SHAPE[3])
        lstm(x)
        return _fwd_or_fwdbwd(tf, lambda: lstm(x), [x] + lstm.trainable_weights, mode)
    if name in ("W5", "W8"):
        model = keras.Sequential([
            keras.Input((28, 28, 1)), layers.Conv2D(32, 5, activation="relu"),
            layers.Conv2D(64, 5, activation="relu"), layers.MaxPool2D(2), layers.Flatten(),
            layers.Dropout(0.5), layers.Dense(128, activation="relu"), layers.Dropout(0.5),
            layers.Dense(10, activation="softmax")])
        if name == "W8":
            x1 = common.w5_data(1)[0]
            return (lambda: model.predict(x1, verbose=0)) if mode == "predict" \
                else (lambda: model(x1).numpy())
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


def _fwd_or_fwdbwd(tf, forward, sources, mode):
    if mode == "fwd":
        fwd = tf.function(forward)
        return lambda: fwd().numpy()

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            y = forward()
        return tape.gradient(y, sources, output_gradients=tf.ones_like(y))

    return lambda: [g.numpy() for g in step()]
