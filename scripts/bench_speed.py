"""Per-epoch time, FLOPs and FLOP/s of Q, AO, DO and a GAMO-style loop.

For each Keras backend (one subprocess each: `KERAS_BACKEND` is fixed at
import) and each data shape below, at each batch size, it trains:

- `Q`: the classifier alone (`Classifier`, Adam, sparse cross-entropy),
  the `Q` baseline of the benchmark;
- `AO`, `DO`: `AdversarialOversampler` (`mode="ao"`/`"do"`), the fused
  three-player step of `aos_keras.schedule`, with `fit(nan_guard=False)`;
- `DO+guard`: the same DO model with `fit`'s default `NonFiniteGuard`, which
  reads the losses after every step (one host round trip per step);
- `GAMO-loop`: the same three networks trained as GAMO's reference code
  trains them, one compiled Keras model per player and update called with
  `train_on_batch`, generated rows made on the host with `predict`: per step
  `G.predict`, `Q.train_on_batch` (real + generated rows),
  `D.train_on_batch` (real rows), `D.train_on_batch` (generated rows) and
  `GDQ.train_on_batch` (G through frozen D and Q), least-squares losses.

Every method is compiled by a warm-up epoch first (its time, which includes
tracing/XLA compilation, is reported as "1st epoch"), then timed for
`--rounds` rounds; within a round the methods run one after the other in a
rotating order, in the same process, so that the ratios compare like with
like on a machine whose load changes. Reported: the median seconds per epoch
and the ratios of medians. Haberman and Secom are timed on whole epochs
(including the last partial batch); Credit is timed on `--credit-steps`
full batches and scaled to an epoch of `ceil(N / batch)` steps.

Data: synthetic, with the shape and class counts of each training split:

    haberman  214 x 3    (157 : 57)
    secom     1000 x 590 (934 : 66)
    credit    105000 x 10 (97982 : 7018), max_anchors 4096 (as in the
              benchmark's Credit setting; see bench_anchors.py for the cap)

FLOPs per step are matrix-multiply FLOPs (2 per multiply-add) computed from
the layer shapes, `flops_per_step` below; elementwise work, optimizers and
batch norm are not counted. A pass over a network with layers of forward
cost `f_l` (rows x in x out x 2) costs:

    forward only                        sum f
    train (grads of its weights)        3 sum f - f_1   (no grad of inputs)
    through (grad of its inputs only)   2 sum f         (G's loss via D, Q)
    gradient penalty                    4 sum f - f_L

The penalty pass is the forward pass, the input-gradient backward pass
(`sum f`) and the backward of that backward with respect to the weights
(two products per backward matmul, one for the top layer whose incoming
gradient is constant). The generator's mix `w (r x m_c) @ tau_c (m_c x d)`
counts 1 unit forward and 1 backward (`tau_c` is constant). On JAX the
script also reports XLA's own FLOP count of the compiled step
(`cost_analysis`) as a check of this model.

Peak: the best float32 matrix multiply FLOP/s of numpy and of the backend
(n x n, `--peak-size`), measured in the same run, on the same loaded
machine.

    python scripts/bench_speed.py [--quick] [--backends jax tensorflow torch]
        [--datasets haberman secom credit] [--batch-sizes 32 256]
        [--rounds 3] [--credit-steps 40] [--out docs/results/speed.md]
"""

import argparse
import inspect
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

SHAPES = {
    "haberman": {"counts": (157, 57), "features": 3, "max_anchors": None},
    "secom": {"counts": (934, 66), "features": 590, "max_anchors": None},
    "credit": {"counts": (97982, 7018), "features": 10, "max_anchors": 4096},
}
FULL_EPOCH = ("haberman", "secom")
METHODS = ("Q", "AO", "DO", "DO+guard", "GAMO-loop")


# ------------------------------------------------------------------ FLOPs
def _dense_flops(rows, dims):
    """Forward FLOPs of each dense layer of an MLP with widths `dims`."""
    return [2 * rows * a * b for a, b in zip(dims[:-1], dims[1:])]


def _pass(kind, layers):
    total = sum(layers)
    if kind == "forward":
        return total
    if kind == "train":
        return 3 * total - layers[0]
    if kind == "through":
        return 2 * total
    if kind == "gp":
        return 4 * total - layers[-1]
    raise ValueError(kind)


