"""GAMO, re-implemented from its paper (not from its GPL-3.0 code).

Reading of the paper (Mullick, Datta and Das, ICCV 2019) implemented here:

- Generator G: the convex generator (cTMU trunk + one IGU head per class),
  with heads for the MINORITY classes only (every class below the largest;
  `CWIGenerator` with 0 anchors for the others). `G(z, c)` is a convex
  combination of class-c training rows.
- Discriminator D: class-conditional, `sigmoid(Critic(x, c))` (the same
  MLP as the AO/DO critic, with a sigmoid output).
- Classifier M (here Q): `aos_keras.Classifier`; its "scores" in the
  least-squares terms are the softmax probabilities of its logits (the
  paper's M outputs class scores in [0, 1]; we read them as the softmax).
- Least-squares losses for all three players (`aos_keras.game.losses.
  least_squares`, mean over the output's entries):
  - Q: `E_real[LS(onehot(y), Q(x))] + alpha * sum_c p(c)
    E[LS(onehot(c), Q(G(z, c)))]`: generated rows as extra rows of their
    class, `alpha = sum_c deficit_c / N` (the amount that balances the
    training set, GAMO's target).
  - D: `sum_c p(c) (E_{real of class c}[LS(1, D(x, c))] +
    E[LS(0, D(G(z, c), c))])` over the minority classes (majority rows,
    which G never imitates, are left out).
  - G: `sum_c p(c) (E[LS(1, D(G(z, c), c))] + E[LS(1 - onehot(c),
    Q(G(z, c)))])`: fool D, and push Q toward "not class c", so G seeks
    class-c rows that Q misclassifies.
- Generated labels proportional to each class's deficit, `p(c) =
  (n_max - n_c) / sum_j (n_max - n_j)`. As in the AO/DO schedule, labels
  are not sampled: every step generates `r` rows of each minority class and
  weighs each class's mean loss by `p(c)` (static shapes under `jit`).
- Order within a step (one batch of real rows): Q, then D, then G.

References:
    Mullick, Datta and Das, "Generative Adversarial Minority Oversampling",
    ICCV 2019.
    Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.
"""

import keras
import numpy as np
from keras import ops

from aos_keras.baselines.base import Method, MethodNotApplicable
from aos_keras.game import generated_rows, losses
from aos_keras.game.anchors import select_anchors
from aos_keras.game.config import GameConfig
from aos_keras.game.critic import Critic
from aos_keras.game.generator import CWIGenerator
from aos_keras.game.players import (
    MultiPlayerModel,
    default_optimizer,
    unpack,
    update_player,
    weighted_mean,
)
from aos_keras.game.sampling import (
    class_deficits,
    class_distribution,
    synthetic_weight,
)
from aos_keras.game.upgrade import check_saved_layout

# The `GameConfig` fields GAMO shares with AO/DO (defaults and docs there).
SETTINGS = (
    "latent_dim",
    "generator_units",
    "critic_units",
    "classifier_units",
    "fake_rows_per_class",
)


def _gamo_config(kwargs):
    """`(GameConfig of GAMO's settings, the other keywords)`."""
    settings, kwargs = GameConfig.split(kwargs)
    unshared = sorted(set(settings) - set(SETTINGS))
    if unshared:
        raise TypeError(
            f"GAMO has no setting {unshared}; its settings are "
            f"{list(SETTINGS)}."
        )
    return GameConfig(**settings), kwargs


def _minority_classes(counts):
    """The classes short of the largest (`ValueError` if none)."""
    deficits = class_deficits(counts)
    minority = tuple(int(c) for c in np.flatnonzero(deficits > 0))
    if not minority:
        raise ValueError(
            f"GAMO needs a minority class; every class has {max(counts)} rows."
        )
    return minority


