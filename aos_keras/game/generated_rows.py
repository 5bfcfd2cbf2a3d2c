"""Generated rows of a step: how many, their noise, their class ids.

Shared by the AO/DO schedule and the GAMO baseline: `rows_per_class` rows
of every class of a distribution's support, noise drawn in one flat draw
(different on each replica of a `tf.distribute` step), and the `(K, r, d)`
rows flattened with their class ids.
"""

import math

import keras
import numpy as np
from keras import ops

from aos_keras.backend import replica_context


def rows_per_class(fixed, batch_size, num_classes):
    """Generated rows per class: `fixed`, or `ceil(batch_size / classes)`.

    Args:
        fixed: int or None. A fixed number of rows per class.
        batch_size: int or scalar tensor. Real rows of the step.
        num_classes: int. Classes that get generated rows.

    Returns:
        An int (or a scalar tensor for a dynamic batch size).
    """
    if fixed:
        return fixed
    if isinstance(batch_size, int):
        return max(1, math.ceil(batch_size / num_classes))
    return ops.maximum((batch_size + num_classes - 1) // num_classes, 1)


def noise(seed_generator, num_classes, rows, latent_dim, dtype="float32"):
    """Latent noise `(K, r, latent_dim)` from a seed generator.

    Args:
        seed_generator: `keras.random.SeedGenerator` of the step's draws.
        num_classes: int. `K`.
        rows: int. `r`.
        latent_dim: int. Size of the noise vector.
        dtype: str. Defaults to `"float32"`.

    Returns:
        A float tensor `(K, r, latent_dim)` (each replica of a
        `tf.distribute` step draws its own).
    """
    # One flat draw, reshaped: the same values on every backend, and on
    # JAX one random kernel whose compiled code does not grow with the
    # number of classes (a (26, 2, 100) draw compiled to 4x the LLVM IR
    # of a (2, 16, 100) one).
    flat = per_replica(
        keras.random.normal,
        (num_classes * rows * latent_dim,),
        seed_generator,
        dtype,
    )
    return ops.reshape(flat, (num_classes, rows, latent_dim))


def per_replica(draw, shape, seed, dtype):
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
    if isinstance(r, int):  # static: the ids are a constant
        ids = ops.convert_to_tensor(np.repeat(np.int32(classes), r))
    else:
        ids = ops.repeat(ops.convert_to_tensor(classes, dtype="int32"), r)
    return ops.reshape(rows, (k * r, d)), ids