def _generator(kind, nets, classes, rows):
    """G on `rows` rows of each class: trunk, heads and convex mix."""
    units = nets["g_units"]
    trunk = _dense_flops(len(classes) * rows, (nets["g_in"], *units))
    heads = sum(2 * rows * units[-1] * nets["anchors"][c] for c in classes)
    mix = sum(2 * rows * nets["anchors"][c] * nets["d"] for c in classes)
    if kind == "forward":
        return sum(trunk) + heads + mix
    return _pass("train", trunk) + 3 * heads + 2 * mix


def network_shapes(model=None, num_features=None, num_classes=None):
    """Layer widths of the three players (the model's, or the defaults)."""
    if model is None:
        return {
            "d": num_features,
            "q": (num_features, 256, 128, 64, num_classes),
        }
    c, d = model.num_classes, model.num_features
    return {
        "d": d,
        "q": (d, *model.classifier_units, c),
        "critic": (d + c, *model.critic_units, 1),
        "g_in": model.latent_dim + c,
        "g_units": model.generator_units,
        "anchors": model.anchor_counts,
    }


def flops_per_step(method, batch, nets, model=None):
    """Matrix-multiply FLOPs of one training step (see the module notes).

    Args:
        method: "Q", "AO", "DO" or "GAMO-loop".
        batch: int. Real rows per step.
        nets: dict from `network_shapes`.
        model: the `AdversarialOversampler` (AO/DO: supports, alpha and
            rows per class come from it) or a `GAMOLoop`.

    Returns:
        int.
    """
    from aos_keras import schedule

    q = lambda n: _dense_flops(n, nets["q"])  # noqa: E731
    if method == "Q":
        return _pass("train", q(batch))
    d = lambda n: _dense_flops(n, nets["critic"])  # noqa: E731
    if method == "GAMO-loop":
        k, r = model.classes, model.rows
        fake = len(k) * r
        return (
            _generator("forward", nets, k, r)  # predict
            + _pass("train", q(batch + fake))
            + _pass("train", d(batch))
            + _pass("train", d(fake))
            + _generator("train", nets, k, r)
            + _pass("through", d(fake))
            + _pass("through", q(fake))
        )
    total = 0
    classes = model.generator.class_ids
    r = schedule.rows_per_class(model, batch, len(classes))
    critic = _generator("forward", nets, classes, r) + _pass(
        "train", d(batch + len(classes) * r)
    )
    if model.gan_loss == "wgan-gp":
        critic += _pass("gp", d(batch))
    total += model.critic_steps * critic
    classes = model.support["generator"]
    r = schedule.rows_per_class(model, batch, len(classes))
    total += (
        _generator("train", nets, classes, r)
        + _pass("through", d(len(classes) * r))
        + _pass("through", q(len(classes) * r))
    )
    classes = model.support["classifier"]
    if model.alpha > 0 and classes:
        r = schedule.rows_per_class(model, batch, len(classes))
        total += _generator("forward", nets, classes, r) + _pass(
            "train", q(batch + len(classes) * r)
        )
    else:
        total += _pass("train", q(batch))
    return total


