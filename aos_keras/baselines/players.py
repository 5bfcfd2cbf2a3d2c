"""A Keras model whose custom step updates several players on any backend."""

import keras
from keras import ops

from aos_keras import backend, schedule
from aos_keras.classifier import Classifier
from aos_keras.metrics import ACSA, GeometricMean


class MultiPlayerModel(keras.Model):
    """Base of models that train Q beside other players (COT, GAMO).

    It owns the classifier `classifier`, a `keras.random.SeedGenerator`, loss
    trackers named by `TRACKERS` and the ACSA/GM metrics of Q. A subclass
    builds its other players in `__init__` (then sets `self.built = True`),
    writes its schedule once, stateful, in `step(data)`, and passes each
    player's optimizer and variables to `compile_players`.

    `train_step` runs `step` directly on TensorFlow and torch and, on JAX,
    inside `aos_keras.backend.stateless_step` over every variable (weights,
    all optimizers' variables, metrics), as `AdversarialOversampler` does.
    `test_step` scores Q: cross-entropy, ACSA and GM. `call` returns Q's
    class probabilities.

    Args:
        num_classes: int. Number of classes `C`.
        num_features: int. Number of features `d`.
        classifier_units: tuple of int. Hidden widths of Q. Defaults to
            `(256, 128, 64)`.
        seed: int or None. Seed of the model's random draws. Defaults to
            `None`.
        **kwargs: forwarded to `keras.Model`.
    """

    TRACKERS = ("loss",)

    def __init__(
        self,
        num_classes,
        num_features,
        classifier_units=(256, 128, 64),
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.num_features = int(num_features)
        self.classifier_units = tuple(int(u) for u in classifier_units)
        self.seed = seed
        self.classifier = Classifier(
            self.num_classes, self.num_features, hidden_units=classifier_units
        )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in self.TRACKERS
        }
        self.class_metrics = [
            ACSA(self.num_classes, name="acsa"),
            GeometricMean(self.num_classes, name="gm"),
        ]

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
        super().compile(optimizer=container, **kwargs)
        container.build(self.trainable_variables)
        for optimizer, variables in shared:
            optimizer.build(variables)

    @property
    def metrics(self):
        return list(self.trackers.values()) + self.class_metrics

    def step(self, data):
        """One training step, stateful; returns the logs."""
        raise NotImplementedError

    def train_step(self, *args):
        return backend.train_step(self, self.step, args)

    def test_step(self, *args):
        return backend.test_step(
            self, lambda data: schedule.test_step(self, data), args
        )

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
