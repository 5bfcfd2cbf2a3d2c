"""Class-balanced scores: ACSA (average class-specific accuracy) and GM.

ACSA is the mean of the per-class recalls (sklearn's
`balanced_accuracy_score`); GM is their geometric mean (imbalanced-learn's
`geometric_mean_score` with `average="multiclass"`). A class that occurs in
`y_true` but is never predicted has recall 0, which makes GM 0. A class with
no row in `y_true` has no recall and is left out of both, as in scikit-learn.

Three more scores, read by `aos_keras.compare` beside them: `macro_f1` (of
predicted classes), `average_precision` (macro, one-vs-rest, of class
probabilities) and `brier` (of class probabilities; lower is better).

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


def macro_f1(y_true, y_pred, num_classes=None):
    """Macro-F1: the mean over classes of `2 TP / (2 TP + FP + FN)`.

    The mean runs over the classes present in `y_true` or `y_pred` (as
    scikit-learn's `f1_score(average="macro")`); a class predicted but
    absent from `y_true` has F1 0.

    Args:
        y_true: int array `(n,)` of true class indices.
        y_pred: int array `(n,)` of predicted class indices.
        num_classes: int, `C`. Defaults to `1 + max(y_true, y_pred)`.

    Returns:
        float in `[0, 1]`.

    Example:
    >>> macro_f1([0, 0, 1, 1], [0, 0, 0, 1])  # (0.8 + 2/3) / 2
    0.7333...
    """
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    size = max(int(num_classes or 0), y_true.max(initial=-1) + 1,
               y_pred.max(initial=-1) + 1)  # fmt: skip
    support = np.bincount(y_true, minlength=size)
    predicted = np.bincount(y_pred, minlength=size)
    hits = np.bincount(y_true[y_true == y_pred], minlength=size)
    present = (support + predicted) > 0
    f1 = 2 * hits[present] / (support[present] + predicted[present])
    return float(f1.mean())


def _binary_average_precision(positive, score):
    """AP of one class: sum over thresholds of (R_k - R_{k-1}) P_k."""
    order = np.argsort(-score, kind="mergesort")
    score, positive = score[order], positive[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]  # ties
    tp = np.cumsum(positive)[last]
    precision = tp / (last + 1)
    recall_step = np.diff(np.r_[0, tp]) / tp[-1]
    return float(np.sum(recall_step * precision))


def average_precision(y_true, proba, num_classes=None):
    """Macro average precision, one class against the rest.

    Each class's AP is scikit-learn's `average_precision_score` of its
    probability column (the step-wise area under the precision-recall
    curve, no interpolation); the mean runs over the classes with a row in
    `y_true` (a class without one has no AP, as it has no recall in ACSA).

    Args:
        y_true: int array `(n,)` of true class indices.
        proba: float array `(n, C)` of class scores (probabilities).
        num_classes: int, `C`. Defaults to `proba.shape[1]`.

    Returns:
        float in `[0, 1]`.

    Example:
    >>> average_precision([0, 1], [[0.9, 0.1], [0.2, 0.8]])
    1.0
    """
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    proba = np.asarray(proba, dtype=np.float64)
    num_classes = proba.shape[1] if num_classes is None else num_classes
    aps = [
        _binary_average_precision(y_true == c, proba[:, c])
        for c in range(num_classes)
        if (y_true == c).any()
    ]
    return float(np.mean(aps))


def brier(y_true, proba, num_classes=None):
    """Brier score: mean over rows of `sum_c (p_c - [y = c])^2`.

    Brier's (1950) multi-class definition, in `[0, 2]`, lower is better;
    scikit-learn's `brier_score_loss` on `C > 2` classes. On two classes it
    is twice the binary Brier score of the positive class's probability.

    Args:
        y_true: int array `(n,)` of true class indices.
        proba: float array `(n, C)` of class probabilities.
        num_classes: int, `C`. Defaults to `proba.shape[1]`.

    Returns:
        float in `[0, 2]`.

    Example:
    >>> brier([0, 1], [[1.0, 0.0], [0.5, 0.5]])  # (0 + 0.5) / 2
    0.25
    """
    proba = np.asarray(proba, dtype=np.float64)
    num_classes = proba.shape[1] if num_classes is None else num_classes
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    onehot = np.eye(num_classes)[y_true]
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


class _RecallMetric(keras.metrics.Metric):
    """Accumulates a `(C, C)` confusion matrix; subclasses reduce recalls.

    Higher is better (`_direction = "up"`, read by Keras' monitor
    callbacks in `mode="auto"`).
    """

    def __init__(self, num_classes, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._direction = "up"
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
