"""Complement Objective Training (COT) of the classifier Q.

References:
    Chen et al., "Complement Objective Training", ICLR 2019.
"""

import keras

from aos_keras.baselines.base import Method
from aos_keras.game import losses
from aos_keras.game.players import (
    CLASSIFIER_UNITS,
    MultiPlayerModel,
    default_optimizer,
    unpack,
    update_player,
    weighted_mean,
)


def complement_objective(labels, logits, num_classes, sample_weight=None):
    """COT's complement loss: `-mean_rows(complement entropy) / C`.

    Minimising it maximises the entropy of Q's distribution over the wrong
    classes (flattens it). The division by `C` follows the normalisation of
    the official code (the sum over the batch divided by the batch size and
    by the number of classes). For `C = 2` the complement entropy, and with
    it this loss and its gradient, is exactly 0.

    Args:
        labels: int tensor `(n,)`, the true class.
        logits: float tensor `(n, C)`.
        num_classes: int, `C`.
        sample_weight: float tensor `(n,)` or None.

    Returns:
        A scalar tensor, between `-log(C - 1) / C` and 0.
    """
    entropy = losses.complement_entropy(labels, logits)
    return -weighted_mean(entropy, sample_weight) / num_classes


@keras.saving.register_keras_serializable(package="aos_keras")
class ComplementObjectiveTraining(MultiPlayerModel):
    """Q trained by alternating cross-entropy and complement-entropy steps.

    Each step on a batch: a forward pass and an update of Q on the
    cross-entropy with `q_optimizer`; then a second forward pass (with the
    updated weights) and an update on `complement_objective` with its own
    `complement_optimizer` (the official schedule). Both optimizers live in
    the `MultiOptimizer` `self.optimizer`, so JAX keeps their state.

    For two classes the complement entropy is identically 0: the second
    step has zero loss and zero gradient, so COT equals Q (the complement
    optimizer's moments stay exactly 0).

    Logs `loss` (cross-entropy of the first pass), `complement_loss`, and
    Q's `acsa` and `gm`.

    Args:
        num_classes: int. Number of classes `C`.
        num_features: int. Number of features `d`.
        classifier_units: tuple of int. Hidden widths of Q. Defaults to
            `GameConfig.classifier_units`.
        seed: int or None. Seed of the model's random draws.
        **kwargs: forwarded to `keras.Model`.

    Example:
    >>> model = ComplementObjectiveTraining(num_classes=3, num_features=4)
    >>> model.compile()
    >>> model.fit(x, y, epochs=100, batch_size=32)

    References:
        Chen et al., "Complement Objective Training", ICLR 2019.
    """

    TRACKERS = ("loss", "complement_loss")

    def __init__(
        self,
        num_classes,
        num_features,
        classifier_units=CLASSIFIER_UNITS,
        seed=None,
        name="cot",
        **kwargs,
    ):
        super().__init__(
            num_classes,
            num_features,
            classifier_units=classifier_units,
            seed=seed,
            name=name,
            **kwargs,
        )
        self.built = True

    def compile(self, q_optimizer=None, complement_optimizer=None, **kwargs):
        """Configure the two optimizers (default Adam(2e-4, beta_1=0.5)).

        Args:
            q_optimizer: optimizer of the cross-entropy step.
            complement_optimizer: optimizer of the complement step.
            **kwargs: forwarded to `keras.Model.compile`.
        """
        self.q_optimizer = q_optimizer or default_optimizer()
        self.complement_optimizer = complement_optimizer or default_optimizer()
        variables = self.classifier.trainable_variables
        self.compile_players(
            [
                (self.q_optimizer, variables),
                (self.complement_optimizer, variables),
            ],
            **kwargs,
        )

    def step(self, data):
        x, y, sample_weight = unpack(data, self.compute_dtype)
        q = self.classifier
        variables = q.trainable_variables

        def ce_fn():
            logits = q(x)
            ce = losses.cross_entropy(y, logits)
            return weighted_mean(ce, sample_weight), logits

        loss, logits = update_player(self.q_optimizer, variables, ce_fn)

        def complement_fn():
            objective = complement_objective(
                y, q(x), self.num_classes, sample_weight
            )
            return objective, ()

        complement, _ = update_player(
            self.complement_optimizer, variables, complement_fn
        )
        values = {"loss": loss, "complement_loss": complement}
        return self.record(values, y, logits, sample_weight)


class COTMethod(Method):
    """COT: Q with complement objective training (see the model's notes).

    Args:
        See `Method`. No option of its own.

    References:
        Chen et al., "Complement Objective Training", ICLR 2019.
    """

    name = "COT"

    @classmethod
    def skip_reason(cls, num_classes):
        """On two classes COT is Q: `compare` runs Q alone (`Method`)."""
        if num_classes == 2:
            return (
                "not run: on two classes COT equals Q (the complement "
                "entropy over the one other class is constant, so COT's "
                "extra step changes nothing); see Q"
            )
        return None

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        model = ComplementObjectiveTraining(
            self.num_classes,
            self.num_features,
            classifier_units=self.classifier_units,
            seed=self.seed,
        )
        model.compile(
            q_optimizer=self._optimizer(),
            complement_optimizer=self._optimizer(),
            **self._compile_kwargs(),
        )
        self._model = model
        model.fit(x, y, validation_data=validation_data, **fit_kwargs)
