"""Loss terms of the three-player game, in `keras.ops`.

Every function takes integer class labels (or scores) and returns one value
per row (no reduction), in the style of `keras.losses` functions; the
schedule weighs and reduces them. Class losses work from logits, so they stay
finite for probabilities at exactly 0 and 1.

References:
    Chen et al., "Complement Objective Training", ICLR 2019.
    Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.
    Mullick et al., "Generative Adversarial Minority Oversampling", ICCV 2019.
"""

import keras
from keras import ops

# A finite stand-in for -inf: exp() of it is exactly 0 in float32, and
# 0 * it is 0 (with -inf it would be NaN).
_MASKED = -1e30


def _one_hot(labels, logits):
    labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
    return ops.one_hot(labels, ops.shape(logits)[-1], dtype=logits.dtype)


def cross_entropy(labels, logits):
    """Cross-entropy `CE(c, q) = -log q_c` from logits.

    Args:
        labels: int tensor `(n,)`, the class `c` of each row.
        logits: float tensor `(n, C)`.

    Returns:
        Float tensor `(n,)`.

    Example:
    >>> float(cross_entropy([0], [[0.0, 0.0]]))  # -log(1/2)
    0.693...
    """
    logits = ops.convert_to_tensor(logits)
    onehot = _one_hot(labels, logits)
    return ops.logsumexp(logits, axis=-1) - ops.sum(onehot * logits, axis=-1)


def complement_cross_entropy(labels, logits):
    """Complement cross-entropy `CCE(c, q) = -log(1 - q_c)` from logits.

    "x is not class c": computed as `logsumexp(logits) - logsumexp(logits
    with c masked out)`, finite even when `q_c` rounds to 1. For two classes
    it equals cross-entropy toward the other class.

    Args:
        labels: int tensor `(n,)`, the class `c` each row should NOT be.
        logits: float tensor `(n, C)`, `C >= 2`.

    Returns:
        Float tensor `(n,)`.
    """
    logits = ops.convert_to_tensor(logits)
    onehot = _one_hot(labels, logits)
    masked = ops.where(onehot > 0, _MASKED, logits)
    return ops.logsumexp(logits, axis=-1) - ops.logsumexp(masked, axis=-1)


def complement_entropy(labels, logits):
    """Complement entropy `-sum_{j != c} P_j log P_j`, `P_j = q_j / (1 - q_c)`.

    The entropy of the predicted distribution over the wrong classes (COT).
    It is identically 0 for two classes.

    Args:
        labels: int tensor `(n,)`, the true class `c`.
        logits: float tensor `(n, C)`.

    Returns:
        Float tensor `(n,)`, between 0 and `log(C - 1)`.

    References:
        Chen et al., "Complement Objective Training", ICLR 2019.
    """
    logits = ops.convert_to_tensor(logits)
    onehot = _one_hot(labels, logits)
    masked = ops.where(onehot > 0, _MASKED, logits)
    log_p = ops.log_softmax(masked, axis=-1)
    p = ops.exp(log_p) * (1.0 - onehot)
    return -ops.sum(p * log_p, axis=-1)


def generator_wasserstein(fake_scores):
    """The generator's WGAN term per row: `-D(G(z, c), c)`."""
    return -_flat(fake_scores)


def critic_vanilla(real_scores, fake_scores):
    """The vanilla GAN critic loss per row, from logits.

    `-log sigmoid(D(x)) - log(1 - sigmoid(D(G(z))))`, computed with
    `softplus` so it stays finite for any score.
    """
    real_term, fake_term = CRITIC_TERMS["vanilla"]
    return real_term(real_scores) + fake_term(fake_scores)


def generator_vanilla(fake_scores):
    """The non-saturating generator loss per row: `-log sigmoid(D(G(z)))`."""
    return ops.softplus(-_flat(fake_scores))


def _flat(scores):
    return ops.reshape(scores, (-1,))


# The critic's loss as `(term on real rows, term on generated rows)`, per
# row, by `gan_loss`: the schedule averages the first over the batch and
# weighs the second by class; `critic_vanilla` adds them row by row.
CRITIC_TERMS = {
    "wgan-gp": (lambda real: -_flat(real), _flat),
    "vanilla": (
        lambda real: ops.softplus(-_flat(real)),
        lambda fake: ops.softplus(_flat(fake)),
    ),
}
# The generator's adversarial term per row, by `gan_loss`.
GENERATOR_TERMS = {
    "wgan-gp": generator_wasserstein,
    "vanilla": generator_vanilla,
}


def gradient_penalty(gradients):
    """WGAN-GP penalty per row: `(||grad||_2 - 1)^2`.

    Args:
        gradients: float tensor `(n, d)`, the critic's gradient with respect
            to the interpolated rows.

    Returns:
        Float tensor `(n,)`. A tiny epsilon inside the square root keeps the
        penalty's own gradient finite at a zero gradient.
    """
    norm = ops.sqrt(ops.sum(ops.square(gradients), axis=-1) + 1e-12)
    return ops.square(norm - 1.0)


def least_squares(targets, predictions):
    """Least-squares loss per row: `mean_j (t_j - p_j)^2` (GAMO's players).

    Args:
        targets: float tensor `(n, k)` or `(n,)`.
        predictions: float tensor of the same shape.

    Returns:
        Float tensor `(n,)`.
    """
    diff = ops.convert_to_tensor(predictions) - ops.cast(
        targets, keras.backend.floatx()
    )
    if len(diff.shape) == 1:
        return ops.square(diff)
    return ops.mean(ops.square(diff), axis=-1)


def weighted_class_mean(values, class_ids, weights, num_classes):
    """`sum_c weights[c] * mean(values of rows of class c)`.

    Used to weigh the per-class means of generated rows by a class
    distribution `p(c)`. Classes with no row contribute 0.

    Args:
        values: float tensor `(n,)`.
        class_ids: int tensor `(n,)`.
        weights: float tensor `(C,)`.
        num_classes: int, `C`.

    Returns:
        A scalar tensor.
    """
    onehot = ops.one_hot(
        ops.cast(class_ids, "int32"), num_classes, dtype=values.dtype
    )
    sums = ops.sum(onehot * values[:, None], axis=0)
    counts = ops.sum(onehot, axis=0)
    means = sums / ops.maximum(counts, 1.0)
    return ops.sum(ops.cast(weights, values.dtype) * means)


@keras.saving.register_keras_serializable(package="aos_keras")
class ComplementCrossEntropy(keras.losses.Loss):
    """`keras.losses.Loss` wrapper of `complement_cross_entropy`.

    Predictions are logits.

    Args:
        name: str. The loss's name. Defaults to
            `"complement_cross_entropy"`.
        **kwargs: forwarded to `keras.losses.Loss`.

    Example:
    >>> loss = ComplementCrossEntropy()
    >>> float(loss([1], [[0.0, 0.0]]))  # -log(1/2)
    0.693...
    """

    def __init__(self, name="complement_cross_entropy", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return complement_cross_entropy(y_true, y_pred)
