"""One training step of the three-player game, written once for all backends.

A step on a batch `(x, y)` of real rows runs, in order:

1. the critic, `critic_steps` times: generated rows with the labels of the
   real rows (`p_real`), loss `E[D(G(z,c),c)] - E[D(x,c)] + gp_weight * GP`
   (or the vanilla GAN loss);
2. the generator, labels from `p_bal`: its adversarial term plus
   `beta * E[term(c, Q(G(z,c)))]`, `term` = complement cross-entropy for AO
   ("fool Q") and cross-entropy for DO ("favour Q");
3. the classifier: `E_real[CE(y, Q(x))] + alpha * sum_c p(c)
   E[q_fake_loss(c, Q(G(z,c)))]` with `p = p_inv` (AO) or `p_frac` (DO).

Labels are not sampled: each step generates a fixed number `r` of rows for
every class of a distribution's support and weighs each class's mean loss by
`p(c)`. Shapes stay static (one trace under `jit`) and a generated row costs
`O(anchors of its class)`. Real and generated rows that go through the same
network (the critic's two terms, the classifier's two terms) share one
forward pass. Every player is updated through
`aos_keras.game.players.update_player`.

The step takes what it needs explicitly: a `Game` holds the constants of
the game (`GameRules`, built once from the settings and the class counts),
the three players, their optimizers and the seed generator.
"""

import dataclasses
import typing

import keras
import numpy as np
from keras import ops

from aos_keras.backend import call_layer, input_gradient
from aos_keras.game import losses
from aos_keras.game.generated_rows import (
    flatten_classes,
    noise,
    per_replica,
    rows_per_class,
)
from aos_keras.game.players import unpack, update_player, weighted_mean
from aos_keras.game.sampling import class_distribution, synthetic_weight

# Q's loss on a generated row of class c, by name.
CLASS_LOSSES = {
    "ce": losses.cross_entropy,
    "complement": losses.complement_cross_entropy,
}


@dataclasses.dataclass(frozen=True)
class GameRules:
    """The constants of a game: what the step needs besides its players.

    Built once by `GameRules.of(config, class_counts, generator_classes)`.

    Args:
        num_classes: int. `C`.
        latent_dim: int. Size of the noise vector.
        critic_steps: int. Critic updates per step.
        gp_weight: float. Gradient-penalty weight.
        gan_loss: str. `"wgan-gp"` or `"vanilla"`.
        beta: float. Weight of Q's term in the generator's loss.
        g_q_loss: str. The generator's term on Q (`CLASS_LOSSES` key).
        q_fake_loss: str. Q's loss on generated rows (`CLASS_LOSSES` key).
        fake_rows_per_class: int or None. Generated rows per class and step.
        class_weights: dict of float32 arrays `(C,)`: `"real"` (critic),
            `"generator"` and `"classifier"` class distributions.
        support: dict of tuples: the classes the generator and the
            classifier generate rows of.
        alpha: float. Weight of Q's generated-row term.
        class_position: int32 array `(C,)`, position of each class among
            the generator's heads.
        q_logit_shift: float32 array `(C,)` or None. `tau * log(pi_eff)`,
            the logit adjustment of Q's loss inside the game.
    """

    num_classes: int
    latent_dim: int
    critic_steps: int
    gp_weight: float
    gan_loss: str
    beta: float
    g_q_loss: str
    q_fake_loss: str
    fake_rows_per_class: typing.Optional[int]
    class_weights: dict
    support: dict
    alpha: float
    class_position: np.ndarray
    q_logit_shift: typing.Optional[np.ndarray]
    q_generated_rows: str = "critic"

    @classmethod
    def of(cls, config, class_counts, generator_classes):
        """The rules of a resolved `GameConfig` on classes of these sizes.

        Args:
            config: `aos_keras.GameConfig` (presets resolved).
            class_counts: list of int, `n_c`.
            generator_classes: tuple of int, the classes with a head.

        Returns:
            A `GameRules`.
        """
        counts = list(class_counts)
        num_classes = len(counts)
        strategy = config.sampling_strategy
        q_dist = class_distribution(
            counts, config.q_class_distribution, strategy
        )
        alpha = synthetic_weight(counts, strategy)
        position = np.zeros(num_classes, dtype=np.int32)
        position[list(generator_classes)] = np.arange(len(generator_classes))
        shift = _logit_shift(config.q_logit_adjustment, counts, alpha, q_dist)
        return cls(
            num_classes=num_classes,
            latent_dim=config.latent_dim,
            critic_steps=config.critic_steps,
            gp_weight=config.gp_weight,
            gan_loss=config.gan_loss,
            beta=config.beta,
            g_q_loss=config.g_q_loss,
            q_fake_loss=config.q_fake_loss,
            fake_rows_per_class=config.fake_rows_per_class,
            q_generated_rows=config.q_generated_rows,
            class_weights={
                "real": class_distribution(counts, "real"),
                "generator": class_distribution(counts, "balanced"),
                "classifier": q_dist,
            },
            support={
                "generator": tuple(generator_classes),
                "classifier": tuple(int(c) for c in np.flatnonzero(q_dist > 0)),
            },
            alpha=alpha,
            class_position=position,
            q_logit_shift=shift,
        )


