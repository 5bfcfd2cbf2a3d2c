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
forward pass. Every player is updated through `update_player`, the one place
that scales a loss for a replicated `tf.distribute` step.
"""

import math

import keras
from keras import ops

from aos_keras import losses
from aos_keras.backend import (
    input_gradient,
    replica_context,
    replica_scale,
    value_and_grad,
)

# Q's loss on a generated row of class c, by name.
CLASS_LOSSES = {
    "ce": losses.cross_entropy,
    "complement": losses.complement_cross_entropy,
}


def train_step(model, data):
    """Run one step of the game on `data`; return the logs (stateful)."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    x = ops.cast(x, model.compute_dtype)
    y = ops.cast(ops.reshape(y, (-1,)), "int32")
    for _ in range(model.critic_steps):
        d_loss, gp = critic_update(model, x, y)
    g_loss = generator_update(model, _batch_size(x))
    q_loss, real_loss, logits = classifier_update(model, x, y, sample_weight)

    model.optimizer.iterations.assign_add(1)
    trackers = model.trackers
    trackers["loss"].update_state(real_loss)
    trackers["q_loss"].update_state(q_loss)
    trackers["g_loss"].update_state(g_loss)
    trackers["d_loss"].update_state(d_loss)
    trackers["gp"].update_state(gp)
    for metric in model.class_metrics:
        metric.update_state(y, logits, sample_weight)
    return {m.name: m.result() for m in model.metrics}


def test_step(model, data):
    """Score the classifier on `data`: CE loss, ACSA and GM (stateful)."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    x = ops.cast(x, model.compute_dtype)
    y = ops.cast(ops.reshape(y, (-1,)), "int32")
    logits = model.classifier(x)
    model.trackers["loss"].update_state(
        weighted_mean(losses.cross_entropy(y, logits), sample_weight)
    )
    for metric in model.class_metrics:
        metric.update_state(y, logits, sample_weight)
    names = ["loss"] + [m.name for m in model.class_metrics]
    return {m.name: m.result() for m in model.metrics if m.name in names}


def critic_update(model, x, y):
    """One critic update; returns `(loss, gradient_penalty)`."""
    g, d = model.generator, model.critic
    classes = g.class_ids
    r = rows_per_class(model, _batch_size(x), len(classes))
    z = noise(model, len(classes), r)
    fake, fake_ids = flatten_classes(
        ops.stop_gradient(g(z, training=True)), classes
    )
    weights = model.class_weights["real"]
    wgan = model.gan_loss == "wgan-gp"
    if wgan:
        # Pair every real row with a generated row of its own class.
        slot = ops.cast(
            _uniform(model, ops.shape(y), "float32") * ops.cast(r, "float32"),
            "int32",
        )
        pick = _class_position(model, y) * r + ops.minimum(slot, r - 1)
        matched = ops.take(fake, pick, axis=0)
        eps = _uniform(model, (_batch_size(x), 1), x.dtype)
        mixed = eps * x + (1.0 - eps) * matched
    # Real and generated rows in one pass of D (D has no batch statistics).
    rows = ops.concatenate([x, fake], axis=0)
    row_ids = ops.concatenate([y, fake_ids], axis=0)
    n_real = _batch_size(x)

    def loss_fn():
        scores = d(rows, row_ids)
        real_scores, fake_scores = scores[:n_real], scores[n_real:]
        if not wgan:
            loss = ops.mean(ops.softplus(-real_scores)) + _class_mean(
                model, ops.softplus(fake_scores), fake_ids, weights
            )
            return loss, ops.zeros(())
        gp = ops.mean(
            losses.gradient_penalty(input_gradient(lambda t: d(t, y), mixed))
        )
        loss = (
            _class_mean(model, fake_scores, fake_ids, weights)
            - ops.mean(real_scores)
            + model.gp_weight * gp
        )
        return loss, gp

    return update_player(model.d_optimizer, d.trainable_variables, loss_fn)


def generator_update(model, batch_size):
    """One generator update; returns its loss."""
    g, d, q = model.generator, model.critic, model.classifier
    classes = model.support["generator"]
    r = rows_per_class(model, batch_size, len(classes))
    z = noise(model, len(classes), r)
    weights = model.class_weights["generator"]
    q_term = CLASS_LOSSES[model.g_q_loss]
    adversarial = (
        losses.generator_wasserstein
        if model.gan_loss == "wgan-gp"
        else losses.generator_vanilla
    )

    def loss_fn():
        fake, ids = flatten_classes(
            g(z, class_ids=classes, training=True), classes
        )
        adv = _class_mean(model, adversarial(d(fake, ids)), ids, weights)
        fool = _class_mean(model, q_term(ids, q(fake)), ids, weights)
        return adv + model.beta * fool, ()

    loss, _ = update_player(model.g_optimizer, g.trainable_variables, loss_fn)
    return loss


def classifier_update(model, x, y, sample_weight=None):
    """One classifier update; returns `(loss, real-row CE, real logits)`."""
    g, q = model.generator, model.classifier
    classes = model.support["classifier"]
    use_fake = model.alpha > 0 and len(classes) > 0
    if use_fake:
        r = rows_per_class(model, _batch_size(x), len(classes))
        z = noise(model, len(classes), r)
        fake, ids = flatten_classes(
            ops.stop_gradient(g(z, class_ids=classes, training=True)), classes
        )
        weights = model.class_weights["classifier"]
        fake_loss = CLASS_LOSSES[model.q_fake_loss]
        # Real and generated rows in one pass of Q.
        rows = ops.concatenate([x, fake], axis=0)
    n_real = _batch_size(x)
    shift = model.q_logit_shift  # logit adjustment inside the game, or None
    if shift is not None:
        shift = ops.convert_to_tensor(shift, dtype=x.dtype)
    gate = None  # deferred oversampling: 0 before the start step, then 1
    if use_fake and model.oversampling_start_step is not None:
        step = ops.cast(model.optimizer.iterations, "float32")
        gate = ops.cast(
            ops.greater_equal(step, model.oversampling_start_step), x.dtype
        )

    def adjusted(logits):
        return logits if shift is None else logits + shift

    def loss_fn():
        if not use_fake:
            logits = q(x)
        else:
            all_logits = q(rows)
            logits = all_logits[:n_real]
        real = weighted_mean(
            losses.cross_entropy(y, adjusted(logits)), sample_weight
        )
        loss = real
        if use_fake:
            per_row = fake_loss(ids, adjusted(all_logits[n_real:]))
            term = model.alpha * _class_mean(model, per_row, ids, weights)
            loss = loss + (term if gate is None else gate * term)
        return loss, (real, logits)

    loss, (real, logits) = update_player(
        model.q_optimizer, q.trainable_variables, loss_fn
    )
    return loss, real, logits


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


# ------------------------------------------ helpers (shared with baselines)
def _batch_size(x):
    return ops.shape(x)[0]


def rows_per_class(model, batch_size, num_classes):
    """Generated rows per class: `model.fake_rows_per_class` or ceil(B / K)."""
    if model.fake_rows_per_class:
        return model.fake_rows_per_class
    if isinstance(batch_size, int):
        return max(1, math.ceil(batch_size / num_classes))
    return ops.maximum((batch_size + num_classes - 1) // num_classes, 1)


def noise(model, num_classes, rows):
    """Latent noise `(K, r, latent_dim)` from the model's seed generator."""
    return _per_replica(
        keras.random.normal,
        (num_classes, rows, model.latent_dim),
        model.seed_generator,
        model.compute_dtype,
    )


