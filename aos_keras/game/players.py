"""The multi-player core: a Keras model whose step updates several players.

`MultiPlayerModel` is the base of every model here that trains more than
one network, or one network with more than one optimizer:
`AdversarialOversampler` (generator, critic, classifier), GAMO (generator,
discriminator, classifier) and COT (two optimizers on one classifier). It
holds what they share:

- the classifier Q (`classifier`) and the seed generator of the step's
  random draws (`seed_generator`);
- the loss trackers (`TRACKERS`) and Q's ACSA and GM metrics, updated by
  `record` at the end of a step;
- one `keras.optimizers.MultiOptimizer` over every player's optimizer
  (`compile_players`), so JAX carries all their state through `fit`;
- the backend dispatch of `train_step`/`test_step`
  (`aos_keras.backend.train_step`).

A step is written once, stateful, with `keras.ops`, and every player is
updated through `update_player`, the one place where a loss is
differentiated and applied.
"""

import keras
from keras import ops

from aos_keras import backend
from aos_keras.backend import (
    default_compile_cache,
    replica_scale,
    value_and_grad,
)
from aos_keras.game import losses
from aos_keras.game.classifier import Classifier
from aos_keras.game.config import GameConfig
from aos_keras.metrics import ACSA, GeometricMean

# Q's hidden widths, the paper's 4-layer classifier (`GameConfig`'s default).
CLASSIFIER_UNITS = GameConfig.classifier_units
# Every player's optimizer: Adam with GAMO's learning rate and beta_1.
LEARNING_RATE = 2e-4
BETA_1 = 0.5


def default_optimizer():
    """Adam(`LEARNING_RATE`, `BETA_1`) = Adam(2e-4, 0.5), GAMO's choice."""
    return keras.optimizers.Adam(learning_rate=LEARNING_RATE, beta_1=BETA_1)


