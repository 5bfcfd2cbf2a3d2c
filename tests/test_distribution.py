"""The AO/DO step on two devices gives the losses of one device.

Each check runs in a subprocess (this file run as a script), because the
device setup must happen before the backend starts: JAX reads
`XLA_FLAGS=--xla_force_host_platform_device_count=2` at import, and
TensorFlow's logical CPUs must be configured before first use.

- JAX, `keras.distribution.DataParallel` over 2 virtual CPU devices: one
  global program with the batch sharded; the default WGAN-GP DO model,
  trained with SGD, gives the losses and weights of one device to float32
  rounding (rtol 1e-5, atol 1e-6 on losses; atol 1e-6 on weights; seen:
  6e-8). SGD, as in the TensorFlow check, because it shows any error in a
  gradient's scale, which Adam hides, and does not amplify rounding: with
  Adam a weight whose gradient is near 0 takes a full step of either sign,
  so the two runs' float32 reduction orders drifted apart by 3e-6 to 2e-5
  after 8 steps depending on the initial weights (the critic's first bias,
  seen with two head initialisations), while with SGD both stayed within
  6e-8.
- TensorFlow, `tf.distribute.MirroredStrategy` over 2 logical CPUs: Keras
  runs the step once per replica on half the batch, and the optimizers SUM
  the replicas' gradients, so each player's loss is scaled by
  `1 / num_replicas_in_sync` (`aos_keras.backend.replica_scale`). The
  replicas draw different noise, so losses can only match one device where
  the generated rows do not depend on the draws: the check freezes the
  generator with zero head kernels (every generated row of class c is the
  mean of its anchors), sets `gp_weight=0` (the penalty is still computed,
  through the nested tape, but does not enter the loss) and trains D and Q
  with SGD, which unlike Adam shows any error in the gradient's scale.
  Losses then match one device to rtol 1e-4 and the weights of D, Q and G
  to atol 1e-5 (seen: 1e-7). Without the scaling D and Q move about twice
  as far (1.75x and 2.05x after these 8 steps, checked once by hand with
  `replica_scale` patched to 1; not rerun here, to keep the test short).
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LOSSES = ("loss", "q_loss", "g_loss", "d_loss")


def _run_child(backend, extra_env=None):
    env = dict(
        os.environ,
        KERAS_BACKEND=backend,
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONPATH=os.pathsep.join(
            p for p in (ROOT, HERE, os.environ.get("PYTHONPATH")) if p
        ),
        **(extra_env or {}),
    )
    out = subprocess.run(
        [sys.executable, __file__, backend],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _assert_same_losses(one, two, rtol, atol, names=LOSSES):
    for name in names:
        np.testing.assert_allclose(
            two["history"][name],
            one["history"][name],
            rtol=rtol,
            atol=atol,
            err_msg=name,
        )


@pytest.mark.backend("jax")
def test_jax_data_parallel_matches_one_device():
    flags = os.environ.get("XLA_FLAGS", "")
    result = _run_child(
        "jax",
        {"XLA_FLAGS": f"{flags} --xla_force_host_platform_device_count=2"},
    )
    one, two = result["one"], result["two"]
    assert one["devices"] == 1 and two["devices"] == 2
    _assert_same_losses(one, two, rtol=1e-5, atol=1e-6, names=LOSSES + ("gp",))
    for key in ("weights", "generator_statistics"):
        for a, b in zip(one[key], two[key]):
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)
    assert one["iterations"] == two["iterations"] == [8, 8, 8]


@pytest.mark.backend("tensorflow")
def test_tf_mirrored_strategy_matches_one_device():
    result = _run_child("tensorflow")
    one, two = result["one"], result["two"]
    assert two["replicas"] == 2
    assert result["replica_scale"] == [0.5, 0.5]
    _assert_same_losses(one, two, rtol=1e-4, atol=1e-5)
    for a, b in zip(one["weights"], two["weights"]):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)
    assert one["iterations"] == two["iterations"] == [8, 8, 8]
    # Each replica draws its own noise.
    assert result["replica_noise_differs"]


# --------------------------------------------------------------- children
def _data():
    from conftest import make_imbalanced

    return make_imbalanced(n_major=48, n_minor=16)  # 4 batches of 16


def _summary(model, history):
    import keras

    def values(player):
        return [keras.ops.convert_to_numpy(v).tolist() for v in player.weights]

    return {
        "history": history.history,
        # Trainable weights of G, every weight of D and Q (they have no
        # other); G's batch-norm statistics depend on the noise draws.
        "weights": values(model.critic)
        + values(model.classifier)
        + [
            keras.ops.convert_to_numpy(v).tolist()
            for v in model.generator.trainable_weights
        ],
        "generator_statistics": [
            keras.ops.convert_to_numpy(v).tolist()
            for v in model.generator.non_trainable_weights
        ],
        "iterations": [
            int(keras.ops.convert_to_numpy(o.iterations))
            for o in (model.d_optimizer, model.g_optimizer, model.q_optimizer)
        ],
    }


def _jax_child():
    import jax
    import keras
    from conftest import TINY

    from aos_keras import AdversarialOversampler

    x, y = _data()

    def run(distribution):
        keras.distribution.set_distribution(distribution)
        keras.utils.set_random_seed(0)
        model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
        model.compile(
            g_optimizer=keras.optimizers.SGD(0.01),
            d_optimizer=keras.optimizers.SGD(0.02),
            q_optimizer=keras.optimizers.SGD(0.05),
        )
        history = model.fit(
            x, y, batch_size=16, epochs=2, shuffle=False, verbose=0
        )
        result = _summary(model, history)
        kernel = model.classifier.trainable_variables[0].value
        result["devices"] = len(kernel.sharding.device_set)
        return result

    assert len(jax.devices()) == 2, jax.devices()
    one = run(None)
    two = run(keras.distribution.DataParallel(devices=jax.devices()))
    return {"one": one, "two": two}


def _tf_child():
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(
        cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2
    )
    import keras
    from conftest import TINY

    from aos_keras import AdversarialOversampler, backend
    from aos_keras.game import schedule

    x, y = _data()

    def build():
        keras.utils.set_random_seed(0)
        model = AdversarialOversampler.from_data(
            x, y, seed=0, gp_weight=0.0, **TINY
        )
        # Generated rows independent of the noise: uniform convex weights.
        for kernel in model.generator.head_kernels:
            kernel.assign(keras.ops.zeros(kernel.shape))
        model.compile(
            g_optimizer=keras.optimizers.SGD(0.0),
            d_optimizer=keras.optimizers.SGD(0.02),
            q_optimizer=keras.optimizers.SGD(0.05),
        )
        return model

    def run(strategy):
        with strategy.scope():
            model = build()
        history = model.fit(
            x, y, batch_size=16, epochs=2, shuffle=False, verbose=0
        )
        result = _summary(model, history)
        result["replicas"] = model.distribute_strategy.num_replicas_in_sync
        return result, model

    one, _ = run(tf.distribute.get_strategy())
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    two, model = run(mirrored)

    draws = mirrored.run(
        tf.function(
            lambda: schedule.noise(model.seed_generator, 2, 3, model.latent_dim)
        )
    )
    a, b = (t.numpy() for t in mirrored.experimental_local_results(draws))
    scales = mirrored.experimental_local_results(
        mirrored.run(lambda: tf.constant(backend.replica_scale()))
    )
    assert backend.replica_scale() == 1.0  # outside a replica step
    return {
        "one": one,
        "two": two,
        "replica_scale": [float(s) for s in scales],
        "replica_noise_differs": bool(not np.allclose(a, b)),
    }


if __name__ == "__main__":
    child = {"jax": _jax_child, "tensorflow": _tf_child}[sys.argv[1]]
    print(json.dumps(child()))
