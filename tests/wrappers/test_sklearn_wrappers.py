"""The scikit-learn wrappers under scikit-learn's own tools (skipped without sklearn)."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers

sklearn = pytest.importorskip("sklearn")
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def _blobs(rng, n=120):
    centers = np.array([[2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
    y = rng.integers(0, 3, n)
    x = centers[y] + rng.normal(0, 0.5, (n, 2))
    labels = np.array(["cat", "dog", "eel"])[y]
    return x.astype("float32"), labels


def create_model(units=16, optimizer="adam"):
    model = keras.Sequential([keras.Input((2,)), layers.Dense(units, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model


def test_keras2_classifier_string_labels_cross_val_and_grid_search(rng):
    from nnfast.wrappers.scikit_learn import KerasClassifier

    x, y = _blobs(rng)
    clf = KerasClassifier(build_fn=create_model, epochs=40, batch_size=16, verbose=0)
    clf.fit(x, y)
    assert list(clf.classes_) == ["cat", "dog", "eel"]
    assert set(clf.predict(x[:10])) <= {"cat", "dog", "eel"}
    proba = clf.predict_proba(x[:5])
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert clf.score(x, y) > 0.9
    scores = cross_val_score(KerasClassifier(build_fn=create_model, epochs=60, batch_size=16,
                                             verbose=0), x, y, cv=3)
    assert scores.mean() > 0.8 and scores.shape == (3,)
    grid = GridSearchCV(KerasClassifier(build_fn=create_model, epochs=20, verbose=0),
                        {"units": [4, 16]}, cv=2)
    grid.fit(x, y)
    assert grid.best_params_["units"] in (4, 16)
    with pytest.raises(ValueError, match="unitz is not a legal parameter"):
        KerasClassifier(build_fn=create_model, unitz=3)


def test_keras2_regressor_in_a_pipeline(rng):
    from nnfast.wrappers import KerasRegressor

    x = rng.normal(size=(200, 3)).astype("float32") * 10
    y = x @ np.array([0.1, -0.2, 0.3], "float32") + 1.0

    def build():
        model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.05), "mse")
        return model

    pipe = make_pipeline(StandardScaler(), KerasRegressor(build_fn=build, epochs=60, verbose=0))
    pipe.fit(x, y)
    assert pipe.predict(x).shape == (200,)
    assert -0.05 < pipe.score(x, y) <= 0         # Keras 2: minus the MSE


def test_keras3_classifier_clones_a_compiled_model(rng):
    from nnfast.wrappers import SKLearnClassifier

    x, y = _blobs(rng)
    model = create_model()
    before = [w.copy() for w in model.get_weights()]
    clf = SKLearnClassifier(model, fit_kwargs={"epochs": 40, "batch_size": 16})
    clf.fit(x, y)
    for b, w in zip(before, model.get_weights()):        # the original stays untouched
        np.testing.assert_array_equal(b, w)
    assert clf.model_ is not model and clf.score(x, y) > 0.9
    with pytest.raises(ValueError, match="not fitted yet"):
        SKLearnClassifier(model).predict(x)


def test_keras3_regressor_builder_gets_x_and_y(rng):
    from nnfast.wrappers import SKLearnRegressor

    seen = {}

    def build(X, y, width):
        seen["shapes"] = (X.shape, y.shape)
        model = keras.Sequential([keras.Input((X.shape[1],)), layers.Dense(width), layers.Dense(1)])
        model.compile("adam", "mse")
        return model

    x = rng.normal(size=(50, 4)).astype("float32")
    reg = SKLearnRegressor(build, model_kwargs={"width": 3}, fit_kwargs={"epochs": 2})
    reg.fit(x, x.sum(1))
    assert seen["shapes"] == ((50, 4), (50,))
    assert reg.predict(x).shape == (50,)
    assert isinstance(reg.score(x, x.sum(1)), float)           # R^2, scikit-learn's rule
