"""Loss-shaped metrics: cross-entropies, KL divergence, Poisson and the hinge family.

Each is the running mean of the matching loss function from `nnfast.losses`.
"""
from nnfast.losses.crossentropy import categorical_crossentropy, sparse_categorical_crossentropy
from nnfast.losses.hinge import categorical_hinge, hinge, squared_hinge
from nnfast.losses.probabilistic import binary_crossentropy, kl_divergence, poisson
from nnfast.metrics.metric import MeanMetricWrapper


class _NameDtypeConfig:
    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class KLDivergence(_NameDtypeConfig, MeanMetricWrapper):
    """Kullback-Leibler divergence between `y_true` and `y_pred`."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)


class Poisson(_NameDtypeConfig, MeanMetricWrapper):
    """Poisson metric `y_pred - y_true * log(y_pred)`."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=poisson, name=name, dtype=dtype)


class Hinge(_NameDtypeConfig, MeanMetricWrapper):
    """Hinge metric between labels and predictions."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=hinge, name=name, dtype=dtype)


class SquaredHinge(_NameDtypeConfig, MeanMetricWrapper):
    """Squared hinge metric between labels and predictions."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(_NameDtypeConfig, MeanMetricWrapper):
    """Categorical hinge metric between one-hot labels and predictions."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """Binary cross-entropy between labels and predictions.

    Args:
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: In [0, 1]; labels are squeezed towards 0.5.
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """Categorical cross-entropy between one-hot labels and predictions.

    Args:
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: In [0, 1].
        axis: The class axis.
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Sparse categorical cross-entropy between integer labels and predictions.

    Args:
        from_logits: Whether `y_pred` holds logits.
        ignore_class: Optional class id to leave out.
        axis: The class axis.
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None,
                 from_logits=False, ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}
