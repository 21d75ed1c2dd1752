"""Models as scikit-learn estimators, so `cross_val_score`, `GridSearchCV` and `Pipeline`
drive them.

Two spellings, one implementation:
- Keras 2: `KerasClassifier(build_fn=create_model, epochs=10, batch_size=32, units=64)`;
  keyword arguments are routed to `build_fn`, `fit`, `predict` or `evaluate` by name.
- Keras 3: `SKLearnClassifier(model, warm_start=False, model_kwargs=None, fit_kwargs=None)`;
  a callable `model` gets `X` and `y` as keywords (plus `model_kwargs`).
scikit-learn is optional (`pip install nnfast[sklearn]`).
"""
import copy
import inspect

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError:  # the wrappers then explain what to install when created
    BaseEstimator = ClassifierMixin = RegressorMixin = object
    _HAVE_SKLEARN = False
else:
    _HAVE_SKLEARN = True

_FIT_ARGS = ("batch_size", "epochs", "verbose", "callbacks", "validation_split",
             "validation_data", "shuffle", "class_weight", "sample_weight", "initial_epoch",
             "steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq")
_PREDICT_ARGS = ("batch_size", "verbose", "steps")


def _require_sklearn(name):
    if not _HAVE_SKLEARN:
        raise ImportError(f"{name} needs scikit-learn. Install it with "
                          "`pip install nnfast[sklearn]` (or `pip install scikit-learn`).")


class _WrapperBase(BaseEstimator):
    """Shared fit/predict plumbing; subclasses set `_kind` and the label handling."""

    _kind = None

    def _build_model(self, X, y):
        raise NotImplementedError

    def _fit_kwargs(self, extra):
        raise NotImplementedError

    def _prepare_targets(self, y, model):
        return y

    def fit(self, X, y, **kwargs):
        """Build (or reuse) the model and train it; returns self."""
        X = np.asarray(X)
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"{type(self).__name__}.fit: X and y have different lengths: "
                             f"{len(X)} and {len(y)}.")
        self._set_classes(y)
        model = self._build_model(X, y)
        if not getattr(model, "compiled", False):
            raise ValueError(f"{type(self).__name__}: the model must be compiled (call "
                             "`model.compile(...)` in the function that builds it).")
        self.model_ = model
        targets = self._prepare_targets(y, model)
        history = model.fit(X, targets, **self._fit_kwargs(kwargs))
        self.history_ = history.history
        if self._keras2:
            self.model = model          # Keras 2 kept the fitted model here
        return self

    def _set_classes(self, y):
        pass

    def _check_fitted(self, what):
        if not hasattr(self, "model_"):
            raise ValueError(f"This {type(self).__name__} instance is not fitted yet. Call "
                             f"'fit' with appropriate arguments before using '{what}'.")

    def _predict_raw(self, X, **kwargs):
        self._check_fitted("predict")
        kw = {k: v for k, v in self._route(_PREDICT_ARGS).items()}
        kw.update(kwargs)
        kw.setdefault("verbose", 0)
        return self.model_.predict(np.asarray(X), **kw)


class _Keras3Mixin:
    _keras2 = False

    def _build_model(self, X, y):
        from nnfast.models import clone_model

        kwargs = dict(self.model_kwargs or {})
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if callable(self.model) and not hasattr(self.model, "fit"):
            return self.model(X=X, y=y, **kwargs)
        if not getattr(self.model, "compiled", False):
            raise ValueError(f"{type(self).__name__}: the model must be compiled before it is "
                             "wrapped (or pass a function that builds a compiled model).")
        clone = clone_model(self.model)
        config = dict(self.model._compile_config)
        optimizer = config["optimizer"]
        if not isinstance(optimizer, str):     # a fresh optimizer: no state shared with the original
            config["optimizer"] = type(optimizer).from_config(optimizer.get_config())
        clone.compile(**config)
        return clone

    def _fit_kwargs(self, extra):
        kw = dict(self.fit_kwargs or {})
        kw.update(extra)
        kw.setdefault("verbose", 0)
        return kw

    def _route(self, names):
        return {}