# ------------------------------------------------------------ the child
def synthetic(counts, features, seed=0):
    """Gaussian classes with the given counts; the minority shifted."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    x = rng.normal(size=(len(y), features)).astype("float32")
    x[y > 0] += 0.5
    order = rng.permutation(len(y))
    return x[order], y[order].astype("int64")


class EpochTimer:
    """Seconds between `on_epoch_begin` and `on_epoch_end` of one fit."""

    def __new__(cls):
        import keras

        class _Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.seconds = time.perf_counter() - self.start

        return _Timer()


class GAMOLoop:
    """GAMO's reference training loop, re-expressed with Keras 3 models.

    One compiled model per player and update, each called with
    `train_on_batch`; the rows for Q and D are generated on the host with
    `predict`. D and Q are frozen (`trainable = False`) while the combined
    model `GDQ` trains G through them and unfrozen for their own updates,
    as GAMO does; each model always sees the same frozen state, so its
    compiled function stays valid. The generator makes rows of the minority
    classes only (GAMO), `rows` per class and step (`ceil(B / K)`).
    """

    def __init__(self, x, y, batch_size, max_anchors=None, seed=0):
        import keras
        import numpy as np
        from keras import ops

        from aos_keras import Classifier, Critic, CWIGenerator

        counts = np.bincount(y)
        self.num_classes = c = len(counts)
        self.classes = tuple(
            int(k) for k in np.flatnonzero(counts < counts.max())
        )
        self.rows = math.ceil(batch_size / len(self.classes))
        self.batch_size = batch_size
        self.latent_dim = 100
        self.rng = np.random.default_rng(seed)
        anchors = []
        for k in range(c):
            rows = x[y == k] if k in self.classes else x[:0]
            if max_anchors and len(rows) > max_anchors:
                rows = rows[: int(max_anchors)]
            anchors.append(rows)
        self.generator = CWIGenerator(
            [len(a) for a in anchors], x.shape[1], self.latent_dim
        )
        self.generator.set_anchors(anchors)
        self.critic = Critic(c, x.shape[1])
        self.classifier = Classifier(c, x.shape[1])
        self.anchor_counts = self.generator.anchor_counts
        k, r, latent = len(self.classes), self.rows, self.latent_dim
        classes, gen = self.classes, self.generator
        ids = np.repeat(np.asarray(classes, "int32"), r)
        self.fake_ids = ids
        critic, classifier = self.critic, self.classifier

        def generate(model, z, training):
            z = ops.reshape(z, (k, r, latent))
            rows = model.gen(z, class_ids=classes, training=training)
            return ops.reshape(rows, (k * r, -1))

        class G(keras.Model):
            def __init__(self):
                super().__init__()
                self.gen = gen

            def call(self, z, training=None):
                return generate(self, z, training)

        class D(keras.Model):
            def __init__(self):
                super().__init__()
                self.critic = critic

            def call(self, inputs):
                rows, labels = inputs
                return ops.sigmoid(self.critic(rows, labels))[:, None]

        class Q(keras.Model):
            def __init__(self):
                super().__init__()
                self.classifier = classifier

            def call(self, rows):
                return ops.softmax(self.classifier(rows), axis=-1)

        class GDQ(keras.Model):
            def __init__(self):
                super().__init__()
                self.gen, self.critic = gen, critic
                self.classifier = classifier

            def call(self, z, training=None):
                rows = generate(self, z, training)
                judged = ops.sigmoid(self.critic(rows, ids))[:, None]
                return judged, ops.softmax(self.classifier(rows), axis=-1)

        def adam():
            return keras.optimizers.Adam(2e-4, beta_1=0.5)

        self.g, self.d, self.q, self.gdq = G(), D(), Q(), GDQ()
        self.d.compile(adam(), "mse")
        self.q.compile(adam(), "mse")
        self.gdq.compile(adam(), ["mse", "mse"])
        self.eye = np.eye(c, dtype="float32")

    def _freeze(self, frozen):
        self.critic.trainable = not frozen
        self.classifier.trainable = not frozen

    def step(self, x, y):
        import numpy as np

        n = len(self.fake_ids)
        z = self.rng.normal(size=(n, self.latent_dim)).astype("float32")
        fake = self.g.predict(z, batch_size=n, verbose=0)
        self._freeze(False)
        self.q.train_on_batch(
            np.concatenate([x, fake]),
            self.eye[np.concatenate([y, self.fake_ids])],
        )
        ones = np.ones((len(x), 1), "float32")
        self.d.train_on_batch((x, y.astype("int32")), ones)
        self.d.train_on_batch((fake, self.fake_ids), np.zeros((n, 1)))
        self._freeze(True)
        z = self.rng.normal(size=(n, self.latent_dim)).astype("float32")
        self.gdq.train_on_batch(
            z, [np.ones((n, 1), "float32"), 1.0 - self.eye[self.fake_ids]]
        )

    def epoch(self, x, y):
        order = self.rng.permutation(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), self.batch_size):
            batch = order[i : i + self.batch_size]
            self.step(x[batch], y[batch])
        return time.perf_counter() - start


def measure_peak(size):
    """Best float32 matmul FLOP/s of numpy and of the Keras backend."""
    import keras
    import numpy as np

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


def xla_flops(model, x, y):
    """XLA's FLOP count of one compiled train step (JAX only)."""
    import jax

    state = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        [v.value for v in model.optimizer.variables],
        [v.value for v in model.metrics_variables],
    )
    compiled = jax.jit(model.train_step).lower(state, (x, y)).compile()
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return float(cost.get("flops", float("nan")))


