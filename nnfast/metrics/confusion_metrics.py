"""Thresholded classification metrics: TP/FP/TN/FN counts, Precision, Recall and AUC."""
import numpy as np

from nnfast import backend
from nnfast.autograd.function import unwrap
from nnfast.metrics import metrics_utils as mu
from nnfast.metrics.metric import Metric, divide_no_nan, result_tensor


class _ConfusionMatrixConditionCount(Metric):
    def __init__(self, confusion_matrix_cond, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._confusion_matrix_cond = confusion_matrix_cond
        self.init_thresholds = thresholds
        self.thresholds = mu.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._evenly = mu.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        mu.update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator}, y_true, y_pred,
            thresholds=self.thresholds, thresholds_distributed_evenly=self._evenly,
            sample_weight=sample_weight)

    def result(self):
        acc = self.accumulator._value
        return result_tensor(acc[0] if len(self.thresholds) == 1 else acc, self.dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted count of false positives (per threshold when several are given).

    Args:
        thresholds: A float or list of floats in [0, 1]; predictions above count as 1.
    """

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("fp", thresholds=thresholds, name=name, dtype=dtype)


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of false negatives (per threshold when several are given)."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("fn", thresholds=thresholds, name=name, dtype=dtype)


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of true negatives (per threshold when several are given)."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("tn", thresholds=thresholds, name=name, dtype=dtype)


class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted count of true positives (per threshold when several are given)."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__("tp", thresholds=thresholds, name=name, dtype=dtype)


class _PrecisionRecall(Metric):
    _second = None          # "fp" for precision, "fn" for recall

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else mu.NEG_INF
        self.thresholds = mu.parse_init_thresholds(thresholds, default_threshold=default)
        self._evenly = mu.is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), name="true_positives")
        second = "false_positives" if self._second == "fp" else "false_negatives"
        setattr(self, second, self.add_variable((n,), name=second))
        self._other = getattr(self, second)

    def update_state(self, y_true, y_pred, sample_weight=None):
        mu.update_confusion_matrix_variables(
            {"tp": self.true_positives, self._second: self._other}, y_true, y_pred,
            thresholds=self.thresholds, thresholds_distributed_evenly=self._evenly,
            top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives._value
        value = divide_no_nan(tp, tp + self._other._value)
        return result_tensor(value[0] if len(self.thresholds) == 1 else value, self.dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """Precision `tp / (tp + fp)` of the thresholded predictions.

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5; with `top_k`,
            the top-k predictions count as positive).
        top_k: Only the k highest predictions of each sample can be positive.
        class_id: Compute the metric for this class only.
    """

    _second = "fp"


class Recall(_PrecisionRecall):
    """Recall `tp / (tp + fn)` of the thresholded predictions.

    Args:
        thresholds: A float or list of floats in [0, 1] (default 0.5).
        top_k: Only the k highest predictions of each sample can be positive.
        class_id: Compute the metric for this class only.
    """

    _second = "fn"


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Approximate area under the ROC or PR curve, from confusion counts at
    `num_thresholds` evenly spaced thresholds (Keras's Riemann sums).

    Args:
        num_thresholds: Number of thresholds (> 1) to discretise the curve with.
        curve: "ROC", "PR" or "PRGAIN".
        summation_method: "interpolation" (trapezoids; Davis & Goadrich for PR),
            "minoring" or "majoring".
        thresholds: Optional explicit thresholds in [0, 1] (overrides num_thresholds).
        multi_label: Compute one AUC per label (2-D inputs) and average them.
        num_labels: Number of labels when `multi_label` (else learnt from the data).
        label_weights: Optional per-label weights.
        from_logits: Apply a sigmoid to `y_pred` first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        curve = getattr(curve, "value", curve)
        summation_method = getattr(summation_method, "value", summation_method)
        if str(curve).lower() not in _CURVES:
            raise ValueError(
                f'Invalid AUC curve value: "{curve}". Expected values are '
                '["PR", "ROC", "PRGAIN"]'
            )
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". Expected '
                'values are ["interpolation", "majoring", "minoring"]'
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(mu.parse_init_thresholds(thresholds))
            self.num_thresholds = len(thresholds) + 2
            self._evenly = mu.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if not isinstance(num_thresholds, (int, np.integer)) or num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = int(num_thresholds)
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._evenly = True
        # End points just outside [0, 1] absorb floating-point imprecision.
        eps = backend.epsilon()
        self._thresholds = np.array([0.0 - eps] + thresholds + [1.0 + eps])
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else np.asarray(label_weights, dtype=self.dtype))
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds used for evaluating AUC."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{len(shape)}. Full shape received for `y_pred`: {shape}"
                )
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(var_shape, name="true_positives")
        self.false_positives = self.add_variable(var_shape, name="false_positives")
        self.true_negatives = self.add_variable(var_shape, name="true_negatives")
        self.false_negatives = self.add_variable(var_shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(unwrap(y_pred))
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = 0.5 * (1.0 + np.tanh(0.5 * y_pred))
        mu.update_confusion_matrix_variables(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, thresholds_distributed_evenly=self._evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _counts(self):
        return tuple(v._value.astype(np.float64) for v in (
            self.true_positives, self.false_positives, self.true_negatives,
            self.false_negatives))

    def _average(self, per_threshold_terms):
        if not self.multi_label:
            return np.sum(per_threshold_terms)
        by_label = np.sum(per_threshold_terms, axis=0)
        if self.label_weights is None:
            return np.mean(by_label)
        lw = self.label_weights.astype(np.float64)
        return divide_no_nan(np.sum(by_label * lw), np.sum(lw))

    def interpolate_pr_auc(self):
        """PR-AUC with precision interpolated as in Davis & Goadrich (2006): within each
        interval TP and predicted positives P vary linearly."""
        tp, fp, _, fn = self._counts()
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore"):
            log_ratio = np.log(np.where(ratio > 0, ratio, 1.0))
        terms = divide_no_nan(slope * (dtp + intercept * log_ratio),
                              np.maximum(tp[1:] + fn[1:], 0))
        return self._average(terms)

    def result(self):
        if not self._built:
            return result_tensor(0.0, self.dtype)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return result_tensor(self.interpolate_pr_auc(), self.dtype)
        tp, fp, tn, fn = self._counts()
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:   # PRGAIN: hyperbolic transform of precision and recall
            scale = divide_no_nan(tp + fn, tn + fp)
            rec_gain = np.where(tp == 0, 0.0, 1.0 - scale * divide_no_nan(fn, tp))
            prec_gain = np.where(tp == 0, 1.0, 1.0 - scale * divide_no_nan(fp, tp))
            x, y = np.maximum(rec_gain, 0.0), prec_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return result_tensor(self._average((x[:-1] - x[1:]) * heights), self.dtype)

    def reset_state(self):
        for v in self.variables:
            v._value[...] = 0

    def get_config(self):
        config = {
            "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": (None if self.label_weights is None
                              else self.label_weights.tolist()),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return {**super().get_config(), **config}
