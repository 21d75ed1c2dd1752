"""`Trainer`: compile / fit / evaluate / predict and the *_on_batch methods.

One training loop (nnfast has one backend). Per step: forward under a GradientTape, one
loss, `tape.gradient`, one fused optimizer update, metric updates in NumPy. Everything
that does not change between steps (data conversion, variable lists, the callback list)
is prepared once per call.
"""
import warnings

import numpy as np

from nnfast.autograd.function import unwrap
from nnfast.autograd.tape import GradientTape
from nnfast.trainers import data_adapter as da
from nnfast.trainers import generator_adapter as ga
from nnfast.trainers.compile_utils import CompileLoss, CompileMetrics
from nnfast.trainers.legacy_methods import LegacyTrainerMethods

_LEGACY_FIT_KWARGS = ("max_queue_size", "workers", "use_multiprocessing", "validation_freq")


class Trainer(LegacyTrainerMethods):
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.stop_evaluating = False
        self.stop_predicting = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_sum = 0.0
        self._loss_count = 0.0

    # -- compile ------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, sample_weight_mode=None, **kwargs):
        from nnfast import optimizers

        unknown = set(kwargs) - {"target_tensors", "distribute"}
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {sorted(unknown)}")
        if metrics is None and _looks_like_metrics(loss_weights):
            # Keras 2's positional order was (optimizer, loss, metrics, loss_weights).
            metrics, loss_weights = loss_weights, None
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._compile_config = {"optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
                                "metrics": metrics, "weighted_metrics": weighted_metrics}
        self._pending_compile = (loss, loss_weights, metrics, weighted_metrics)
        self._compile_loss = None
        self._compile_metrics = None
        self.compiled = True
        self._maybe_finish_compile()

    def _output_names(self):
        return (getattr(self, "output_names", None) or self.__dict__.get("_call_output_names")
                or ["output"])

    def _maybe_finish_compile(self, n_outputs=None):
        """Losses and metrics are bound to output names, which a deferred Sequential learns
        at its first batch and a subclassed model at its first call."""
        if not self.compiled or self._compile_metrics is not None:
            return
        if not getattr(self, "output_names", None):
            if n_outputs is None:
                return
            self._call_output_names = (["output"] if n_outputs == 1 else
                                       [f"output_{i + 1}" for i in range(n_outputs)])
        loss, loss_weights, metrics, weighted = self._pending_compile
        names = self._output_names()
        self._compile_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted, names, self._compile_loss)

    def _assert_compiled(self, what):
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before using the model. ({what} was called on "
                f"model {self.name!r} before compile.)"
            )

    # -- structure helpers --------------------------------------------------------------
    def _as_list(self, y, what):
        names = self._output_names()
        if y is None:
            return [None] * len(names)
        if isinstance(y, dict):
            unknown = sorted(set(y) - set(names))
            if unknown:
                raise ValueError(
                    f"`{what}` has keys {unknown} that name no output of model {self.name!r}. "
                    f"Output names: {names}"
                )
            return [y.get(n) for n in names]
        if isinstance(y, (list, tuple)) and len(names) > 1:
            if len(y) != len(names):
                raise ValueError(
                    f"`{what}` has {len(y)} entries but model {self.name!r} has {len(names)} "
                    f"outputs {names}."
                )
            return list(y)
        return [y] * len(names) if what == "sample_weight" else [y]

    def _outputs_list(self, y_pred):
        return list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]

    # -- one step -----------------------------------------------------------------------
    def _forward(self, x, training):
        return self(x, training=training)

    def _compute_loss(self, y, y_pred, sample_weight):
        self._maybe_finish_compile(len(self._outputs_list(y_pred)))
        if self._compile_loss is None:
            raise ValueError(
                f"Model {self.name!r} was compiled without a `loss`; fit/evaluate need one."
            )
        total, per_output = self._compile_loss(self._as_list(y, "y"), self._outputs_list(y_pred),
                                               self._as_list(sample_weight, "sample_weight"))
        reg = self.losses
        if reg:
            total = total + sum(reg[1:], reg[0])
        return total, per_output

    def _train_step(self, x, y, sample_weight, variables):
        self._clear_call_losses()
        with GradientTape() as tape:
            y_pred = self._forward(x, training=True)
            loss, per_output = self._compute_loss(y, y_pred, sample_weight)
        if variables is None:
            variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply(grads, variables)
        self._update_metrics(x, y, y_pred, sample_weight, loss, per_output)

    def _test_step(self, x, y, sample_weight):
        self._clear_call_losses()
        y_pred = self._forward(x, training=False)
        loss, per_output = self._compute_loss(y, y_pred, sample_weight)
        self._update_metrics(x, y, y_pred, sample_weight, loss, per_output)

    def _update_metrics(self, x, y, y_pred, sample_weight, loss, per_output):
        n = da.num_samples(x)
        self._loss_sum += float(unwrap(loss)) * n
        self._loss_count += n
        if len(per_output) > 1:
            sums = self.__dict__.setdefault("_output_loss_sums", [0.0] * len(per_output))
            for i, v in enumerate(per_output):
                if v is not None:
                    sums[i] += float(unwrap(v)) * n
        self._compile_metrics.update_state(self._as_list(y, "y"), self._outputs_list(y_pred),
                                           self._as_list(sample_weight, "sample_weight"))

    def reset_metrics(self):
        self._loss_sum = 0.0
        self._loss_count = 0.0
        self.__dict__.pop("_output_loss_sums", None)
        if self._compile_metrics is not None:
            self._compile_metrics.reset_state()

    def _logs(self):
        logs = {"loss": self._loss_sum / self._loss_count if self._loss_count else 0.0}
        sums = self.__dict__.get("_output_loss_sums")
        if sums:
            for name, s in zip(self._output_names(), sums):
                logs[f"{name}_loss"] = s / self._loss_count
        if self._compile_metrics is not None:
            logs.update(self._compile_metrics.results())
        return logs

    @property
    def metrics_names(self):
        names = ["loss"]
        if len(self._output_names()) > 1 and self._compile_loss is not None:
            names += [f"{n}_loss" for n in self._output_names()]
        if self._compile_metrics is not None:
            names += self._compile_metrics.names
        return names

    @property
    def metrics(self):
        return [m for _, m, _, _ in (self._compile_metrics.metrics or [])] if self._compile_metrics else []

    # -- fit ------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        from nnfast.callbacks import CallbackList

        if "nb_epoch" in kwargs:        # Keras 1 spelling
            epochs = kwargs.pop("nb_epoch")
        unknown = set(kwargs) - set(_LEGACY_FIT_KWARGS)
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `fit()`: {sorted(unknown)}")
        self._assert_compiled("fit")
        if x is None:
            raise ValueError("fit: `x` is required. Received: x=None")
        batch_size = _check_batch_size(batch_size, "fit")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: `epochs` must be a non-negative int. Received: epochs={epochs!r}")
        verbose = _resolve_verbose(verbose)

        batch_class_weight = None
        if ga.is_batch_source(x):
            _check_batch_source_args("fit", y, sample_weight, validation_split)
            batcher = ga.GeneratorBatcher(x, steps_per_epoch, shuffle, where="fit")
            probe = batcher.peek()[0]
            batch_class_weight = class_weight
        else:
            x, y, sample_weight = da.standardize(x, y, sample_weight, where="fit")
            if y is None and self.loss is not None:
                raise ValueError("fit: `y` is required when the model is compiled with a loss.")
            if validation_data is None and validation_split:
                (x, y, sample_weight), validation_data = da.split_validation(
                    x, y, sample_weight, validation_split)
            if class_weight is not None:
                cw = da.class_weights_to_sample_weights(y, class_weight)
                sample_weight = cw if sample_weight is None else sample_weight * cw
            batcher = da.ArrayBatcher(x, y, sample_weight, batch_size, shuffle, steps_per_epoch)
            probe = x
        val_batcher = None
        if validation_data is not None:
            val_batcher = self._batcher_for(validation_data, None, None,
                                            validation_batch_size or batch_size,
                                            validation_steps, "fit (validation_data)",
                                            unpack=True)

        self._forward_build_probe(probe)
        self._maybe_finish_compile()
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                     model=self, verbose=verbose, epochs=epochs,
                                     steps=batcher.num_batches)
        variables = self.trainable_variables
        self.stop_training = False
        callback_list.on_train_begin()
        logs = {}
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            steps_run = 0
            for step, (xb, yb, swb) in enumerate(batcher.batches()):
                callback_list.on_train_batch_begin(step)
                if batch_class_weight is not None:
                    swb = _with_class_weight(yb, swb, batch_class_weight)
                self._train_step(xb, yb, swb, variables)
                logs = self._logs()
                callback_list.on_train_batch_end(step, logs)
                steps_run += 1
                if self.stop_training:
                    break
            if steps_run == 0 and getattr(batcher, "exhausted", False):
                warnings.warn(
                    "Your input ran out of data; interrupting training. Make sure that your "
                    "dataset or generator can generate at least `steps_per_epoch * epochs` "
                    f"batches. (fit stopped at epoch {epoch + 1} of {epochs}.)", stacklevel=2)
                break
            epoch_logs = dict(self._logs())
            if val_batcher is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_batches(val_batcher, callback_list)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callback_list.on_train_end(logs=epoch_logs)
        return self.history

    def _forward_build_probe(self, x):
        """Build a deferred model from the data before the first step, so the list of
        trainable variables is known (a subclassed model builds on its first call)."""
        if hasattr(self, "_build_from_data"):
            self._build_from_data(da.flatten(x)[0])
        elif not self.built or not self.variables:
            self(da.take(x, slice(0, 1)), training=False)
            self._clear_call_losses()
            self.built = True

    # -- evaluate -------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        from nnfast.callbacks import CallbackList

        unknown = set(kwargs) - set(_LEGACY_FIT_KWARGS)
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `evaluate()`: {sorted(unknown)}")
        self._assert_compiled("evaluate")
        batch_size = _check_batch_size(batch_size, "evaluate")
        verbose = _resolve_verbose(verbose)
        batcher = self._batcher_for(x, y, sample_weight, batch_size, steps, "evaluate")
        self._forward_build_probe(batcher.peek()[0] if hasattr(batcher, "peek") else batcher.x)
        self._maybe_finish_compile()
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=batcher.num_batches)
        logs = self._evaluate_batches(batcher, callback_list)
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names if k in logs]
        return values[0] if len(values) == 1 else values

    def _batcher_for(self, x, y, sample_weight, batch_size, steps, where, unpack=False):
        """A batcher over in-memory arrays, or over a generator / PyDataset."""
        if ga.is_batch_source(x):
            _check_batch_source_args(where, y, sample_weight, 0)
            return ga.GeneratorBatcher(x, steps, False, where=where)
        if unpack:               # validation_data=(x, y[, sample_weight])
            x, y, sample_weight = _unpack_validation(x)
        x, y, sample_weight = da.standardize(x, y, sample_weight, where=where)
        return da.ArrayBatcher(x, y, sample_weight, batch_size or 32, False, steps)

    def _evaluate_batches(self, batcher, callback_list):
        saved = self._save_train_metric_state()
        self.reset_metrics()
        self.stop_evaluating = False
        callback_list.on_test_begin()
        for step, (xb, yb, swb) in enumerate(batcher.batches()):
            callback_list.on_test_batch_begin(step)
            self._test_step(xb, yb, swb)
            callback_list.on_test_batch_end(step, self._logs())
            if self.stop_evaluating:
                break
        logs = self._logs()
        callback_list.on_test_end(logs)
        self._restore_train_metric_state(saved)
        return logs

    def _save_train_metric_state(self):
        return (self._loss_sum, self._loss_count, self.__dict__.get("_output_loss_sums"))

    def _restore_train_metric_state(self, saved):
        self._loss_sum, self._loss_count, sums = saved
        if sums is not None:
            self._output_loss_sums = sums

    # -- predict --------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        from nnfast.callbacks import CallbackList

        batch_size = _check_batch_size(batch_size, "predict")
        verbose = _resolve_verbose(verbose)
        if ga.is_batch_source(x):
            batcher = ga.GeneratorBatcher(x, steps, False, where="predict")
        else:
            x = da.map_structure(lambda a: da.to_array(a, "x", False, "predict"), x)
            n = da.num_samples(x)
            if not callbacks and n <= batch_size and steps is None and verbose == 0:
                return _to_numpy(self(x, training=False))       # the fast path: one batch
            batcher = da.ArrayBatcher(x, None, None, batch_size, False, steps)
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=batcher.num_batches)
        self.stop_predicting = False
        callback_list.on_predict_begin()
        outputs = []
        for step, (xb, _, _) in enumerate(batcher.batches()):
            callback_list.on_predict_batch_begin(step)
            out = self(xb, training=False)
            outputs.append(_to_numpy(out))
            callback_list.on_predict_batch_end(step, {"outputs": outputs[-1]})
            if self.stop_predicting:
                break
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("predict: the input data is empty; expected at least one sample.")
        if isinstance(outputs[0], list):
            return [np.concatenate([o[i] for o in outputs]) for i in range(len(outputs[0]))]
        return np.concatenate(outputs)

    # -- single batches -------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True, return_dict=False):
        self._assert_compiled("train_on_batch")
        x, y, sample_weight = da.standardize(x, y, sample_weight, where="train_on_batch")
        if class_weight is not None:
            cw = da.class_weights_to_sample_weights(y, class_weight)
            sample_weight = cw if sample_weight is None else sample_weight * cw
        self._forward_build_probe(x)
        self._maybe_finish_compile()
        if reset_metrics:
            self.reset_metrics()
        self._train_step(x, y, sample_weight, None)
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._assert_compiled("test_on_batch")
        x, y, sample_weight = da.standardize(x, y, sample_weight, where="test_on_batch")
        self._forward_build_probe(x)
        self._maybe_finish_compile()
        if reset_metrics:
            self.reset_metrics()
        self._test_step(x, y, sample_weight)
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        x = da.map_structure(lambda a: da.to_array(a, "x", False, "predict_on_batch"), x)
        return _to_numpy(self(x, training=False))

    def _batch_result(self, return_dict):
        logs = self._logs()
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names if k in logs]
        return values[0] if len(values) == 1 else values


