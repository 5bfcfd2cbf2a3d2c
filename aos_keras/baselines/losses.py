"""Cost-sensitive Q: class-weighted CE, focal loss, logit-adjusted CE.

References:
    Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
    Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
"""

import keras
import numpy as np
from keras import ops

from aos_keras.baselines.base import ClassifierMethod
from aos_keras.game import losses


def logit_adjusted_cross_entropy(labels, logits, log_prior, tau=1.0):
    """Logit-adjusted cross-entropy per row: `CE(c, logits + tau log pi)`.

    `pi` is the training class prior `n_c / N`. Adding `tau log pi` to the
    logits while training, and predicting with the plain logits, makes the
    argmax of Q approach the balanced-error Bayes classifier (Menon et al.,
    Eq. 10, the "logit adjusted loss").

    Args:
        labels: int tensor `(n,)`, the true class.
        logits: float tensor `(n, C)`.
        log_prior: float tensor `(C,)`, `log pi`.
        tau: float. Temperature of the adjustment. Defaults to `1.0`.

    Returns:
        Float tensor `(n,)`.

    Example:
    >>> prior = np.log([0.75, 0.25])
    >>> float(logit_adjusted_cross_entropy([1], [[0.0, 0.0]], prior)[0])
    1.386...  # -log(0.25)
    """
    logits = ops.convert_to_tensor(logits)
    shift = tau * ops.cast(log_prior, logits.dtype)
    return losses.cross_entropy(labels, logits + shift)


@keras.saving.register_keras_serializable(package="aos_keras")
class LogitAdjustedCrossEntropy(keras.losses.Loss):
    """`keras.losses.Loss` wrapper of `logit_adjusted_cross_entropy`.

    Args:
        prior: sequence of float. Training class prior `pi_c = n_c / N`.
        tau: float. Temperature of the adjustment. Defaults to `1.0`.
        **kwargs: forwarded to `keras.losses.Loss`.

    Example:
    >>> loss = LogitAdjustedCrossEntropy([0.75, 0.25])
    >>> float(loss([1], [[0.0, 0.0]]))  # -log(0.25)
    1.386...

    References:
        Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
    """

    def __init__(
        self, prior, tau=1.0, name="logit_adjusted_cross_entropy", **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.prior = [float(p) for p in prior]
        self.tau = float(tau)
        self.log_prior = np.log(np.asarray(self.prior, dtype=np.float32))

    def call(self, y_true, y_pred):
        return logit_adjusted_cross_entropy(
            y_true, y_pred, self.log_prior, self.tau
        )

    def get_config(self):
        config = super().get_config()
        config.update(prior=self.prior, tau=self.tau)
        return config


def balanced_class_weight(counts):
    """`{c: N / (C n_c)}`, scikit-learn's `class_weight="balanced"`."""
    counts = np.asarray(counts, dtype=np.float64)
    weights = counts.sum() / (len(counts) * counts)
    return {c: float(w) for c, w in enumerate(weights)}


class ClassWeightedMethod(ClassifierMethod):
    """CW-CE: cross-entropy with class weights `N / (C n_c)`.

    The weights go to Keras as `fit(class_weight=...)`: each row's loss is
    scaled by its class's weight (the batch mean divides by the batch size,
    Keras's `"sum_over_batch_size"`).

    Args:
        See `Method`. No option of its own.
    """

    name = "CW-CE"
    needs_every_class = True

    def _class_weight(self, counts):
        return balanced_class_weight(counts)


class FocalMethod(ClassifierMethod):
    """Focal: `keras.losses.CategoricalFocalCrossentropy(from_logits=True)`.

    Keras's defaults `gamma=2.0`, `alpha=0.25` (one alpha for every class,
    the focal paper's choice), on one-hot labels; both can be set with the
    options `focal_gamma` and `focal_alpha`. A single alpha only scales the
    loss, which Adam all but ignores: the focusing term `(1 - p_t)^gamma`
    is what differs from Q.

    Args:
        See `Method`. Options `focal_gamma` (float, defaults to `2.0`) and
        `focal_alpha` (float, defaults to `0.25`).

    References:
        Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
    """

    name = "Focal"
    OPTIONS = ("focal_alpha", "focal_gamma")

    def _loss(self, counts):
        return keras.losses.CategoricalFocalCrossentropy(
            alpha=float(self.options.get("focal_alpha", 0.25)),
            gamma=float(self.options.get("focal_gamma", 2.0)),
            from_logits=True,
        )

    def _targets(self, y):
        return np.eye(self.num_classes, dtype=np.float32)[y]


class LogitAdjustedMethod(ClassifierMethod):
    """LA-CE: logit-adjusted cross-entropy with `tau = 1`.

    Trains on `CE(y, logits + tau log pi)` with the training prior `pi`;
    `predict_proba` and the scored `classifier` use the plain logits.

    Args:
        See `Method`. Option `tau` (float, defaults to `1.0`).

    References:
        Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
    """

    name = "LA-CE"
    needs_every_class = True
    OPTIONS = ("tau",)

    def _loss(self, counts):
        prior = np.asarray(counts, dtype=np.float64) / np.sum(counts)
        return LogitAdjustedCrossEntropy(
            prior, tau=float(self.options.get("tau", 1.0))
        )