class Game(typing.NamedTuple):
    """Everything one step reads: rules, players, optimizers, random state.

    Args:
        rules: `GameRules`.
        generator: `aos_keras.CWIGenerator`.
        critic: `aos_keras.Critic`.
        classifier: `aos_keras.Classifier`.
        g_optimizer: the generator's optimizer.
        d_optimizer: the critic's optimizer.
        q_optimizer: the classifier's optimizer.
        seed_generator: `keras.random.SeedGenerator` of the step's draws.
        dtype: str. Compute dtype of the rows.
        step: the step counter (`optimizer.iterations`), or None.
        q_start_step: variable or None. Deferred oversampling: the step
            from which Q sees generated rows.
    """

    rules: GameRules
    generator: typing.Any
    critic: typing.Any
    classifier: typing.Any
    g_optimizer: typing.Any = None
    d_optimizer: typing.Any = None
    q_optimizer: typing.Any = None
    seed_generator: typing.Any = None
    dtype: str = "float32"
    step: typing.Any = None
    q_start_step: typing.Any = None


def train_step(game, data):
    """Run one step of the game on `data`.

    Args:
        game: `Game`.
        data: a batch `(x, y)` or `(x, y, sample_weight)`.

    Returns:
        `(values, y, logits, sample_weight)`: the step's losses by tracker
        name, the batch's class indices, Q's logits on the real rows and
        the sample weights (for `MultiPlayerModel.record`).
    """
    x, y, sample_weight = unpack(data, game.dtype)
    for _ in range(game.rules.critic_steps):
        d_loss, gp, fake = critic_update(game, x, y, sample_weight)
    g_loss = generator_update(game, _batch_size(x))
    shared = fake if game.rules.q_generated_rows == "critic" else None
    q_loss, real_loss, logits = classifier_update(
        game, x, y, sample_weight, generated=shared
    )
    values = {
        "loss": real_loss,
        "q_loss": q_loss,
        "g_loss": g_loss,
        "d_loss": d_loss,
        "gp": gp,
    }
    return values, y, logits, sample_weight


def critic_update(game, x, y, sample_weight=None):
    """One critic update; returns `(loss, gradient_penalty, generated)`.

    `generated` is the `(heads, r, d)` batch of rows G made for it (without
    gradient), which Q may reuse (`q_generated_rows="critic"`).

    The real rows' terms are means weighted by `sample_weight` (rows of
    weight 0, such as `aos_keras.game.batching`'s padding, count for nothing).
    """
    rules, g, d = game.rules, game.generator, game.critic
    classes = g.class_ids
    r = rows_per_class(rules.fake_rows_per_class, _batch_size(x), len(classes))
    z = _noise(game, len(classes), r)
    generated = ops.stop_gradient(call_layer(g, z, training=True))
    fake, fake_ids = flatten_classes(generated, classes)
    weights = rules.class_weights["real"]
    real_term, fake_term = losses.CRITIC_TERMS[rules.gan_loss]
    wgan = rules.gan_loss == "wgan-gp"
    if wgan:
        mixed = _interpolates(game, x, y, fake, r)
    # Real and generated rows in one pass of D (D has no batch statistics).
    rows = ops.concatenate([x, fake], axis=0)
    row_ids = ops.concatenate([y, fake_ids], axis=0)
    n_real = _batch_size(x)

    def loss_fn():
        scores = call_layer(d, rows, row_ids)
        real_scores, fake_scores = scores[:n_real], scores[n_real:]
        loss = weighted_mean(
            real_term(real_scores), sample_weight
        ) + _class_mean(rules, fake_term(fake_scores), fake_ids, weights)
        if not wgan:
            return loss, ops.zeros(())
        gp = weighted_mean(
            losses.gradient_penalty(
                input_gradient(lambda t: call_layer(d, t, y), mixed)
            ),
            sample_weight,
        )
        return loss + rules.gp_weight * gp, gp

    loss, gp = update_player(game.d_optimizer, d.trainable_variables, loss_fn)
    return loss, gp, generated


def generator_update(game, batch_size):
    """One generator update; returns its loss."""
    rules = game.rules
    g, d, q = game.generator, game.critic, game.classifier
    classes = rules.support["generator"]
    r = rows_per_class(rules.fake_rows_per_class, batch_size, len(classes))
    z = _noise(game, len(classes), r)
    weights = rules.class_weights["generator"]
    q_term = CLASS_LOSSES[rules.g_q_loss]
    adversarial = losses.GENERATOR_TERMS[rules.gan_loss]

    def loss_fn():
        fake, ids = flatten_classes(
            call_layer(g, z, class_ids=classes, training=True), classes
        )
        adv = _class_mean(
            rules, adversarial(call_layer(d, fake, ids)), ids, weights
        )
        fool = _class_mean(
            rules, q_term(ids, call_layer(q, fake)), ids, weights
        )
        return adv + rules.beta * fool, ()

    loss, _ = update_player(game.g_optimizer, g.trainable_variables, loss_fn)
    return loss


