"""`make demo`: train an MLP on the bundled UCI digits, the way a Keras user writes it.

Prints the live progress bar, the test accuracy, and which kernels ran with their times.
"""
import sys
import time

import nnfast as keras

keras.utils.set_random_seed(7)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0
print(f"digits: {len(x_train)} training and {len(x_test)} test images of 8x8 pixels")

model = keras.Sequential([
    keras.layers.Input(shape=(64,)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

keras.kernels.enable_timing()
start = time.perf_counter()
model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.1, verbose=1)
train_seconds = time.perf_counter() - start
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)

info = keras.kernels.info()
print(f"\ntest accuracy: {accuracy:.4f}   test loss: {loss:.4f}   "
      f"training time: {train_seconds:.2f} s")
print(f"kernels: {info['backend']} selection, compiled extension "
      f"{'loaded' if info['compiled_available'] else 'MISSING'}, OpenMP "
      f"{'on' if info['openmp'] else 'off'}, {info['num_threads']} thread(s)")
for lib in info["blas"]:
    print(f"BLAS: {lib.get('internal_api')} {lib.get('version')} "
          f"({lib.get('num_threads')} threads)")
print(f"\n{'kernel':<34}{'impl':<8}{'calls':>8}{'total ms':>11}{'us/call':>10}")
for name, t in sorted(keras.kernels.timings().items(), key=lambda kv: -kv[1]["seconds"]):
    print(f"{name:<34}{t['backend']:<8}{t['calls']:>8}{t['seconds'] * 1e3:>11.1f}"
          f"{t['seconds'] / t['calls'] * 1e6:>10.1f}")

if accuracy < 0.95:
    print(f"FAILED: test accuracy {accuracy:.4f} is below 0.95", file=sys.stderr)
    sys.exit(1)