def _uniform(model, shape, dtype):
    seed = model.seed_generator
    return _per_replica(keras.random.uniform, shape, seed, dtype)


def _per_replica(draw, shape, seed, dtype):
    """`draw(shape)`, different on each replica of a `tf.distribute` step.

    The replicas share the seed generator's state, so they would draw the
    same values; under a strategy each replica takes its own slice of one
    draw for all replicas.
    """
    replicas, index = replica_context()
    if replicas == 1:
        return draw(shape, seed=seed, dtype=dtype)
    values = draw((replicas, *shape), seed=seed, dtype=dtype)
    return ops.take(values, index, axis=0)


def flatten_classes(rows, classes):
    """`(K, r, d)` rows to `(K * r, d)` rows and their class ids."""
    k, r, d = ops.shape(rows)[0], ops.shape(rows)[1], ops.shape(rows)[2]
    ids = ops.repeat(ops.convert_to_tensor(classes, dtype="int32"), r)
    return ops.reshape(rows, (k * r, d)), ids


def _class_position(model, y):
    """Position of each class id among the generator's classes."""
    return ops.take(model.class_position, y)


def _class_mean(model, values, ids, weights):
    return losses.weighted_class_mean(values, ids, weights, model.num_classes)


def weighted_mean(values, sample_weight=None):
    """Mean of `values`, weighted by `sample_weight` when given."""
    if sample_weight is None:
        return ops.mean(values)
    w = ops.cast(ops.reshape(sample_weight, (-1,)), values.dtype)
    return ops.sum(w * values) / ops.maximum(ops.sum(w), 1e-12)
