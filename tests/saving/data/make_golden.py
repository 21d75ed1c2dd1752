"""Regenerate the golden files in this folder with real Keras (not run by the tests).

    KERAS_BACKEND=tensorflow python make_golden.py            # Keras 3 files
    TF_USE_LEGACY_KERAS=1 python make_golden.py tf_keras      # tf.keras 2 files

Model A (functional, every layer kind nnfast has) is compared on predictions; model B
(Sequential Dense-BN-Dense, trained 2 epochs) also on the weights after one more epoch of
`fit` (shuffle=False), which checks that the optimizer state was restored.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
X_A = rng.normal(size=(6, 2, 3)).astype("float32")
X_B = rng.normal(size=(16, 5)).astype("float32")
X_C = rng.normal(size=(3, 4)).astype("float32")
Y_B = rng.normal(size=(16, 2)).astype("float32")


def model_a(K):
    inp = K.Input((2, 3), name="inp")
    x = K.layers.Flatten(name="flat")(inp)
    x = K.layers.Dense(8, name="d1")(x)
    x = K.layers.Activation("relu", name="act")(x)
    x = K.layers.BatchNormalization(name="bn")(x)
    x = K.layers.Dropout(0.25, name="drop")(x)
    x = K.layers.Reshape((2, 4), name="resh")(x)
    x = K.layers.Flatten(name="flat2")(x)
    out = K.layers.Dense(3, activation="softmax", name="d2")(x)
    m = K.Model(inp, out, name="model_a")
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(X_A, np.arange(6) % 3, epochs=2, batch_size=3, verbose=0)
    return m


def model_b(K, optimizer):
    m = K.Sequential([K.layers.Dense(4, activation="tanh", input_shape=(5,), name="b1"),
                      K.layers.BatchNormalization(name="bbn"),
                      K.layers.Dense(2, name="b2")], name="model_b")
    m.compile(optimizer=optimizer, loss="mse")
    m.fit(X_B, Y_B, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return m


def model_c(K):
    """A nested functional model called twice and a shared layer (node numbering)."""
    inner_in = K.Input((4,), name="inner_in")
    inner = K.Model(inner_in, K.layers.Dense(4, activation="tanh", name="inner_d")(inner_in),
                    name="inner")
    shared = K.layers.Dense(4, name="shared")
    x = K.Input((4,), name="x")
    y = inner(shared(inner(x)))
    return K.Model(x, [shared(y), inner(y)], name="model_c")


def continued(m):
    """{"<layer>_<i>": weight} after one more epoch (per layer: Keras 3 and tf.keras 2
    order a model's get_weights() differently)."""
    m.fit(X_B, Y_B, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return {f"{layer.name}_{i}": np.asarray(w)
            for layer in m.layers for i, w in enumerate(layer.get_weights())}


def main():
    out = {"x_a": X_A, "x_b": X_B, "y_b": Y_B, "x_c": X_C}
    if sys.argv[1:] == ["tf_keras"]:
        import tf_keras as K
        prefix = "tk2"
        a = model_a(K)
        a.save(f"{HERE}/tk2_functional.h5")
        a.save_weights(f"{HERE}/tk2_functional_weights.h5")
        out["tk2_a_pred"] = a.predict(X_A, verbose=0)
        c = model_c(K)
        c.save(f"{HERE}/tk2_nested.h5")
        out["tk2_c_pred_0"], out["tk2_c_pred_1"] = c.predict(X_C, verbose=0)
        for tag, opt in (("", K.optimizers.Adam(0.01)), ("_legacy", K.optimizers.legacy.Adam(0.01))):
            b = model_b(K, opt)
            b.save(f"{HERE}/tk2_sequential{tag}.h5")
            out[f"tk2_b{tag}_pred"] = b.predict(X_B, verbose=0)
            for key, w in continued(b).items():
                out[f"tk2_b{tag}_next_{key}"] = w
    else:
        import keras as K
        prefix = "k3"
        a = model_a(K)
        a.save(f"{HERE}/k3_functional.h5")
        a.save(f"{HERE}/k3_functional.keras")
        a.save_weights(f"{HERE}/k3_functional.weights.h5")
        out["k3_a_pred"] = a.predict(X_A, verbose=0)
        c = model_c(K)
        c.save(f"{HERE}/k3_nested.h5")
        c.save(f"{HERE}/k3_nested.keras")
        out["k3_c_pred_0"], out["k3_c_pred_1"] = c.predict(X_C, verbose=0)
        b = model_b(K, K.optimizers.Adam(0.01))
        b.save(f"{HERE}/k3_sequential.h5")
        b.save(f"{HERE}/k3_sequential.keras")
        out["k3_b_pred"] = b.predict(X_B, verbose=0)
        for key, w in continued(b).items():
            out[f"k3_b_next_{key}"] = w
    np.savez(f"{HERE}/{prefix}_expected.npz", **out)


if __name__ == "__main__":
    main()
