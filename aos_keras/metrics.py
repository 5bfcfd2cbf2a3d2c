"""Class-balanced scores: ACSA (average class-specific accuracy) and GM.

ACSA is the mean of the per-class recalls (sklearn's
`balanced_accuracy_score`); GM is their geometric mean (imbalanced-learn's
`geometric_mean_score` with `average="multiclass"`). A class that occurs in
`y_true` but is never predicted has recall 0, which makes GM 0. A class with
no row in `y_true` has no recall and is left out of both, as in scikit-learn.

The numpy functions score predictions once; the `keras.metrics.Metric`
classes accumulate a confusion matrix over batches, so they can be passed to
`compile` or read in the progress bar.
"""

import keras
import numpy as np
from keras import ops


def per_class_recall(y_true, y_pred, num_classes=None):
    """Recall of each class `0..C-1`; `nan` where the class has no row.

    Args:
        y_true: int array `(n,)` of true class indices.
        y_pred: int array `(n,)` of predicted class indices.
        num_classes: int, `C`. Defaults to `1 + max(y_true, y_pred)`.

    Returns:
        float64 array `(C,)`.

    Example:
    >>> per_class_recall([0, 0, 1], [0, 1, 1]).tolist()
    [0.5, 1.0]
    """
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {y_true.size} rows but y_pred has {y_pred.size}."
        )
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)))
        num_classes += 1
    support = np.bincount(y_true, minlength=num_classes).astype(np.float64)
    hits = np.bincount(y_true[y_true == y_pred], minlength=num_classes).astype(
        np.float64
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, hits / support, np.nan)


def acsa(y_true, y_pred, num_classes=None):
    """Average class-specific accuracy: the mean per-class recall.

    Args:
        y_true: int array `(n,)` of true class indices.
        y_pred: int array `(n,)` of predicted class indices.
        num_classes: int, `C`.

    Returns:
        float in `[0, 1]`.

    Example:
    >>> acsa([0, 0, 1, 1], [0, 0, 0, 1])
    0.75
    """
    recall = per_class_recall(y_true, y_pred, num_classes)
    return float(np.nanmean(recall))


def geometric_mean(y_true, y_pred, num_classes=None):
    """Geometric mean of the per-class recalls.

    Args:
        y_true: int array `(n,)` of true class indices.
        y_pred: int array `(n,)` of predicted class indices.
        num_classes: int, `C`.

    Returns:
        float in `[0, 1]`; 0 when a class is never predicted correctly.

    Example:
    >>> geometric_mean([0, 0, 1, 1], [0, 0, 0, 1])  # sqrt(1 * 0.5)
    0.7071...
    """
    recall = per_class_recall(y_true, y_pred, num_classes)
    recall = recall[~np.isnan(recall)]
    return float(np.prod(recall) ** (1.0 / len(recall)))


class _RecallMetric(keras.metrics.Metric):
    """Accumulates a `(C, C)` confusion matrix; subclasses reduce recalls."""

    def __init__(self, num_classes, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.num_classes = int(num_classes)
        self.confusion = self.add_variable(
            shape=(self.num_classes, self.num_classes),
            initializer="zeros",
            name="confusion",
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add a batch.

        Args:
            y_true: int class indices `(n,)` (or `(n, 1)`).
            y_pred: scores `(n, C)` (probabilities or logits; argmax is
                taken) or int class indices `(n,)`.
            sample_weight: optional `(n,)` row weights.
        """
        y_true = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        if len(y_pred.shape) > 1 and y_pred.shape[-1] == self.num_classes:
            y_pred = ops.argmax(y_pred, axis=-1)
        y_pred = ops.cast(ops.reshape(y_pred, (-1,)), "int32")
        true = ops.one_hot(y_true, self.num_classes, dtype=self.dtype)
        pred = ops.one_hot(y_pred, self.num_classes, dtype=self.dtype)
        if sample_weight is not None:
            weight = ops.cast(ops.reshape(sample_weight, (-1, 1)), self.dtype)
            true = true * weight
        self.confusion.assign_add(ops.matmul(ops.transpose(true), pred))

    def recalls(self):
        """Per-class recall and a mask of classes seen in `y_true`."""
        support = ops.sum(self.confusion, axis=1)
        hits = ops.diagonal(self.confusion)
        seen = ops.cast(support > 0, self.dtype)
        return hits / ops.maximum(support, 1.0), seen

    def reset_state(self):
        self.confusion.assign(ops.zeros(self.confusion.shape, self.dtype))

    def get_config(self):
        config = super().get_config()
        config["num_classes"] = self.num_classes
        return config


@keras.saving.register_keras_serializable(package="aos_keras")
class ACSA(_RecallMetric):
    """Streaming average class-specific accuracy (mean per-class recall).

    Args:
        num_classes: int. Number of classes `C`.
        name: str. Defaults to `"acsa"`.

    Example:
    >>> m = ACSA(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [[.9, .1], [.8, .2], [.6, .4], [.1, .9]])
    >>> float(m.result())
    0.75
    """

    def __init__(self, num_classes, name="acsa", **kwargs):
        super().__init__(num_classes, name=name, **kwargs)

    def result(self):
        recall, seen = self.recalls()
        return ops.sum(recall * seen) / ops.maximum(ops.sum(seen), 1.0)


@keras.saving.register_keras_serializable(package="aos_keras")
class GeometricMean(_RecallMetric):
    """Streaming geometric mean of the per-class recalls (GM).

    Args:
        num_classes: int. Number of classes `C`.
        name: str. Defaults to `"gm"`.
    """

    def __init__(self, num_classes, name="gm", **kwargs):
        super().__init__(num_classes, name=name, **kwargs)

    def result(self):
        recall, seen = self.recalls()
        # Classes not seen count as recall 1 (the empty product's factor).
        recall = ops.where(seen > 0, recall, 1.0)
        log_mean = ops.sum(ops.log(ops.maximum(recall, 1e-30)) * seen)
        log_mean = log_mean / ops.maximum(ops.sum(seen), 1.0)
        return ops.where(ops.min(recall) > 0, ops.exp(log_mean), 0.0)
