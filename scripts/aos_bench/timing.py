"""Timers of training epochs and steps, and the peak matmul FLOP/s."""

import statistics
import time

import keras
import numpy as np


class EpochTimer(keras.callbacks.Callback):
    """Seconds between `on_epoch_begin` and `on_epoch_end` of one fit.

    After `fit`, `seconds` holds the last epoch's wall time.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start


class StepTimer(keras.callbacks.Callback):
    """Wall time from the end of step `skip` to the end of the epoch.

    After `fit`, `seconds` is that time and `steps` the steps it covers
    (the first `skip` steps, compilation included, are left out).

    Args:
        skip: int. Steps left out at the start. Defaults to `20`.
    """

    def __init__(self, skip=20):
        super().__init__()
        self.skip, self.start, self.steps, self.seconds = skip, None, 0, 0.0

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == self.skip:
            self.start = time.perf_counter()
        elif batch + 1 > self.skip:
            self.steps += 1

    def on_epoch_end(self, epoch, logs=None):
        if self.start is not None:
            self.seconds = time.perf_counter() - self.start


def median_of(fn, repeats=3):
    """The median of `repeats` calls of `fn()`.

    Args:
        fn: callable returning a number.
        repeats: int. Defaults to `3`.

    Returns:
        float.
    """
    return float(statistics.median(fn() for _ in range(repeats)))


def measure_peak(size):
    """Best float32 matmul FLOP/s of numpy and of the Keras backend.

    Args:
        size: int. The matrices are `size x size`; best of 5 timed
            products after a warm-up one.

    Returns:
        dict: `{"numpy": flops_per_s, backend_name: flops_per_s}`.
    """
    a = np.random.default_rng(0).normal(size=(size, size)).astype("float32")
    flops = 2 * size**3

    def best(fn, repeats=5):
        fn()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return flops / min(times)

    result = {"numpy": best(lambda: a @ a)}
    name = keras.backend.backend()
    if name == "jax":
        import jax
        import jax.numpy as jnp

        ja = jnp.asarray(a)
        mm = jax.jit(jnp.matmul)
        result[name] = best(lambda: mm(ja, ja).block_until_ready())
    elif name == "tensorflow":
        import tensorflow as tf

        ta = tf.constant(a)
        mm = tf.function(tf.matmul)
        result[name] = best(lambda: mm(ta, ta).numpy())
    elif name == "torch":
        import torch

        ta = torch.from_numpy(a)
        result[name] = best(lambda: torch.mm(ta, ta))
    return result
