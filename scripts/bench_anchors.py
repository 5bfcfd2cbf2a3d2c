"""Large classes: time, memory and accuracy of `max_anchors`.

A generated row of class c costs `O(m_c)` (its head `64 x m_c` and the mix
`w @ tau_c`), and the generator holds `m_c x (64 + d)` weights (plus Adam's
two moments) and the anchors `m_c x d`. With every row as an anchor, a
class of 10^5 rows makes the step and the model large; `max_anchors` keeps a
seeded random subset of each larger class.

Part 1, scaling (synthetic data, d = 10, classes 14 : 1 as in Credit): for
a largest class of 10^3 .. 10^6 rows, DO with and without `max_anchors`,
each configuration in its own subprocess. Reported: the median time per
step over `--steps` timed steps after a warm-up (compilation) epoch, the
time per epoch it implies (`ceil(N / batch)` steps), the peak resident
memory of the process (`ru_maxrss`) and the memory before the model was
built (imports and data).

Part 2, accuracy (Give Me Some Credit, `split_dataset("credit", seed=0)`,
honest protocol): DO with caps 1024 / 4096 / 16384 / all (0), `--epochs`
epochs at batch `--batch-size` (fewer than the paper's 100: stated in the
table), one subprocess per model seed, scored by
`aos_keras.EvaluationCallback` on the validation split (epoch selection)
and the test split; test ACSA and GM at the selected epoch and at the last
epoch. Also the caps 1024 and 4096 with a `ResampleAnchors` callback
(below): a fresh subset of anchors drawn every epoch.

    python scripts/bench_anchors.py [--quick] [--backend jax]
        [--sizes 1000 10000 100000 1000000] [--cap 4096] [--steps 10]
        [--caps 1024 4096 16384 0] [--resample-caps 1024 4096]
        [--epochs 5] [--batch-size 512] [--seeds 0 1 2]
        [--out docs/results/anchors.md]
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time

from aos_bench import datasets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resample_anchors_callback(x, y, max_anchors, seed=None):
    """A callback that draws a new anchor subset of each capped class.

    At the start of every epoch after the first, each class with more than
    `max_anchors` rows gets a fresh seeded random subset of its rows as the
    generator's anchors (same size, so nothing is recompiled), drawn by
    `aos_keras.game.anchors.select_anchors` with the seed `(seed, epoch)`. Head
    unit j then points at a different row, so the generator partly
    relearns its weights each epoch: whether the wider coverage pays is
    what Part 2 measures.
    """
    import keras

    from aos_keras.game.anchors import select_anchors

    class ResampleAnchors(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 0:
                return
            g = self.model.generator
            drawn = select_anchors(
                x,
                y,
                self.model.num_classes,
                max_anchors=max_anchors,
                seed=None if seed is None else (seed, epoch),
                classes=g.class_ids,
            )
            g.set_anchors({c: drawn[c] for c in g.class_ids})

    return ResampleAnchors()


# -------------------------------------------------------------- children
def scaling_child(args):
    """Time and memory of DO with a largest class of `args.size` rows."""
    import keras
    import numpy as np

    from aos_bench.data import synthetic
    from aos_bench.memory import peak_rss_mib, rss_mib
    from aos_bench.timing import EpochTimer
    from aos_keras import AdversarialOversampler

    n_major = args.size
    n_minor = max(2, n_major // 14)
    x, y = synthetic((n_major, n_minor), 10)
    before = rss_mib()
    cap = args.cap or None
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(
        x, y, mode="do", seed=0, max_anchors=cap
    )
    model.compile()
    rows = args.steps * args.batch_size
    xs, ys = x[:rows], y[:rows]
    fit = dict(batch_size=args.batch_size, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(xs, ys, nan_guard=False, **fit)
    first = time.perf_counter() - start
    times = []
    for _ in range(args.repeats):
        timer = EpochTimer()
        model.fit(xs, ys, nan_guard=False, callbacks=[timer], **fit)
        times.append(timer.seconds / args.steps)
    step = float(np.median(times))
    print(
        json.dumps(
            {
                "size": n_major,
                "minority": n_minor,
                "cap": cap,
                "anchors": model.anchor_counts,
                "params": int(
                    sum(np.prod(v.shape) for v in model.generator.weights)
                ),
                "step_s": step,
                "step_s_all": times,
                "epoch_s": step * math.ceil(len(x) / args.batch_size),
                "first_fit_s": first,
                "rss_before_mib": before,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


def accuracy_child(args):
    """Credit, DO with one cap (0 = all rows), honest protocol."""
    import keras

    from aos_bench.memory import peak_rss_mib
    from aos_bench.splits import split_dataset
    from aos_keras import AdversarialOversampler, EvaluationCallback

    split = split_dataset(
        args.dataset, seed=args.split_seed, data_home=args.data_home
    )
    cap = args.cap or None
    keras.utils.set_random_seed(args.seed)
    model = AdversarialOversampler.from_data(
        split.X_train, split.y_train, mode="do", seed=args.seed, max_anchors=cap
    )
    model.compile()
    evaluation = EvaluationCallback(
        {
            "val": (split.X_val, split.y_val),
            "test": (split.X_test, split.y_test),
        },
        monitor="val",
    )
    callbacks = [evaluation]
    if args.resample:
        callbacks.append(
            resample_anchors_callback(
                split.X_train, split.y_train, cap, seed=args.seed
            )
        )
    start = time.perf_counter()
    model.fit(
        split.X_train,
        split.y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    best = evaluation.best_scores("test", by="val")
    last = evaluation.last_scores("test")
    print(
        json.dumps(
            {
                "cap": cap,
                "resample": bool(args.resample),
                "seed": args.seed,
                "anchors": model.anchor_counts,
                "train_rows": len(split.X_train),
                "best_epoch": best["epoch"],
                "test_acsa": best["acsa"],
                "test_gm": best["gm"],
                "last_acsa": last["acsa"],
                "last_gm": last["gm"],
                "seconds": seconds,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


# --------------------------------------------------------------- parent
def run_child(args, kind, **options):
    """One child of `kind` with `options` on `args.backend` (its JSON)."""
    from aos_bench.backends import child_argv
    from aos_bench.backends import run_child as run

    result = run(
        __file__,
        [kind, *child_argv(options)],
        args.backend,
        main=main,
        in_process=args.in_process,
    )
    return {**result, **options} if "error" in result else result


DATASET_NAMES = {"credit": "Give Me Some Credit"}


def report(args, scaling, accuracy, command, load, seconds):
    import numpy as np

    from aos_bench.environment import machine, versions

    lines = [
        "# Large classes: the cost of anchors and of `max_anchors`",
        "",
        "Generated by `scripts/bench_anchors.py`; do not edit by hand.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine()}; {versions()}; "
        f"KERAS_BACKEND={args.backend}. Load average (1 min) at start "
        f"{load[0]:.1f}, at end {load[1]:.1f}; the run took "
        f"{seconds / 60:.1f} min.",
        "",
        "**The machine was shared with a background job** (two niced "
        "`reproduce_table2.py` processes and other work on its 2 cores): "
        "absolute times are slow and noisy. Each configuration ran in its "
        "own process (for its peak memory), so timings of different rows "
        "were not interleaved; read the growth with the class size, which "
        "spans orders of magnitude, not differences of a few percent.",
        "",
        "## Time and memory as the largest class grows",
        "",
        f"Synthetic data, 10 features, classes 14 : 1 (the minority grows "
        f"too), DO, batch {args.scaling_batch_size}; median of "
        f"{args.repeats} "
        f"timings of {args.steps} steps after a warm-up epoch. `epoch` = "
        "step time x `ceil(N / batch)`. `G params` counts the generator's "
        "weights (heads, trunk, anchors; Adam keeps two more copies of the "
        "trainable ones). RSS: peak resident memory of the process; "
        "`base` is before the model was built.",
        "",
        "| largest class | max_anchors | anchors (major, minor) | G params "
        "| ms/step | epoch | peak RSS MiB (base) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in scaling:
        cap = r.get("cap") or "all"
        if "error" in r:
            lines.append(f"| {r['size']} | {cap} | failed: {r['error']} |")
            continue
        epoch = r["epoch_s"]
        epoch_text = (
            f"{epoch:.3g} s" if epoch < 600 else f"{epoch / 3600:.1f} h"
        )
        lines.append(
            f"| {r['size']:,} | {cap} | {tuple(r['anchors'])} "
            f"| {r['params'] / 1e6:.2f} M | {1000 * r['step_s']:.0f} "
            f"| {epoch_text} | {r['peak_rss_mib']:.0f} "
            f"({r['rss_before_mib']:.0f}) |"
        )
    lines += [
        "",
        "## Accuracy cost of the cap on Credit",
        "",
        f"{DATASET_NAMES.get(args.dataset, args.dataset)}, honest protocol "
        f"(`split_dataset('{args.dataset}', "
        f"seed={args.split_seed})`: 70/30 train/test, 20% of train for "
        f"validation; {{n}} training rows), DO, **{args.epochs} epochs at "
        f"batch {args.batch_size} (reduced from the paper's 100 epochs)**, "
        f"model seeds {args.seeds} (anchor subset and initialisation). "
        "Test ACSA and GM (%) at the epoch with the best validation ACSA, "
        "and at the last epoch; mean (min..max over seeds). `+resample`: "
        "the `ResampleAnchors` callback of this script, a fresh random "
        "subset of anchors every epoch (not part of the package).",
        "",
        "| max_anchors | anchors (major, minor) | test ACSA | test GM "
        "| last-epoch ACSA | s/epoch | peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [r["train_rows"] for r in accuracy if "train_rows" in r]
    lines = [
        line.replace("{n}", f"{rows[0]:,}" if rows else "?") for line in lines
    ]
    groups = {}
    for r in accuracy:
        groups.setdefault((r.get("cap"), r.get("resample", False)), []).append(
            r
        )

    def fmt(values):
        values = 100 * np.asarray(values)
        if len(values) == 1:
            return f"{values[0]:.2f}"
        return f"{values.mean():.2f} ({values.min():.1f}..{values.max():.1f})"

    for (cap, resample), runs in groups.items():
        name = f"{cap or 'all'}{' +resample' if resample else ''}"
        ok = [r for r in runs if "error" not in r]
        if not ok:
            lines.append(f"| {name} | failed: {runs[0]['error']} |")
            continue
        lines.append(
            f"| {name} | {tuple(ok[0]['anchors'])} "
            f"| {fmt([r['test_acsa'] for r in ok])} "
            f"| {fmt([r['test_gm'] for r in ok])} "
            f"| {fmt([r['last_acsa'] for r in ok])} "
            f"| {np.mean([r['seconds'] for r in ok]) / args.epochs:.0f} "
            f"| {max(r['peak_rss_mib'] for r in ok):.0f} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="jax")
    parser.add_argument(
        "--sizes", nargs="+", type=int, default=[10**3, 10**4, 10**5, 10**6]
    )
    parser.add_argument("--cap", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--scaling-batch-size", type=int, default=32)
    parser.add_argument(
        "--caps", nargs="+", type=int, default=[1024, 4096, 16384, 0]
    )
    parser.add_argument(
        "--resample-caps", nargs="*", type=int, default=[1024, 4096]
    )
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--split-seed", type=int, default=0)
    parser.add_argument(
        "--data-home",
        default=datasets.data_home(),
    )
    parser.add_argument(
        "--dataset", default="credit", help="data set of the accuracy part"
    )
    parser.add_argument(
        "--out", help="the report (default docs/results/anchors.md)"
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests: 1,000 rows, 2 steps; Haberman with caps of 16 for 2 "
        "epochs, 1 seed; the report in a temporary folder unless --out",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the children in this process (KERAS_BACKEND's backend)",
    )
    parser.add_argument("--child", choices=["scaling", "accuracy"])
    # child options
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--resample", action="store_true", help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child == "scaling":
        return scaling_child(args)
    if args.child == "accuracy":
        return accuracy_child(args)
    if args.quick:
        args.sizes, args.steps, args.repeats = [10**3, 10**5], 3, 1
        args.caps, args.resample_caps, args.epochs = [1024, 0], [], 1
        args.seeds = [0]
    if args.smoke:
        args.sizes, args.cap, args.steps, args.repeats = [1000], 16, 2, 1
        args.dataset, args.caps, args.resample_caps = "haberman", [16], [16]
        args.epochs, args.batch_size, args.seeds = 2, 32, [0]
        if args.out is None:
            args.out = os.path.join(tempfile.mkdtemp(), "anchors.md")
    if args.out is None:
        args.out = os.path.join(ROOT, "docs", "results", "anchors.md")
    if args.in_process:
        import keras

        args.backend = keras.backend.backend()

    command = " ".join(
        ["python scripts/bench_anchors.py", *(argv or sys.argv[1:])]
    )
    load_start, started = os.getloadavg()[0], time.perf_counter()
    scaling = []
    for size in args.sizes:
        for cap in (0, args.cap):
            print(f"scaling: {size} rows, cap {cap or 'all'}", flush=True)
            scaling.append(
                run_child(
                    args,
                    "scaling",
                    size=size,
                    cap=cap,
                    steps=args.steps,
                    repeats=args.repeats,
                    batch_size=args.scaling_batch_size,
                )
            )
            print(json.dumps(scaling[-1]), flush=True)
    accuracy = []
    runs = [(cap, False) for cap in args.caps]
    runs += [(cap, True) for cap in args.resample_caps]
    for cap, resample in runs:
        for seed in args.seeds:
            print(
                f"accuracy: cap {cap or 'all'}, resample {resample}", flush=True
            )
            accuracy.append(
                run_child(
                    args,
                    "accuracy",
                    cap=cap,
                    resample=resample,
                    seed=seed,
                    dataset=args.dataset,
                    split_seed=args.split_seed,
                    epochs=args.epochs,
                    batch_size=args.batch_size,
                    data_home=args.data_home,
                )
            )
            print(json.dumps(accuracy[-1]), flush=True)
    load = (load_start, os.getloadavg()[0])
    text = report(
        args, scaling, accuracy, command, load, time.perf_counter() - started
    )
    from aos_keras.saving import io

    io.write_text(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