def _check_batch_source_args(where, y, sample_weight, validation_split):
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(
                f"{where}: the `{name}` argument is not supported when the input `x` is a "
                f"generator or a PyDataset (Sequence): yield it in the batches instead. "
                f"Received: {name} of type {type(value).__name__}")
    if validation_split:
        raise ValueError(
            f"{where}: `validation_split` is only supported for arrays, not for a generator or "
            f"a PyDataset. Received: validation_split={validation_split}")


def _with_class_weight(y, sample_weight, class_weight):
    cw = da.class_weights_to_sample_weights(y, class_weight)
    return cw if sample_weight is None else sample_weight * cw


def _looks_like_metrics(value):
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, (list, tuple)):
        return isinstance(value, str) or callable(value)
    return any(isinstance(v, (str, list, tuple)) or callable(v) for v in value)


def _to_numpy(out):
    if isinstance(out, (list, tuple)):
        return [np.asarray(unwrap(o)) for o in out]
    return np.asarray(unwrap(out))


def _check_batch_size(batch_size, where):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"{where}: `batch_size` must be a positive int. Received: batch_size={batch_size!r}")
    return int(batch_size)


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return verbose


def _unpack_validation(validation_data):
    if isinstance(validation_data, tuple) and len(validation_data) in (2, 3):
        return validation_data if len(validation_data) == 3 else validation_data + (None,)
    if isinstance(validation_data, list) and len(validation_data) in (2, 3):
        warnings.warn("validation_data should be a tuple (x, y) or (x, y, sample_weight).")
        return tuple(validation_data) + ((None,) if len(validation_data) == 2 else ())
    raise ValueError(
        "`validation_data` should be a tuple `(x_val, y_val)` or `(x_val, y_val, "
        f"val_sample_weights)`. Received: validation_data={type(validation_data).__name__}"
    )
