"""One epoch of AO/DO on 1,000,000 x 50 synthetic rows (1:100), bounded memory.

The generator's size is capped by `max_anchors` whatever the class sizes:
each class keeps at most `max_anchors` rows as anchors (a seeded subset),
so its head has at most that many outputs. The features stay float32 (the
input checks never copy them to float64) and Keras streams the batches from
the numpy array. The script records the peak resident memory
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`) after each stage and the time
of each stage, repeats the run in a child process on `--compare-rows` rows
(the memory difference between the two is what the data costs), measures
the cost of the NaN guard on a few hundred steps, and writes the figures to
`docs/results/large_data.md` with the command that made them.

Usage:
    KERAS_BACKEND=jax python scripts/bench_large.py
    KERAS_BACKEND=jax python scripts/bench_large.py --rows 100000 \\
        --out /tmp/large.md
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time

import keras
import numpy as np

from aos_bench.data import two_gaussians
from aos_bench.memory import peak_rss_mib
from aos_bench.timing import StepTimer
from aos_keras import AdversarialOversampler
from aos_keras.saving import io

DEFAULT_OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..",
    "docs",
    "results",
    "large_data.md",
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--ratio", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--max-anchors", type=int, default=4096)
    parser.add_argument("--mode", default="do", choices=("ao", "do"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--guard-steps",
        type=int,
        default=200,
        help="steps of the NaN-guard on/off comparison (0: skip it)",
    )
    parser.add_argument(
        "--compare-rows",
        type=int,
        default=100_000,
        help="rows of the same run in a child process (0: skip it)",
    )
    parser.add_argument("--out", help="the report (default docs/results/...)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests: 2,000 x 4 rows (1:10), batch 256, 64 anchors, 2 guard "
        "steps, a 1,000-row comparison; the report in a temporary folder "
        "unless --out",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the comparison child in this process",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows, args.features, args.ratio = 2000, 4, 10
        args.batch_size, args.max_anchors = 256, 64
        args.guard_steps, args.compare_rows = 2, 1000
        if args.out is None:
            args.out = os.path.join(tempfile.mkdtemp(), "large_data.md")
    if args.out is None:
        args.out = DEFAULT_OUT
    backend = keras.backend.backend()
    load = os.getloadavg()
    stages = []

    def stage(name, seconds, note=""):
        stages.append((name, seconds, peak_rss_mib(), note))
        print(
            f"{name}: {seconds:.1f} s, peak RSS {peak_rss_mib():.0f} MiB {note}"
        )

    # The comparison child runs first: Linux children inherit the parent's
    # peak RSS (`ru_maxrss` survives fork and exec), which is still just
    # the imports' now.
    compare = None
    if args.compare_rows:
        compare = run_smaller(args)
    stage("start (imports)", 0.0)
    t = time.perf_counter()
    x, y = two_gaussians(args.rows, args.features, args.ratio, args.seed)
    counts = np.bincount(y).tolist()
    stage(
        "synthetic data",
        time.perf_counter() - t,
        f"x: {x.nbytes / 2**20:.0f} MiB float32, classes {counts}",
    )

    t = time.perf_counter()
    keras.utils.set_random_seed(args.seed)
    model = AdversarialOversampler.from_data(
        x, y, mode=args.mode, max_anchors=args.max_anchors, seed=args.seed
    )
    model.compile()
    anchors = sum(
        int(np.prod(a.shape)) for a in model.generator.anchors.values()
    )
    stage(
        "from_data + compile",
        time.perf_counter() - t,
        f"anchors per class {model.anchor_counts} ({anchors * 4 / 2**20:.1f} "
        f"MiB), {model.count_params():,} parameters",
    )

    steps = int(np.ceil(args.rows / args.batch_size))
    timer = StepTimer(skip=min(20, steps // 2))
    t = time.perf_counter()
    history = model.fit(
        x,
        y,
        epochs=1,
        batch_size=args.batch_size,
        verbose=0,
        callbacks=[timer],
    )
    fit_seconds = time.perf_counter() - t
    step_ms = 1000 * timer.seconds / max(timer.steps, 1)
    losses = {k: float(v[-1]) for k, v in history.history.items()}
    finite = all(np.isfinite(v) for v in losses.values())
    stage(
        "fit, 1 epoch",
        fit_seconds,
        f"{steps} steps, {step_ms:.1f} ms/step after the first "
        f"{timer.skip} (compilation included in the stage time)",
    )

    guard = None
    if args.guard_steps:
        rows = args.guard_steps * args.batch_size  # full batches only
        seconds = {}
        for on in (False, True, False, True):
            t = time.perf_counter()
            model.fit(
                x[:rows],
                y[:rows],
                epochs=1,
                batch_size=args.batch_size,
                verbose=0,
                nan_guard=on,
            )
            seconds.setdefault(on, []).append(time.perf_counter() - t)
        guard = {
            on: [1000 * t / args.guard_steps for t in times]
            for on, times in seconds.items()
        }
        stage(
            "NaN guard on/off",
            sum(map(sum, seconds.values())),
            f"{min(guard[True]):.1f} vs {min(guard[False]):.1f} ms/step",
        )

    if args.child:  # a comparison child: report to the parent only
        print(json.dumps({"stages": stages}))
        return

    command = f"KERAS_BACKEND={backend} python " + " ".join(
        [os.path.relpath(sys.argv[0])]
        + (sys.argv[1:] if argv is None else argv)
    )
    report = render(
        args, backend, load, stages, losses, finite, guard, compare, command
    )
    io.write_text(args.out, report)
    print(f"wrote {args.out}")


def run_smaller(args):
    """Stages of the same run on `args.compare_rows` rows (child process)."""
    from aos_bench.backends import child_argv, run_child

    options = dict(
        rows=args.compare_rows,
        features=args.features,
        ratio=args.ratio,
        batch_size=args.batch_size,
        max_anchors=args.max_anchors,
        mode=args.mode,
        seed=args.seed,
        guard_steps=0,
        compare_rows=0,
    )
    result = run_child(
        __file__, child_argv(options), main=main, in_process=args.in_process
    )
    if "error" in result:
        raise RuntimeError(f"the comparison run failed: {result['error']}")
    return result["stages"]


def render(
    args, backend, load, stages, losses, finite, guard, compare, command
):
    minority = int(round(args.rows / (args.ratio + 1)))
    lines = [
        "# Large data: one epoch on 1,000,000 x 50 rows, bounded memory",
        "",
        "Generated by `scripts/bench_large.py`; do not edit by hand. Command:",
        "",
        f"    {command}",
        "",
        f"Data: {args.rows:,} rows x {args.features} float32 features, two "
        f"Gaussian classes, {args.rows - minority:,} : {minority:,} (1:"
        f"{args.ratio}). Model: `AdversarialOversampler.from_data(x, y, "
        f'mode="{args.mode}", max_anchors={args.max_anchors})` with the '
        "default layer sizes, trained with `fit(epochs=1, "
        f"batch_size={args.batch_size})` (NaN guard on, the default).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{backend} backend, keras {keras.__version__}, Python "
        f"{platform.python_version()}. Load average at start "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min): "
        "other jobs shared the cores, so times are upper bounds.",
        "",
        "| stage | seconds | peak RSS after it (MiB) | note |",
        "|---|---:|---:|---|",
    ]
    for name, seconds, peak, note in stages:
        lines.append(f"| {name} | {seconds:.1f} | {peak:.0f} | {note} |")
    lines += [
        "",
        "Peak RSS is `resource.getrusage(RUSAGE_SELF).ru_maxrss`, the "
        "high-water mark of the whole process (Python, the backend's "
        "runtime and compiled programs included), so each row includes "
        "the rows above it.",
    ]
    if compare:
        data_mib = args.rows * args.features * 4 / 2**20
        small_mib = args.compare_rows * args.features * 4 / 2**20
        lines += [
            "",
            f"The same run on {args.compare_rows:,} rows (a child process, "
            "same arguments), to separate what the data costs from the "
            "fixed cost of the runtime and the model:",
            "",
            f"| stage | peak RSS, {args.compare_rows:,} rows (MiB) | peak "
            f"RSS, {args.rows:,} rows (MiB) | difference (MiB) |",
            "|---|---:|---:|---:|",
        ]
        for (name, _, small, _), (_, _, big, _) in zip(compare, stages):
            lines.append(
                f"| {name} | {small:.0f} | {big:.0f} | {big - small:+.0f} |"
            )
        lines += [
            "",
            f"{args.rows // args.compare_rows}x the rows add about the size "
            f"of the extra data ({data_mib - small_mib:.0f} MiB of float32 "
            "features) and no more: the model, its anchors and the step do "
            "not grow with the number of rows.",
        ]
    lines += [
        "",
        "Losses at the end of the epoch: "
        + ", ".join(f"{k} {v:.4g}" for k, v in sorted(losses.items()))
        + (" (all finite)." if finite else " (NOT all finite)."),
        "",
        "Why memory stays bounded:",
        "",
        f"- The generator keeps at most `max_anchors` = {args.max_anchors} "
        "anchors per class, a seeded subset: the majority class's "
        f"{args.rows - minority:,} rows become {args.max_anchors} anchors, "
        "so the generator's weights and each step's cost do not grow with "
        "the class sizes. Without the cap the majority head alone would "
        f"have {args.rows - minority:,} outputs per generated row.",
        "- `from_data` copies only the kept anchor rows, and the input "
        "checks work in the input's dtype (float32 here): no float64 copy "
        "of the data is made.",
        "- `fit` streams batches of the numpy array; the data is held once.",
    ]
    if guard is not None:
        on, off = guard[True], guard[False]
        lines += [
            "",
            f"NaN guard cost ({args.guard_steps} steps on the first "
            f"{args.guard_steps * args.batch_size:,} rows, two runs each, "
            "alternated): "
            + ", ".join(f"{t:.1f}" for t in on)
            + " ms/step with `nan_guard=True` (the default) against "
            + ", ".join(f"{t:.1f}" for t in off)
            + " ms/step with `nan_guard=False`. "
            + (
                "The difference is within the run-to-run spread here."
                if max(min(on), min(off)) <= min(max(on), max(off))
                else f"Best runs differ by "
                f"{100 * (min(on) / min(off) - 1):+.1f}%."
            )
            + " The guard reads each step's losses on the host, which makes "
            "the host wait for the step and turns off Keras's asynchronous "
            "callback dispatch; at this step size that wait is small.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