@keras.saving.register_keras_serializable(package="aos_keras")
class GAMO(MultiPlayerModel):
    """Generative Adversarial Minority Oversampling as one Keras model.

    Three players (see the module's notes for the losses): the convex
    minority generator `generator`, the sigmoid discriminator
    `discriminator` and the classifier `classifier`. Build it with
    `GAMO.from_data(x, y)`; `fit` plays the game, `predict` returns Q's
    class probabilities and `evaluate` scores Q.

    Logs `loss` (Q's cross-entropy on the real rows, comparable with the
    other methods), `q_loss`, `d_loss` and `g_loss` (the least-squares
    objectives), and Q's `acsa` and `gm`.

    Args:
        class_counts: list of int. Training rows of each class, `n_c`.
        num_features: int. Number of features `d`.
        anchor_counts: list of int. Anchors of each minority class (at most
            `n_c`), 0 for the others. Defaults to `n_c` for minority classes.
        **settings: the `aos_keras.GameConfig` fields GAMO shares
            (`SETTINGS`: `latent_dim`, `generator_units`, `critic_units`
            for the discriminator, `classifier_units`,
            `fake_rows_per_class`), with their defaults and documentation
            there.
        head_groups: list of lists of int or None. The generator's head
            layout (`CWIGenerator`); None computes it. Saved with the model.
        seed: int or None. Seed of the model's random draws.
        **kwargs: forwarded to `keras.Model`.

    Example:
    >>> model = GAMO.from_data(x_train, y_train, seed=0)
    >>> model.compile()
    >>> model.fit(x_train, y_train, epochs=100, batch_size=32)

    References:
        Mullick, Datta and Das, "Generative Adversarial Minority
        Oversampling", ICCV 2019.
    """

    TRACKERS = ("loss", "q_loss", "d_loss", "g_loss")

    def __init__(
        self,
        class_counts,
        num_features,
        anchor_counts=None,
        *,
        head_groups=None,
        seed=None,
        name="gamo",
        **kwargs,
    ):
        config, kwargs = _gamo_config(kwargs)
        counts = [int(n) for n in class_counts]
        super().__init__(
            len(counts),
            num_features,
            classifier_units=config.classifier_units,
            seed=seed,
            name=name,
            **kwargs,
        )
        self.class_counts = counts
        self.minority_classes = _minority_classes(counts)
        self.anchor_counts = self._anchor_counts(counts, anchor_counts)
        self.latent_dim = config.latent_dim
        self.generator_units = config.generator_units
        self.critic_units = config.critic_units
        self.fake_rows_per_class = config.fake_rows_per_class
        self.generator = CWIGenerator(
            self.anchor_counts,
            self.num_features,
            latent_dim=self.latent_dim,
            trunk_units=self.generator_units,
            head_groups=head_groups,
        )
        self.discriminator = Critic(
            self.num_classes,
            self.num_features,
            hidden_units=self.critic_units,
            name="discriminator",
        )
        # p(c), proportional to the deficit, and the weight of the
        # generated rows in Q's loss.
        self.class_weights = class_distribution(counts, "fraction")
        self.alpha = synthetic_weight(counts)
        self.built = True

    def _anchor_counts(self, counts, anchor_counts):
        """Anchors per class: positive exactly for the minority classes."""
        if anchor_counts is None:
            deficits = class_deficits(counts)
            anchor_counts = [
                n if d > 0 else 0 for n, d in zip(counts, deficits)
            ]
        anchor_counts = [int(m) for m in anchor_counts]
        heads = tuple(c for c, m in enumerate(anchor_counts) if m > 0)
        if heads != self.minority_classes:
            raise ValueError(
                f"`anchor_counts` must be positive exactly for the minority "
                f"classes {list(self.minority_classes)}; got "
                f"{anchor_counts}."
            )
        return anchor_counts

    @classmethod
    def from_data(
        cls, x, y, *, num_classes=None, max_anchors=None, seed=None, **kwargs
    ):
        """Build GAMO from training rows; minority rows become anchors.

        Args:
            x: float array `(N, d)`, standardised training features.
            y: int array `(N,)`, class indices `0..C-1`.
            num_classes: int or None. `C`. Defaults to `max(y) + 1`.
            max_anchors: int or None. Cap on anchors per class; a larger
                class keeps a random subset drawn with `seed`. Defaults to
                `None` (every row).
            seed: int or None. Seed of the anchor subset and of training.
            **kwargs: any other argument of `GAMO`.

        Returns:
            A `GAMO` model.
        """
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64).reshape(-1)
        counts = np.bincount(y, minlength=num_classes or 0)
        deficits = class_deficits(counts)
        anchors = select_anchors(
            x,
            y,
            len(counts),
            max_anchors=max_anchors,
            seed=seed,
            classes=np.flatnonzero(deficits > 0),
        )
        model = cls(
            class_counts=counts.tolist(),
            num_features=x.shape[1],
            anchor_counts=[len(a) for a in anchors],
            seed=seed,
            **kwargs,
        )
        model.generator.set_anchors(anchors)
        return model

    def compile(
        self, g_optimizer=None, d_optimizer=None, q_optimizer=None, **kwargs
    ):
        """Configure one optimizer per player (default Adam(2e-4, 0.5)).

        Args:
            g_optimizer: optimizer of the generator.
            d_optimizer: optimizer of the discriminator.
            q_optimizer: optimizer of the classifier.
            **kwargs: forwarded to `keras.Model.compile`.
        """
        self.g_optimizer = g_optimizer or default_optimizer()
        self.d_optimizer = d_optimizer or default_optimizer()
        self.q_optimizer = q_optimizer or default_optimizer()
        self.compile_players(
            [
                (self.q_optimizer, self.classifier.trainable_variables),
                (self.d_optimizer, self.discriminator.trainable_variables),
                (self.g_optimizer, self.generator.trainable_variables),
            ],
            **kwargs,
        )

    # ------------------------------------------------------------ the game
    def step(self, data):
        x, y, sample_weight = unpack(data, self.compute_dtype)
        batch_size = ops.shape(x)[0]
        q_loss, real_ce, logits = self.classifier_update(x, y, sample_weight)
        d_loss = self.discriminator_update(x, y)
        g_loss = self.generator_update(batch_size)
        values = {
            "loss": real_ce,
            "q_loss": q_loss,
            "d_loss": d_loss,
            "g_loss": g_loss,
        }
        return self.record(values, y, logits, sample_weight)

    def classifier_update(self, x, y, sample_weight=None):
        """One update of Q; returns `(LS loss, real-row CE, real logits)`."""
        q = self.classifier
        fake, ids = self._generate(ops.shape(x)[0], stop_gradient=True)

        def loss_fn():
            logits = q(x)
            real = weighted_mean(
                losses.least_squares(self._one_hot(y), _proba(logits)),
                sample_weight,
            )
            synthetic = self._class_mean(
                losses.least_squares(self._one_hot(ids), _proba(q(fake))), ids
            )
            ce = weighted_mean(losses.cross_entropy(y, logits), sample_weight)
            return real + self.alpha * synthetic, (ce, logits)

        loss, (ce, logits) = update_player(
            self.q_optimizer, q.trainable_variables, loss_fn
        )
        return loss, ce, logits

    def discriminator_update(self, x, y):
        """One update of D on minority real rows and generated rows."""
        d = self.discriminator
        fake, ids = self._generate(ops.shape(x)[0], stop_gradient=True)

        def loss_fn():
            real = ops.sigmoid(d(x, y))
            synthetic = ops.sigmoid(d(fake, ids))
            loss = self._class_mean(
                losses.least_squares(ops.ones_like(real), real), y
            ) + self._class_mean(
                losses.least_squares(ops.zeros_like(synthetic), synthetic),
                ids,
            )
            return loss, ()

        loss, _ = update_player(
            self.d_optimizer, d.trainable_variables, loss_fn
        )
        return loss

    def generator_update(self, batch_size):
        """One update of G: fool D and push Q toward `1 - onehot(c)`."""
        g, d, q = self.generator, self.discriminator, self.classifier
        z = self.noise(batch_size)

        def loss_fn():
            fake, ids = generated_rows.flatten_classes(
                g(z, class_ids=self.minority_classes, training=True),
                self.minority_classes,
            )
            judged = ops.sigmoid(d(fake, ids))
            adversarial = losses.least_squares(ops.ones_like(judged), judged)
            misled = losses.least_squares(
                1.0 - self._one_hot(ids), _proba(q(fake))
            )
            return self._class_mean(adversarial + misled, ids), ()

        loss, _ = update_player(
            self.g_optimizer, g.trainable_variables, loss_fn
        )
        return loss

    # ------------------------------------------------------------- helpers
    def noise(self, batch_size):
        k = len(self.minority_classes)
        r = generated_rows.rows_per_class(
            self.fake_rows_per_class, batch_size, k
        )
        return generated_rows.noise(
            self.seed_generator, k, r, self.latent_dim, self.compute_dtype
        )

    def _generate(self, batch_size, stop_gradient=False):
        rows = self.generator(
            self.noise(batch_size),
            class_ids=self.minority_classes,
            training=True,
        )
        if stop_gradient:
            rows = ops.stop_gradient(rows)
        return generated_rows.flatten_classes(rows, self.minority_classes)

    def _one_hot(self, labels):
        return ops.one_hot(labels, self.num_classes, dtype=self.compute_dtype)

    def _class_mean(self, values, ids):
        return losses.weighted_class_mean(
            values, ids, self.class_weights, self.num_classes
        )

    @classmethod
    def from_config(cls, config):
        check_saved_layout(config, cls.__name__)
        return cls(**config)

    def get_config(self):
        config = super().get_config()
        del config["num_classes"]
        config.update(
            class_counts=self.class_counts,
            anchor_counts=self.anchor_counts,
            latent_dim=self.latent_dim,
            generator_units=list(self.generator_units),
            critic_units=list(self.critic_units),
            fake_rows_per_class=self.fake_rows_per_class,
            head_groups=self.generator.head_groups,
        )
        return config