def measure(args):
    """Child process: every configuration on this backend; prints JSON."""
    import keras

    from aos_keras import AdversarialOversampler

    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        torch.set_num_threads(args.torch_threads)
    guard = (
        "nan_guard" in inspect.signature(AdversarialOversampler.fit).parameters
    )
    out = {"backend": backend, "peak": measure_peak(args.peak_size)}
    out["configs"] = []
    for name in args.datasets:
        shape = SHAPES[name]
        x, y = synthetic(shape["counts"], shape["features"])
        for batch in args.batch_sizes:
            out["configs"].append(
                _measure_config(args, name, shape, x, y, batch, guard, backend)
            )
            print(json.dumps(out["configs"][-1]), file=sys.stderr, flush=True)
    out["peak_after"] = measure_peak(args.peak_size)
    print(json.dumps(out))


def _measure_config(args, name, shape, x, y, batch, guard, backend):
    import keras

    from aos_keras import AdversarialOversampler, Classifier

    n = len(x)
    steps_per_epoch = math.ceil(n / batch)
    if name in FULL_EPOCH:
        xs, ys, timed_steps = x, y, steps_per_epoch
    else:
        timed_steps = args.credit_steps
        xs, ys = x[: timed_steps * batch], y[: timed_steps * batch]
    fit = dict(batch_size=batch, epochs=1, verbose=0, shuffle=True)
    no_guard = {"nan_guard": False} if guard else {}
    keras.utils.set_random_seed(0)
    models = {}
    q = Classifier(2, x.shape[1])
    q.compile(
        keras.optimizers.Adam(2e-4, beta_1=0.5),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    models["Q"] = q
    for mode in ("AO", "DO"):
        model = AdversarialOversampler.from_data(
            x, y, mode=mode.lower(), seed=0, max_anchors=shape["max_anchors"]
        )
        model.compile()
        models[mode] = model
    gamo = GAMOLoop(x, y, batch, max_anchors=shape["max_anchors"])

    def run(method):
        if method == "GAMO-loop":
            return gamo.epoch(xs, ys)
        timer = EpochTimer()
        extra = {} if method == "Q" else no_guard
        if method == "DO+guard":
            model, extra = models["DO"], {}
        else:
            model = models[method]
        model.fit(xs, ys, callbacks=[timer], **fit, **extra)
        return timer.seconds

    methods = [m for m in METHODS if guard or m != "DO+guard"]
    first = {}
    for method in methods:
        start = time.perf_counter()
        run(method)
        first[method] = time.perf_counter() - start
    times = {m: [] for m in methods}
    for i in range(args.rounds):
        for method in methods[i % len(methods) :] + methods[: i % len(methods)]:
            times[method].append(run(method))
    scale = steps_per_epoch / timed_steps
    nets = network_shapes(models["DO"])
    gamo_nets = network_shapes(_as_model(gamo))
    # Rows of each timed step: the epoch's batches, the last one partial.
    sizes = [batch] * (len(xs) // batch) + [len(xs) % batch] * bool(
        len(xs) % batch
    )

    def mean_flops(method, nets, model=None):
        total = sum(flops_per_step(method, b, nets, model) for b in sizes)
        return total / len(sizes)

    result = {
        "dataset": name,
        "rows": n,
        "features": x.shape[1],
        "batch": batch,
        "steps_per_epoch": steps_per_epoch,
        "timed_steps": timed_steps,
        "first_epoch_s": first,
        "epoch_s": {m: [t * scale for t in v] for m, v in times.items()},
        # Mean matmul FLOPs per timed step.
        "flops": {
            "Q": mean_flops("Q", nets),
            "AO": mean_flops("AO", nets, models["AO"]),
            "DO": mean_flops("DO", nets, models["DO"]),
            "GAMO-loop": mean_flops("GAMO-loop", gamo_nets, gamo),
        },
    }
    if backend == "jax" and batch == args.batch_sizes[-1]:
        # XLA's count of one step on a first batch, next to ours.
        rows = min(batch, len(xs))
        xb, yb = xs[:rows], ys[:rows]
        result["xla_check"] = {
            "rows": rows,
            "ours": {
                m: flops_per_step(m, rows, nets, models.get(m))
                for m in ("Q", "DO")
            },
            "xla": {m: xla_flops(models[m], xb, yb) for m in ("Q", "DO")},
        }
    return result


def _as_model(gamo):
    """The attributes `network_shapes` reads, for the GAMO-style loop."""

    class Shapes:
        num_classes = gamo.num_classes
        num_features = gamo.critic.num_features
        classifier_units = gamo.classifier.hidden_units
        critic_units = gamo.critic.hidden_units
        latent_dim = gamo.latent_dim
        generator_units = gamo.generator.trunk_units
        anchor_counts = gamo.anchor_counts

    return Shapes


# ------------------------------------------------------------- profile
def profile(args):
    """Child process: where the time of one DO step goes on this backend.

    Prints a JSON summary: JAX: trace/compile seconds, the compiled step
    alone against the step inside `fit`, each player's update alone (the
    other two stubbed out), XLA's FLOPs; TensorFlow: how often the step is
    traced over three epochs with a partial last batch, the step time;
    torch: the share of the step spent in ATen kernels (torch.profiler)
    against the Python side (Keras layers and ops), and cProfile's top
    Python functions.
    """
    import keras
    import numpy as np

    from aos_keras import AdversarialOversampler, schedule

    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        torch.set_num_threads(args.torch_threads)
    name, batch = args.datasets[0], args.batch_sizes[0]
    shape = SHAPES[name]
    x, y = synthetic(shape["counts"], shape["features"])
    # `--credit-steps` full batches, the rows repeated if there are fewer.
    steps = args.credit_steps
    index = np.arange(steps * batch) % len(x)
    xs, ys = x[index], y[index]
    keras.utils.set_random_seed(0)

    def build():
        model = AdversarialOversampler.from_data(
            x, y, mode="do", seed=0, max_anchors=shape["max_anchors"]
        )
        model.compile()
        return model

    def fit_ms(model, **kwargs):
        timer = EpochTimer()
        fit = dict(batch_size=batch, epochs=1, verbose=0)
        model.fit(xs, ys, callbacks=[timer], **fit, **kwargs)
        return 1000 * timer.seconds / steps

    out = {"backend": backend, "dataset": name, "batch": batch}
    if backend == "jax":
        out.update(_profile_jax(args, build, fit_ms, xs, ys, batch, steps))
    elif backend == "tensorflow":
        traces = []
        original = schedule.train_step

        def counted(model, data):
            traces.append(tuple(data[0].shape))
            return original(model, data)

        schedule.train_step = counted
        model = build()
        n = len(xs) - batch // 2  # a partial last batch
        model.fit(xs[:n], ys[:n], batch_size=batch, epochs=3, verbose=0)
        schedule.train_step = original
        out["traces"] = [str(t) for t in traces]
        out["fit_ms"] = _median_of(lambda: fit_ms(model, nan_guard=False))
    else:
        out.update(_profile_torch(build, fit_ms, xs, ys, batch, steps))
    print(json.dumps(out))


def _median_of(fn, repeats=3):
    return float(statistics.median(fn() for _ in range(repeats)))


def _profile_jax(args, build, fit_ms, xs, ys, batch, steps):
    import jax
    import numpy as np
    from keras import ops

    from aos_keras import schedule

    out = {}
    model = build()
    model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, nan_guard=False)
    out["fit_ms"] = _median_of(lambda: fit_ms(model, nan_guard=False))
    out["fit_guard_ms"] = _median_of(lambda: fit_ms(model))

    def state_of(m):
        return (
            [v.value for v in m.trainable_variables],
            [v.value for v in m.non_trainable_variables],
            [v.value for v in m.optimizer.variables],
            [v.value for v in m.metrics_variables],
        )

    data = (jax.numpy.asarray(xs[:batch]), jax.numpy.asarray(ys[:batch]))

    def compiled_ms(m):
        state = state_of(m)
        start = time.perf_counter()
        traced = jax.jit(m.train_step).trace(state, data)
        lowered = traced.lower()
        t_lower = time.perf_counter() - start
        start = time.perf_counter()
        step = lowered.compile()
        t_compile = time.perf_counter() - start
        cost = step.cost_analysis()
        cost = cost[0] if isinstance(cost, list) else cost
        _, state = step(state, data)
        jax.block_until_ready(state)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(steps):
                _, state = step(state, data)
            jax.block_until_ready(state)
            times.append(1000 * (time.perf_counter() - start) / steps)
        return {
            "trace_lower_s": t_lower,
            "compile_s": t_compile,
            "step_ms": float(np.median(times)),
            "xla_mflop": float(cost.get("flops", float("nan"))) / 1e6,
        }

    out["whole"] = compiled_ms(model)
    zero = ops.zeros(())
    stubs = {
        "critic": lambda m, x, y: (zero, zero),
        "generator": lambda m, b: zero,
        "classifier": lambda m, x, y, w=None: (zero, zero, m.classifier(x)),
    }
    original = {
        "critic": schedule.critic_update,
        "generator": schedule.generator_update,
        "classifier": schedule.classifier_update,
    }
    for player in stubs:
        for other, stub in stubs.items():
            setattr(schedule, f"{other}_update", stub)
        setattr(schedule, f"{player}_update", original[player])
        try:
            out[player] = compiled_ms(build())
        finally:
            for other, fn in original.items():
                setattr(schedule, f"{other}_update", fn)
    return out