def classifier_update(game, x, y, sample_weight=None, generated=None):
    """One classifier update; returns `(loss, real-row CE, real logits)`.

    `generated`: None (G makes Q's rows now) or the critic's rows of this
    step, `(heads, r, d)` in the order of `generator.class_ids`, from which
    Q's classes are taken.
    """
    rules = game.rules
    classes = rules.support["classifier"]
    use_fake = rules.alpha > 0 and len(classes) > 0
    if use_fake:
        fake, ids = _classifier_rows(game, x, classes, generated)
        weights = rules.class_weights["classifier"]
        fake_loss = CLASS_LOSSES[rules.q_fake_loss]
        # Real and generated rows in one pass of Q.
        rows = ops.concatenate([x, fake], axis=0)
    q = game.classifier
    n_real = _batch_size(x)
    shift = rules.q_logit_shift  # logit adjustment inside the game, or None
    if shift is not None:
        shift = ops.convert_to_tensor(shift, dtype=x.dtype)
    # Deferred oversampling: 0 before the start step, then 1.
    gate = _deferral_gate(game, x.dtype) if use_fake else None

    def adjusted(logits):
        return logits if shift is None else logits + shift

    def loss_fn():
        if not use_fake:
            logits = call_layer(q, x)
        else:
            all_logits = call_layer(q, rows)
            logits = all_logits[:n_real]
        real = weighted_mean(
            losses.cross_entropy(y, adjusted(logits)), sample_weight
        )
        loss = real
        if use_fake:
            per_row = fake_loss(ids, adjusted(all_logits[n_real:]))
            term = rules.alpha * _class_mean(rules, per_row, ids, weights)
            loss = loss + (term if gate is None else gate * term)
        return loss, (real, logits)

    loss, (real, logits) = update_player(
        game.q_optimizer, q.trainable_variables, loss_fn
    )
    return loss, real, logits


def _logit_shift(strength, counts, alpha, q_dist):
    """Q's in-game logit adjustment: `strength * log(prior)`, or None.

    The prior is the class distribution Q sees: real rows plus generated
    rows of weight `alpha` spread as `q_dist` (Menon et al., ICLR 2021).
    """
    if not strength > 0:
        return None
    real = np.asarray(counts, np.float64) / np.sum(counts)
    prior = real + alpha * np.asarray(q_dist, np.float64)
    return (strength * np.log(prior / prior.sum())).astype("float32")


def _interpolates(game, x, y, fake, r):
    """Rows on the lines between real rows and generated rows of their class.

    Every real row is paired with a generated row of its own class (a
    random one of the `r` of that class), for the gradient penalty.
    """
    slot = ops.cast(
        _uniform(game, ops.shape(y), "float32") * ops.cast(r, "float32"),
        "int32",
    )
    position = ops.take(game.rules.class_position, y)
    pick = position * r + ops.minimum(slot, r - 1)
    matched = ops.take(fake, pick, axis=0)
    eps = _uniform(game, (_batch_size(x), 1), x.dtype)
    return eps * x + (1.0 - eps) * matched


def _classifier_rows(game, x, classes, generated):
    """Q's generated rows of `classes` and their ids.

    Taken from the critic's `generated` rows when given (in the order of
    `generator.class_ids`), else made by G now, without gradient.
    """
    g = game.generator
    if generated is not None:
        index = [g.class_ids.index(c) for c in classes]
        if index != list(range(len(g.class_ids))):
            generated = ops.take(generated, np.asarray(index, "int32"), axis=0)
        return flatten_classes(generated, classes)
    r = rows_per_class(
        game.rules.fake_rows_per_class, _batch_size(x), len(classes)
    )
    z = _noise(game, len(classes), r)
    rows = call_layer(g, z, class_ids=classes, training=True)
    return flatten_classes(ops.stop_gradient(rows), classes)


def _deferral_gate(game, dtype):
    """0 before the deferred-oversampling start step, then 1; or None."""
    if game.q_start_step is None:
        return None
    step = ops.cast(game.step, "float32")
    return ops.cast(ops.greater_equal(step, game.q_start_step), dtype)


def _batch_size(x):
    return ops.shape(x)[0]


def _noise(game, num_classes, rows):
    return noise(
        game.seed_generator,
        num_classes,
        rows,
        game.rules.latent_dim,
        game.dtype,
    )


def _uniform(game, shape, dtype):
    return per_replica(keras.random.uniform, shape, game.seed_generator, dtype)


def _class_mean(rules, values, ids, weights):
    return losses.weighted_class_mean(values, ids, weights, rules.num_classes)