def _proba(logits):
    return ops.softmax(logits, axis=-1)


# GAMO arguments a benchmark may pass as options.


class GAMOMethod(Method):
    """GAMO: Q trained in GAMO's three-player game (see `GAMO`).

    Args:
        See `Method`. Options: `max_anchors` and the `GAMO` arguments
        `latent_dim`, `generator_units`, `critic_units` (discriminator) and
        `fake_rows_per_class`.

    Raises:
        MethodNotApplicable: from `fit` when the classes are balanced (no
            minority class to oversample).

    References:
        Mullick, Datta and Das, "Generative Adversarial Minority
        Oversampling", ICCV 2019.
    """

    name = "GAMO"
    needs_every_class = True
    # 1: version 0.3 draws the generator's heads in one random draw (same
    # distribution, other values).
    revision = 1
    OPTIONS = ("max_anchors", *(f for f in SETTINGS if f != "classifier_units"))

    def _fit(self, x, y, counts, validation_data, **fit_kwargs):
        if not class_deficits(counts).any():
            raise MethodNotApplicable(
                "GAMO: the classes are balanced; no minority class."
            )
        options = {k: v for k, v in self.options.items() if k in SETTINGS}
        model = GAMO.from_data(
            x,
            y,
            num_classes=self.num_classes,
            max_anchors=self.options.get("max_anchors"),
            seed=self.seed,
            classifier_units=self.classifier_units,
            **options,
        )
        model.compile(
            g_optimizer=self._optimizer(),
            d_optimizer=self._optimizer(),
            q_optimizer=self._optimizer(),
            **self._compile_kwargs(),
        )
        self._model = model
        model.fit(x, y, validation_data=validation_data, **fit_kwargs)