class MultiPlayerModel(keras.Model):
    """Base of models that train Q beside other players.

    A subclass builds its players in `__init__`, writes its schedule once,
    stateful, in `step(data)` (ending with `return self.record(...)`), and
    passes each player's optimizer and variables to `compile_players`.

    `train_step` runs `step` directly on TensorFlow and torch and, on JAX,
    inside `aos_keras.backend.stateless_step` over every variable (weights,
    all optimizers' variables, metrics). `test_step` scores Q:
    cross-entropy, ACSA and GM. `call` returns Q's class probabilities.

    Args:
        num_classes: int. Number of classes `C`.
        num_features: int. Number of features `d`.
        classifier_units: tuple of int. Hidden widths of Q. Defaults to
            `GameConfig.classifier_units`.
        seed: int or None. Seed of the model's random draws. Defaults to
            `None`.
        build_classifier: bool. Build Q and the seed generator now. A
            subclass whose other players must draw their initial weights
            first passes `False` and calls `_build_classifier()` after
            them. Defaults to `True`.
        **kwargs: forwarded to `keras.Model`.

    Example:
    >>> class OnlyQ(MultiPlayerModel):
    ...     def compile(self, **kwargs):
    ...         self.q_optimizer = default_optimizer()
    ...         self.compile_players(
    ...             [(self.q_optimizer, self.classifier.trainable_variables)],
    ...             **kwargs,
    ...         )
    ...     def step(self, data):
    ...         x, y, w = unpack(data, self.compute_dtype)
    ...         def loss_fn():
    ...             logits = self.classifier(x)
    ...             ce = losses.cross_entropy(y, logits)
    ...             return weighted_mean(ce, w), logits
    ...         loss, logits = update_player(
    ...             self.q_optimizer, self.classifier.trainable_variables,
    ...             loss_fn)
    ...         return self.record({"loss": loss}, y, logits, w)
    """

    TRACKERS = ("loss",)

    def __init__(
        self,
        num_classes,
        num_features,
        classifier_units=CLASSIFIER_UNITS,
        seed=None,
        build_classifier=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.num_features = int(num_features)
        self.classifier_units = tuple(int(u) for u in classifier_units)
        self.seed = seed
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in self.TRACKERS
        }
        self.class_metrics = [
            ACSA(self.num_classes, name="acsa"),
            GeometricMean(self.num_classes, name="gm"),
        ]
        if build_classifier:
            self._build_classifier()

    def _build_classifier(self):
        """Build Q (`classifier`), then the step's `seed_generator`."""
        self.classifier = Classifier(
            self.num_classes,
            self.num_features,
            hidden_units=self.classifier_units,
        )
        self.seed_generator = keras.random.SeedGenerator(self.seed)

    def compile_players(self, players, **kwargs):
        """Hold every player's optimizer in one `MultiOptimizer` and compile.

        Variables are routed by path to the first player that lists them.
        A later player sharing all its variables with an earlier one (COT's
        two steps on Q) is kept in the container under a key that matches
        no variable and is built on its variables here, so its state is part
        of `self.optimizer.variables` and JAX carries it through `fit`. The
        step calls each player's optimizer directly.

        Args:
            players: list of `(optimizer, variables)`.
            **kwargs: forwarded to `keras.Model.compile`.
        """
        optimizer_map = keras.optimizers.OptimizerMap(players[0][0])
        claimed, shared = set(), []
        for i, (optimizer, variables) in enumerate(players):
            paths = {v.path for v in variables}
            if paths.isdisjoint(claimed):
                for path in sorted(paths):
                    optimizer_map[path] = optimizer
                claimed |= paths
            elif paths <= claimed:
                optimizer_map[f"<shared player {i}>"] = optimizer
                shared.append((optimizer, variables))
            else:
                raise ValueError(
                    f"Player {i} shares only part of its variables with "
                    "earlier players."
                )
        container = keras.optimizers.MultiOptimizer(optimizer_map)
        default_compile_cache()  # JAX: compiled steps kept across runs
        super().compile(optimizer=container, **kwargs)
        # `self.optimizer`, not `container`: under a mixed_float16 policy
        # Keras wraps the container in a LossScaleOptimizer, whose own
        # variables must exist before a saved model's state is loaded.
        self.optimizer.build(self.trainable_variables)
        for optimizer, variables in shared:
            optimizer.build(variables)

    @property
    def metrics(self):
        return list(self.trackers.values()) + self.class_metrics

    def step(self, data):
        """One training step, stateful; returns the logs (see `record`)."""
        raise NotImplementedError

    def record(self, values, y, logits, sample_weight=None):
        """End a training step: count it, update trackers and Q's metrics.

        Args:
            values: dict mapping a tracker name to its value this step.
            y: int tensor `(n,)`, the batch's class indices.
            logits: float tensor `(n, C)`, Q's logits on the batch.
            sample_weight: tensor `(n,)` or None.

        Returns:
            The logs: every metric's result, by name.
        """
        self.optimizer.iterations.assign_add(1)
        for name, value in values.items():
            self.trackers[name].update_state(value)
        for metric in self.class_metrics:
            metric.update_state(y, logits, sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def score_step(self, data):
        """Score Q on a batch: CE loss, ACSA and GM (stateful)."""
        x, y, sample_weight = unpack(data, self.compute_dtype)
        logits = self.classifier(x)
        self.trackers["loss"].update_state(
            weighted_mean(losses.cross_entropy(y, logits), sample_weight)
        )
        for metric in self.class_metrics:
            metric.update_state(y, logits, sample_weight)
        names = ["loss"] + [m.name for m in self.class_metrics]
        return {m.name: m.result() for m in self.metrics if m.name in names}

    def train_step(self, *args):
        return backend.train_step(self, self.step, args)

    def test_step(self, *args):
        return backend.test_step(self, self.score_step, args)

    def call(self, x, training=False):
        """Class probabilities `(n, C)` of Q for rows `x` `(n, d)`."""
        return ops.softmax(self.classifier(x), axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            num_features=self.num_features,
            classifier_units=list(self.classifier_units),
            seed=self.seed,
        )
        return config


def unpack(data, dtype):
    """`(x, y, sample_weight)` of a batch: `x` in `dtype`, `y` int32 `(n,)`."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    x = ops.cast(x, dtype)
    y = ops.cast(ops.reshape(y, (-1,)), "int32")
    return x, y, sample_weight


def update_player(optimizer, variables, loss_fn):
    """One optimizer step of a player on `loss_fn`; returns `(loss, aux)`.

    The one place where a player's loss is differentiated and applied.
    Under a replicated TensorFlow strategy the loss is scaled by
    `aos_keras.backend.replica_scale()` (`1 / num_replicas_in_sync`) before
    differentiation, because the optimizers sum the replicas' gradients;
    the returned loss is unscaled (the trackers log the replica's mean).

    Args:
        optimizer: the player's `keras.optimizers.Optimizer`.
        variables: the player's trainable variables.
        loss_fn: callable with no arguments returning `(loss, aux)`.

    Returns:
        `(loss, aux)`.
    """
    scale = replica_scale()
    if scale == 1.0:
        loss, aux, grads = value_and_grad(loss_fn, variables)
    else:

        def scaled_loss_fn():
            loss, aux = loss_fn()
            return loss * scale, (loss, aux)

        _, (loss, aux), grads = value_and_grad(scaled_loss_fn, variables)
    optimizer.apply(grads, variables)
    return loss, aux


def weighted_mean(values, sample_weight=None):
    """Mean of `values`, weighted by `sample_weight` when given."""
    if sample_weight is None:
        return ops.mean(values)
    w = ops.cast(ops.reshape(sample_weight, (-1,)), values.dtype)
    return ops.sum(w * values) / ops.maximum(ops.sum(w), 1e-12)
