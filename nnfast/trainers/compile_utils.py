"""What `compile(loss=, metrics=, loss_weights=)` turns into: one loss per output, the
total, and the metrics with Keras's log names."""
import numpy as np

from nnfast import losses as losses_mod
from nnfast import metrics as metrics_mod
from nnfast.autograd.function import unwrap


def _per_output(spec, output_names, what):
    """A loss/metric spec as a list with one entry per output."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(output_names))
        if unknown:
            raise ValueError(
                f"compile: `{what}` has keys {unknown} that name no model output. "
                f"Output names: {output_names}"
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and what == "loss":
        if len(spec) != n:
            raise ValueError(
                f"compile: `loss` is a list of {len(spec)} entries but the model has {n} "
                f"outputs {output_names}."
            )
        return list(spec)
    return [spec] * n


class CompileLoss:
    def __init__(self, loss, loss_weights, output_names):
        self.output_names = list(output_names)
        specs = _per_output(loss, self.output_names, "loss")
        self.losses = [None if s is None else _as_loss_object(s) for s in specs]
        n = len(self.output_names)
        if loss_weights is None:
            weights = [1.0] * n
        elif isinstance(loss_weights, dict):
            weights = _per_output(loss_weights, self.output_names, "loss_weights")
            weights = [1.0 if w is None else w for w in weights]
        elif isinstance(loss_weights, (list, tuple)):
            if len(loss_weights) != n:
                raise ValueError(
                    f"compile: `loss_weights` has {len(loss_weights)} entries but the model "
                    f"has {n} outputs."
                )
            weights = list(loss_weights)
        else:
            weights = [float(loss_weights)] * n
        self.weights = [float(w) for w in weights]
        self.multi = n > 1

    def __call__(self, y_true, y_pred, sample_weight):
        """Total loss (a recorded scalar) and the per-output values for the logs."""
        total = None
        per_output = []
        for i, (fn, w) in enumerate(zip(self.losses, self.weights)):
            if fn is None:
                per_output.append(None)
                continue
            if y_true[i] is None:
                raise ValueError(
                    f"A loss is set for output {self.output_names[i]!r} but no target (y) "
                    "was given for it."
                )
            value = fn(y_true[i], y_pred[i], sample_weight=sample_weight[i])
            per_output.append(value)
            value = value * w if w != 1.0 else value
            total = value if total is None else total + value
        if total is None:
            raise ValueError("compile: no loss to optimise; pass `loss=` to compile().")
        return total, per_output


def _as_loss_object(spec):
    loss = losses_mod.resolve_loss(spec)
    if loss is None:
        raise ValueError(f"compile: could not interpret loss {spec!r}")
    return loss


class CompileMetrics:
    """Metrics per output, resolved at the first batch (Keras needs the shapes to tell
    binary/categorical/sparse accuracy apart)."""

    def __init__(self, metrics, weighted_metrics, output_names, compile_loss):
        self.output_names = list(output_names)
        self.specs = self._specs(metrics, "metrics")
        self.weighted_specs = self._specs(weighted_metrics, "weighted_metrics")
        self.compile_loss = compile_loss
        self.metrics = None                 # [(output index, Metric, log name, weighted)]

    def _specs(self, metrics, what):
        n = len(self.output_names)
        if metrics is None:
            return [[] for _ in range(n)]
        if isinstance(metrics, dict):
            per = _per_output(metrics, self.output_names, what)
            return [[] if m is None else (list(m) if isinstance(m, (list, tuple)) else [m]) for m in per]
        if isinstance(metrics, (list, tuple)):
            if n > 1 and len(metrics) == n and all(isinstance(m, (list, tuple)) for m in metrics):
                return [list(m) for m in metrics]
            return [list(metrics) for _ in range(n)]
        raise TypeError(
            f"compile: `{what}` should be a list or a dict. Received: {what}={metrics!r}"
        )

    def build(self, y_true, y_pred):
        self.metrics = []
        for weighted, specs in ((False, self.specs), (True, self.weighted_specs)):
            for i, output_specs in enumerate(specs):
                loss = self.compile_loss.losses[i] if self.compile_loss else None
                for spec in output_specs:
                    m = metrics_mod.resolve_metric(spec, loss=loss, y_true=y_true[i], y_pred=y_pred[i])
                    name = m.name
                    if weighted:
                        name = "weighted_" + name
                    if len(self.output_names) > 1:
                        name = f"{self.output_names[i]}_{name}"
                    self.metrics.append((i, m, name, weighted))

    def update_state(self, y_true, y_pred, sample_weight):
        if self.metrics is None:
            self.build(y_true, y_pred)
        for i, m, _, weighted in self.metrics:
            if y_true[i] is None:
                continue
            m.update_state(y_true[i], unwrap(y_pred[i]),
                           sample_weight=sample_weight[i] if weighted else None)

    def reset_state(self):
        for _, m, _, _ in self.metrics or ():
            m.reset_state()

    def results(self):
        return {name: _to_float(m.result()) for _, m, name, _ in self.metrics or ()}

    @property
    def names(self):
        return [name for _, _, name, _ in self.metrics or ()]


def _to_float(value):
    value = unwrap(value)
    arr = np.asarray(value)
    return float(arr) if arr.ndim == 0 else arr
