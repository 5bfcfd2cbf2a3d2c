"""Where the time of one DO training step goes, on the current backend.

JAX: trace/compile seconds, the compiled step alone against the step
inside `fit`, each player's update alone (the other two stubbed out),
XLA's FLOPs; TensorFlow: how often the step is traced over three epochs
with a partial last batch, and the step time; torch: the share of the step
spent in ATen kernels (`torch.profiler`) against the Python side (Keras
layers and ops), and cProfile's top Python functions.
"""

import cProfile
import os
import pstats
import time

import keras
import numpy as np

from aos_bench.flops import train_state
from aos_bench.timing import EpochTimer, median_of
from aos_keras.game import generated_rows, schedule
from aos_keras.game.model import AdversarialOversampler


def profile_do(x, y, batch, steps, max_anchors=None):
    """Profile DO's step on `steps` full batches of `(x, y)`.

    Args:
        x: float32 array `(N, d)`.
        y: int array `(N,)`.
        batch: int. Batch size.
        steps: int. Full batches per profiled epoch (rows repeated if there
            are fewer).
        max_anchors: int or None. Cap on anchors per class.

    Returns:
        dict: the backend's measurements (see the module notes), times in
        milliseconds per step.
    """
    index = np.arange(steps * batch) % len(x)
    xs, ys = x[index], y[index]
    keras.utils.set_random_seed(0)

    def build():
        model = AdversarialOversampler.from_data(
            x, y, mode="do", seed=0, max_anchors=max_anchors
        )
        model.compile()
        return model

    def fit_ms(model, **kwargs):
        timer = EpochTimer()
        fit = dict(batch_size=batch, epochs=1, verbose=0)
        model.fit(xs, ys, callbacks=[timer], **fit, **kwargs)
        return 1000 * timer.seconds / steps

    backend = keras.backend.backend()
    if backend == "jax":
        return _profile_jax(build, fit_ms, xs, ys, batch, steps)
    if backend == "tensorflow":
        return _profile_tensorflow(build, fit_ms, xs, ys, batch)
    return _profile_torch(build, fit_ms, xs, ys, batch, steps)


def _profile_tensorflow(build, fit_ms, xs, ys, batch):
    traces = []
    original = schedule.train_step

    def counted(model, data):
        traces.append(tuple(data[0].shape))
        return original(model, data)

    schedule.train_step = counted
    try:
        model = build()
        n = len(xs) - batch // 2  # a partial last batch
        model.fit(xs[:n], ys[:n], batch_size=batch, epochs=3, verbose=0)
    finally:
        schedule.train_step = original
    return {
        "traces": [str(t) for t in traces],
        "fit_ms": median_of(lambda: fit_ms(model, nan_guard=False)),
    }


def _profile_jax(build, fit_ms, xs, ys, batch, steps):
    import jax
    from keras import ops

    out = {}
    model = build()
    model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, nan_guard=False)
    out["fit_ms"] = median_of(lambda: fit_ms(model, nan_guard=False))
    out["fit_guard_ms"] = median_of(lambda: fit_ms(model))
    data = (jax.numpy.asarray(xs[:batch]), jax.numpy.asarray(ys[:batch]))

    def compiled_ms(m):
        state = train_state(m)
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

    def critic_stub(game, x, y, sample_weight=None):
        # The rows Q may reuse (`q_generated_rows="critic"`), at no cost.
        classes = game.generator.class_ids
        r = generated_rows.rows_per_class(
            game.rules.fake_rows_per_class, ops.shape(x)[0], len(classes)
        )
        rows = ops.zeros((len(classes), r, ops.shape(x)[1]), x.dtype)
        return zero, zero, rows

    stubs = {
        "critic": critic_stub,
        "generator": lambda game, batch_size: zero,
        "classifier": lambda game, x, y, sample_weight=None, generated=None: (
            zero,
            zero,
            game.classifier(x),
        ),
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
    import torch

    out = {}
    model = build()
    model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, nan_guard=False)
    out["fit_ms"] = median_of(lambda: fit_ms(model, nan_guard=False))
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
