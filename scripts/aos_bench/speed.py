"""Per-epoch time and FLOPs of Q, AO, DO and GAMO's reference loop.

For one data shape and batch size, `measure_config` trains:

- `Q`: the classifier alone (`Classifier`, Adam, sparse cross-entropy);
- `AO`, `DO`: `AdversarialOversampler` (`mode="ao"`/`"do"`), the fused
  three-player step of `aos_keras.game.schedule`, with `fit(nan_guard=False)`;
- `DO+guard`: the same DO model with `fit`'s default `NonFiniteGuard`,
  which reads the losses after every step (one host round trip per step);
- `GAMO-loop`: `aos_bench.gamo_loop.GAMOLoop`, the same three
  networks trained as GAMO's reference code trains them.

Every method is compiled by a warm-up epoch first (its time, tracing and
compilation included, is the "first epoch"), then timed for `rounds`
rounds; within a round the methods run one after the other in a rotating
order, in the same process, so that ratios compare like with like on a
machine whose load changes.
"""

import inspect
import math
import time

import keras

from aos_bench.flops import flops_per_step, network_shapes, xla_flops
from aos_bench.gamo_loop import GAMOLoop
from aos_bench.timing import EpochTimer
from aos_keras.game.classifier import Classifier
from aos_keras.game.model import AdversarialOversampler
from aos_keras.game.players import default_optimizer

METHODS = ("Q", "AO", "DO", "DO+guard", "GAMO-loop")


def has_nan_guard():
    """Whether `AdversarialOversampler.fit` takes `nan_guard`."""
    return (
        "nan_guard" in inspect.signature(AdversarialOversampler.fit).parameters
    )


def measure_config(
    name,
    x,
    y,
    batch,
    *,
    max_anchors=None,
    full_epoch=True,
    timed_steps=None,
    rounds=3,
    xla_check=False,
):
    """Time every method on one data set at one batch size.

    Args:
        name: str. The data set's name (recorded).
        x: float32 array `(N, d)`.
        y: int array `(N,)`, two or more classes.
        batch: int. Batch size.
        max_anchors: int or None. Cap on anchors per class.
        full_epoch: bool. Time whole epochs (the last partial batch
            included); else time `timed_steps` full batches and scale to
            an epoch of `ceil(N / batch)` steps.
        timed_steps: int. Full batches timed when not `full_epoch`.
        rounds: int. Timed rounds after the warm-up epoch.
        xla_check: bool. Also record XLA's FLOP count of one Q and one DO
            step next to this model's (JAX only).

    Returns:
        dict: `dataset`, `rows`, `features`, `batch`, `steps_per_epoch`,
        `timed_steps`, `first_epoch_s` (method to seconds), `epoch_s`
        (method to the seconds of each round, scaled to an epoch), `flops`
        (method to mean matmul FLOPs per timed step) and, with
        `xla_check`, `xla_check`.
    """
    guard = has_nan_guard()
    n = len(x)
    steps_per_epoch = math.ceil(n / batch)
    if full_epoch:
        xs, ys, timed_steps = x, y, steps_per_epoch
    else:
        xs, ys = x[: timed_steps * batch], y[: timed_steps * batch]
    fit = dict(batch_size=batch, epochs=1, verbose=0, shuffle=True)
    no_guard = {"nan_guard": False} if guard else {}
    keras.utils.set_random_seed(0)
    models = {}
    q = Classifier(2, x.shape[1])
    q.compile(
        default_optimizer(),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    models["Q"] = q
    for mode in ("AO", "DO"):
        model = AdversarialOversampler.from_data(
            x, y, mode=mode.lower(), seed=0, max_anchors=max_anchors
        )
        model.compile()
        models[mode] = model
    gamo = GAMOLoop(x, y, batch, max_anchors=max_anchors)

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
    for i in range(rounds):
        for method in methods[i % len(methods) :] + methods[: i % len(methods)]:
            times[method].append(run(method))
    scale = steps_per_epoch / timed_steps
    nets = network_shapes(models["DO"])
    gamo_nets = network_shapes(gamo.shapes())
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
    if xla_check:
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