def _profile_torch(build, fit_ms, xs, ys, batch, steps):
    import cProfile
    import pstats

    import torch

    out = {}
    model = build()
    model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, nan_guard=False)
    out["fit_ms"] = _median_of(lambda: fit_ms(model, nan_guard=False))
    with torch.profiler.profile(
        activities=[torch.profiler.ProfilerActivity.CPU]
    ) as prof:
        start = time.perf_counter()
        model.fit(
            xs, ys, batch_size=batch, epochs=1, verbose=0, nan_guard=False
        )
        wall = time.perf_counter() - start
    events = prof.key_averages()
    aten = sum(
        e.self_cpu_time_total for e in events if e.key.startswith("aten::")
    )
    out["profiled_wall_ms_per_step"] = 1000 * wall / steps
    out["aten_ms_per_step"] = aten / 1000 / steps
    top = sorted(
        (e for e in events if e.key.startswith("aten::")),
        key=lambda e: -e.self_cpu_time_total,
    )[:8]
    out["top_aten"] = [
        [
            e.key,
            e.count // steps,
            round(e.self_cpu_time_total / 1000 / steps, 3),
        ]
        for e in top
    ]
    profiler = cProfile.Profile()
    profiler.enable()
    start = time.perf_counter()
    model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, nan_guard=False)
    wall = time.perf_counter() - start
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    calls = {}
    for (file, line, func), (cc, nc, tt, ct, _) in stats.items():
        calls[f"{os.path.basename(file)}:{func}"] = (nc // steps, ct)
    keys = [
        "layer.py:__call__",
        "core.py:convert_to_tensor",
        "backend.py:_torch_value_and_grad",
        "base_optimizer.py:apply",
        "generator.py:call",
        "critic.py:call",
        "classifier.py:call",
    ]
    out["cprofile_wall_ms_per_step"] = 1000 * wall / steps
    out["cprofile"] = {
        k: [calls[k][0], round(1000 * calls[k][1] / steps, 2)]
        for k in keys
        if k in calls
    }
    return out


# ----------------------------------------------------------- the report
def machine():
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        mem = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs{mem}, Python " + (
        platform.python_version()
    )


def versions():
    import importlib.metadata as md

    names = ("keras", "tensorflow-cpu", "jax", "torch", "numpy")
    found = []
    for name in names:
        try:
            found.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            pass
    return ", ".join(found)


def _median(values):
    return statistics.median(values)


def report(args, results, command, load, seconds):
    lines = [
        "# Speed: Q, AO, DO and a GAMO-style loop",
        "",
        "Generated by `scripts/bench_speed.py`; do not edit by hand.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine()}; {versions()}.",
        f"Load average (1 min) at start {load[0]:.1f}, at end "
        f"{load[1]:.1f}; the run took {seconds / 60:.0f} min.",
        "",
        "**The machine was shared with a background job** (two niced "
        "`reproduce_table2.py` processes and other work on its 2 cores) "
        "while this ran. Absolute times are therefore slow and noisy; "
        "compare the RATIOS, which were measured within one process, the "
        "methods interleaved round by round (median of "
        f"{args.rounds} rounds each).",
        "",
        "Data: synthetic, shaped like each training split (Haberman 214 x "
        "3, Secom 1000 x 590, Credit 105000 x 10 with max_anchors 4096). "
        "Haberman and Secom: whole epochs, the last partial batch "
        f"included. Credit: {args.credit_steps} full batches timed and "
        "scaled to the epoch's `ceil(N / batch)` steps. "
        f"torch ran with {args.torch_threads} intra-op thread(s). "
        "AO and DO ran with `fit(nan_guard=False)`; `DO+guard` is the "
        "same model with `fit`'s default per-step NaN guard.",
        "",
        "## Seconds per epoch and ratios",
        "",
        "Seconds: medians over the rounds. Time ratios: ratio of the "
        "medians, and in brackets the ratio of the fastest rounds (the "
        "least disturbed by the background load); next to them the ratio "
        "of matmul FLOPs per step (see the next table). `GAMO/DO` is the "
        "GAMO-style loop's time over the fused DO step's on the same "
        "backend.",
        "",
        "| data | batch | backend | Q s | AO s | DO s | DO+guard s "
        "| GAMO-loop s | AO/Q time | AO/Q FLOPs | DO/Q time | DO/Q FLOPs "
        "| GAMO/DO |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for res in results:
        if "error" in res:
            lines.append(f"| {res['backend']}: failed: {res['error']} |")
            continue
        for cfg in res["configs"]:
            med = {m: _median(v) for m, v in cfg["epoch_s"].items()}
            low = {m: min(v) for m, v in cfg["epoch_s"].items()}
            fl = cfg["flops"]
            guard = med.get("DO+guard")

            def ratio(a, b):
                return f"{med[a] / med[b]:.2f} [{low[a] / low[b]:.2f}]"

            lines.append(
                f"| {cfg['dataset']} | {cfg['batch']} | {res['backend']} "
                f"| {med['Q']:.3g} | {med['AO']:.3g} | {med['DO']:.3g} "
                f"| {'-' if guard is None else f'{guard:.3g}'} "
                f"| {med['GAMO-loop']:.3g} "
                f"| {ratio('AO', 'Q')} | {fl['AO'] / fl['Q']:.1f} "
                f"| {ratio('DO', 'Q')} | {fl['DO'] / fl['Q']:.1f} "
                f"| {ratio('GAMO-loop', 'DO')} |"
            )
    lines += [
        "",
        "## First epoch (compilation included), seconds",
        "",
        "| data | batch | backend | Q | AO | DO | GAMO-loop |",
        "|---|---|---|---|---|---|---|",
    ]
    for res in results:
        for cfg in res.get("configs", []):
            f = cfg["first_epoch_s"]
            lines.append(
                f"| {cfg['dataset']} | {cfg['batch']} | {res['backend']} "
                f"| {f['Q']:.2f} | {f['AO']:.2f} | {f['DO']:.2f} "
                f"| {f['GAMO-loop']:.2f} |"
            )
    lines += [
        "",
        "## FLOPs per step and achieved FLOP/s",
        "",
        "Mean MFLOP per timed step from the layer shapes "
        "(`flops_per_step`). Achieved GFLOP/s = FLOPs per step x steps "
        "per epoch / seconds per epoch; `%peak` against the best "
        "float32 matmul FLOP/s measured in the same process.",
        "",
        "| data | batch | Q MFLOP | AO MFLOP | DO MFLOP | GAMO-loop MFLOP "
        "| AO/Q | DO/Q |",
        "|---|---|---|---|---|---|---|---|",
    ]
    table, checks = {}, []
    for res in results:
        for cfg in res.get("configs", []):
            table[(cfg["dataset"], cfg["batch"])] = cfg["flops"]
            if cfg.get("xla_check"):
                checks.append((cfg["dataset"], cfg["xla_check"]))
    for (name, batch), fl in table.items():
        lines.append(
            f"| {name} | {batch} | {fl['Q'] / 1e6:.1f} "
            f"| {fl['AO'] / 1e6:.1f} | {fl['DO'] / 1e6:.1f} "
            f"| {fl['GAMO-loop'] / 1e6:.1f} | {fl['AO'] / fl['Q']:.1f} "
            f"| {fl['DO'] / fl['Q']:.1f} |"
        )
    if checks:
        lines += [
            "",
            "Check of the FLOP model against XLA's count of the compiled "
            "JAX step (`cost_analysis`, all ops, elementwise included):",
            "",
            "| data | rows | Q ours / XLA MFLOP | DO ours / XLA MFLOP |",
            "|---|---|---|---|",
        ]
        for name, check in checks:
            ours, xla = check["ours"], check["xla"]
            lines.append(
                f"| {name} | {check['rows']} "
                f"| {ours['Q'] / 1e6:.1f} / {xla['Q'] / 1e6:.1f} "
                f"| {ours['DO'] / 1e6:.1f} / {xla['DO'] / 1e6:.1f} |"
            )
    lines += [
        "",
        "| backend | peak GFLOP/s (numpy / backend, start -> end) | data "
        "| batch | Q GFLOP/s | AO GFLOP/s | DO GFLOP/s | DO %peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for res in results:
        if "configs" not in res:
            continue
        peak = max(
            list(res["peak"].values()) + list(res["peak_after"].values())
        )
        peak_text = (
            " / ".join(f"{v / 1e9:.0f}" for v in res["peak"].values())
            + " -> "
            + " / ".join(f"{v / 1e9:.0f}" for v in res["peak_after"].values())
        )
        for cfg in res["configs"]:
            med = {m: _median(v) for m, v in cfg["epoch_s"].items()}
            rate = {
                m: cfg["flops"][m] * cfg["steps_per_epoch"] / med[m]
                for m in ("Q", "AO", "DO")
            }
            lines.append(
                f"| {res['backend']} | {peak_text} | {cfg['dataset']} "
                f"| {cfg['batch']} | {rate['Q'] / 1e9:.2f} "
                f"| {rate['AO'] / 1e9:.2f} | {rate['DO'] / 1e9:.2f} "
                f"| {100 * rate['DO'] / peak:.1f}% |"
            )
    lines += [
        "",
        "<details><summary>Raw seconds per epoch, per round</summary>",
        "",
        "```",
    ]
    for res in results:
        for cfg in res.get("configs", []):
            rounds = {
                m: [round(t, 4) for t in v] for m, v in cfg["epoch_s"].items()
            }
            lines.append(
                f"{res['backend']} {cfg['dataset']} {cfg['batch']}: "
                f"{json.dumps(rounds)}"
            )
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends", nargs="+", default=["jax", "tensorflow", "torch"]
    )
    parser.add_argument("--datasets", nargs="+", default=list(SHAPES))
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[32, 256])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--credit-steps", type=int, default=40)
    parser.add_argument("--peak-size", type=int, default=1024)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="batch 256 only, 1 round, 10 Credit steps (a smoke run)",
    )
    parser.add_argument("--out", default="docs/results/speed.md")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: where the time of a DO step goes, per backend, on "
        "the first of --datasets and --batch-sizes (JSON lines)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.batch_sizes, args.rounds, args.credit_steps = [256], 1, 10
    if args.child:
        return profile(args) if args.profile else measure(args)

    command = " ".join(
        ["python scripts/bench_speed.py", *(argv or sys.argv[1:])]
    )
    load_start, started = os.getloadavg()[0], time.perf_counter()
    results = []
    child = [
        "--datasets", *args.datasets,
        "--batch-sizes", *map(str, args.batch_sizes),
        "--rounds", str(args.rounds),
        "--credit-steps", str(args.credit_steps),
        "--peak-size", str(args.peak_size),
        "--torch-threads", str(args.torch_threads),
    ] + ["--profile"] * args.profile  # fmt: skip
    for backend in args.backends:
        print(f"== {backend}", flush=True)
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        proc = subprocess.run(
            [sys.executable, __file__, "--child", *child],
            env=env,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.PIPE,
            text=True,
        )
        if proc.returncode != 0:
            err = (proc.stderr or "").strip().splitlines()[-1:] or ["?"]
            results.append({"backend": backend, "error": err[0][:300]})
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        if args.profile:
            print(json.dumps(results[-1], indent=1), flush=True)
    if args.profile:
        return
    load = (load_start, os.getloadavg()[0])
    text = report(args, results, command, load, time.perf_counter() - started)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": command, "results": results}, f)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