class _Keras2Mixin:
    _keras2 = True

    def __init__(self, build_fn=None, **sk_params):
        _require_sklearn(type(self).__name__)
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def check_params(self, params):
        """Every parameter must name an argument of fit, predict, evaluate or build_fn."""
        fn = self.build_fn if self.build_fn is not None else self.__call__
        legal = set(_FIT_ARGS) | set(_PREDICT_ARGS) | {"steps"}
        legal |= set(inspect.signature(fn).parameters) if callable(fn) else set()
        for name in params:
            if name not in legal:
                raise ValueError(f"{name} is not a legal parameter")

    def get_params(self, deep=True):
        return {"build_fn": self.build_fn, **copy.copy(self.sk_params)}

    def set_params(self, **params):
        self.check_params({k: v for k, v in params.items() if k != "build_fn"})
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.sk_params.update(params)
        return self

    def _route(self, names):
        return {k: v for k, v in self.sk_params.items() if k in names}

    def _build_model(self, X, y):
        fn = self.build_fn if self.build_fn is not None else self.__call__
        if inspect.isclass(fn) or not callable(fn):
            fn = fn.__call__
        params = inspect.signature(fn).parameters
        return fn(**{k: v for k, v in self.sk_params.items() if k in params})

    def _fit_kwargs(self, extra):
        kw = self._route(_FIT_ARGS)
        kw.update(extra)
        return kw


class _ClassifierMixin:
    def _set_classes(self, y):
        self.classes_ = np.unique(y)
        self.n_classes_ = len(self.classes_)

    def _prepare_targets(self, y, model):
        from nnfast.utils import to_categorical

        index = np.searchsorted(self.classes_, y)
        loss = getattr(model, "loss", None)
        name = loss if isinstance(loss, str) else getattr(loss, "__name__", type(loss).__name__)
        if "categorical_crossentropy" == name or name == "CategoricalCrossentropy":
            return to_categorical(index, self.n_classes_)      # Keras 2 did the same
        return index

    def predict_proba(self, X, **kwargs):
        """Class probabilities, one column per class (two for a single sigmoid unit)."""
        proba = self._predict_raw(X, **kwargs)
        if proba.ndim == 1 or proba.shape[1] == 1:
            p = proba.reshape(-1)
            return np.column_stack([1 - p, p])
        return proba

    def predict(self, X, **kwargs):
        """Class labels (from `classes_`)."""
        proba = self.predict_proba(X, **kwargs)      # raises first when not fitted
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy of `predict(X)` against `y`."""
        correct = (self.predict(X) == np.asarray(y)).astype("float64")
        return float(np.average(correct, weights=sample_weight))


class _RegressorMixin:
    def predict(self, X, **kwargs):
        out = self._predict_raw(X, **kwargs)
        return out.reshape(-1) if out.ndim == 2 and out.shape[1] == 1 else out

    def score(self, X, y, sample_weight=None):
        """Keras 2: minus the loss. Keras 3 (SKLearnRegressor): R^2, as scikit-learn."""
        if self._keras2:
            loss = self.model_.evaluate(np.asarray(X), np.asarray(y), verbose=0,
                                        sample_weight=sample_weight)
            return -float(loss[0] if isinstance(loss, list) else loss)
        return RegressorMixin.score(self, X, y, sample_weight=sample_weight)


class KerasClassifier(_Keras2Mixin, _ClassifierMixin, _WrapperBase, ClassifierMixin):
    """Keras 2's scikit-learn classifier: `KerasClassifier(build_fn=..., **sk_params)`."""


class KerasRegressor(_Keras2Mixin, _RegressorMixin, _WrapperBase, RegressorMixin):
    """Keras 2's scikit-learn regressor: `KerasRegressor(build_fn=..., **sk_params)`."""


class SKLearnClassifier(_Keras3Mixin, _ClassifierMixin, _WrapperBase, ClassifierMixin):
    """Keras 3's scikit-learn classifier.

    Args:
        model: a compiled Model (cloned at each fit unless warm_start) or a callable
            returning one, called with `X=`, `y=` and `model_kwargs`.
        warm_start: reuse the fitted model across `fit` calls.
        model_kwargs, fit_kwargs: extra arguments for the builder and for `fit`.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        _require_sklearn("SKLearnClassifier")
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs


class SKLearnRegressor(_Keras3Mixin, _RegressorMixin, _WrapperBase, RegressorMixin):
    """Keras 3's scikit-learn regressor (same arguments as SKLearnClassifier)."""

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        _require_sklearn("SKLearnRegressor")
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs
