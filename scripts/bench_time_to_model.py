"""Time to a model: full honest runs of Q, AO and DO on each backend.

For each Keras backend (one child process each: `KERAS_BACKEND` is fixed at
import), each table and each method, one run of `compare`'s protocol from
the raw table to the selected model: split 0 of `make_splits` (stratified
70/30, 20% of the training rows for validation), the encoder fitted on the
training rows, 100 epochs at batch 32, Q scored after every epoch and the
epoch chosen on validation. Compilation is included and JAX's persistent
compilation cache is off (`AOS_KERAS_COMPILE_CACHE=off`): a cold start.
torch runs on one thread, as `aos-keras` runs it by default.

Each run has a process of its own: one untimed run of Q and DO on a small
random table whose shapes match no timed table (`warm_up_table`) takes the
process's first-use costs, then the run is timed. No run reuses what
another compiled. (The runs of `time_to_model*.md` files made before
`time_to_model_epochs_isolated.md` shared one process per backend: later
runs found the shapes they shared with earlier runs compiled, which
favoured `letter-lt100-2`, run after `letter-lt100`, and AO and DO, run
after Q.)

Reported per run: wall seconds, the first epoch's seconds (compilation
included), the median seconds of the later epochs, and beside the AO/Q and
DO/Q wall-time ratios the FLOP ratio of one training step
(`aos_bench.flops`, with the generator's padded head widths); both
methods run the same number of steps, so the FLOP ratio is what the time
ratio would be if every FLOP cost the same.

Tables (`$AOS_KERAS_DATA/dev/`): new-thyroid1 (215 rows, 2 classes),
splice (3190, 3, 60 nominal columns), letter-lt100 (4550, 26), marketing
(6876, 9), sylva (13086, 2); plus `letter-lt100-2` (letter-lt100 with its
labels collapsed to A-M / N-Z: the same shape with 2 classes, DO only) for
the cost of the number of classes. `--credit` adds an AO run shaped like
the paper's Credit setting (the real Credit table, 100 epochs, batch 512,
4096 anchors, validation scored every epoch) on JAX.

`--q-generated-rows` sets the rows Q's update trains on in AO and DO:
`fresh` (the paper's step, three generator passes a step; the setting of the
committed `time_to_model*.md` tables, made before 0.2 changed the default)
or `critic` (the package's default since 0.2, two passes); its runs are
files of their own (`...__critic.json`).

`--repeats N` makes each run N times (each in its own process, all first
runs before any second one); the report gives the median of the repeats'
wall seconds, first-epoch seconds and JAX compile seconds, and the median
of all their later epochs (column `runs`: the repeats found).

Each run is a JSON file in `--cache-dir` (resumable: runs done are not run
again); the report is rebuilt from them.

    python scripts/bench_time_to_model.py [--backends jax tensorflow torch]
        [--tables ...] [--methods Q AO DO] [--epochs 100] [--credit]
        [--q-generated-rows fresh] [--repeats 1]
        [--cache-dir scripts/studies/time_to_model]
        [--out docs/results/time_to_model.md] [--smoke]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

from aos_bench import datasets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(datasets.data_home(), "dev")
TABLES = ("new-thyroid1", "splice", "letter-lt100", "marketing", "sylva")
TWO_CLASS = "letter-lt100-2"
CREDIT = "credit"
METHODS = ("Q", "AO", "DO")
JAX_COMPILE_EVENTS = {
    "/jax/core/compile/jaxpr_trace_duration": "trace",
    "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
    "/jax/core/compile/backend_compile_duration": "xla",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--backends", nargs="+", default=["jax", "tensorflow", "torch"]
    )
    parser.add_argument("--tables", nargs="+", default=[*TABLES, TWO_CLASS])
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument(
        "--q-generated-rows",
        choices=("fresh", "critic"),
        default="fresh",
        help="rows Q trains on in AO and DO (see above)",
    )
    parser.add_argument(
        "--credit", action="store_true", help="add the Credit-shaped AO run"
    )
    parser.add_argument(
        "--credit-epochs",
        type=int,
        default=100,
        help="epochs of the Credit run",
    )
    parser.add_argument(
        "--credit-bound",
        action="store_true",
        help="add what a Credit-shaped AO run costs, from its FLOPs (the "
        "model is built, not trained)",
    )
    parser.add_argument(
        "--cache-dir",
        default=os.path.join(ROOT, "scripts", "studies", "time_to_model"),
    )
    parser.add_argument(
        "--out",
        default=os.path.join(ROOT, "docs", "results", "time_to_model.md"),
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="2 epochs of new-thyroid1 on the current backend, to a "
        "temporary folder (tests)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the report from the cached runs; run nothing",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="runs of each (backend, table, method), each in a process of "
        "its own; the report gives their median times",
    )
    parser.add_argument(  # a child's one run: TABLE METHOD, and its repeat
        "--run", nargs=2, default=None, help=argparse.SUPPRESS
    )
    parser.add_argument("--repeat", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        import keras

        tmp = tempfile.mkdtemp()
        args.backends = [keras.backend.backend()]
        args.tables, args.epochs = ["new-thyroid1"], 2
        args.cache_dir = os.path.join(tmp, "runs")
        args.out = os.path.join(tmp, "time_to_model.md")
    return args


# --------------------------------------------------------------- tables
def warm_up_table(rows=300, features=7, classes=5):
    """A small random table whose shapes match no timed table.

    The untimed warm-up run takes the process's first-use costs (imports,
    the backend's start, its first dispatches). Its shapes must match none
    of the timed tables, or it would also compile some of one table's
    shape-specific operations (a 2-class warm-up favoured every 2-class
    table, such as `letter-lt100-2` against `letter-lt100`).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    labels = np.arange(rows) % classes
    labels[: rows // 2] = 0  # imbalanced, every class present
    frame = pd.DataFrame(
        rng.normal(size=(rows, features)) + labels[:, None],
        columns=[f"f{i}" for i in range(features)],
    )
    return frame, labels.astype(str)


def load(name):
    """`(features frame, labels)` of a table of the development suite."""
    import pandas as pd

    if name == CREDIT:
        from aos_bench.datasets import load_dataset

        data = load_dataset("credit", data_home=os.path.join(DEV, ".."))
        return pd.DataFrame(data.X, columns=data.feature_names), data.y
    frame = pd.read_csv(os.path.join(DEV, name.removesuffix("-2") + ".csv"))
    y = frame.pop("label").to_numpy()
    if name == TWO_CLASS:  # A-M against N-Z: same rows, 2 classes
        y = (y >= "N").astype(int)
    return frame, y


def runs_of(args, backend):
    """The `(table, method)` pairs of a backend."""
    pairs = []
    for table in args.tables:
        methods = ["DO"] if table == TWO_CLASS else args.methods
        pairs += [(table, m) for m in methods]
    if args.credit and backend == "jax":
        pairs.append((CREDIT, "AO"))
    return pairs


def run_path(args, backend, table, method, repeat=0):
    """The file of one run; repeats after the first have `__r{i}`."""
    rows = (
        "" if args.q_generated_rows == "fresh" or method == "Q" else "__critic"
    )
    again = f"__r{repeat}" if repeat else ""
    name = f"{backend}__{table}__{method}__e{args.epochs}{rows}{again}.json"
    return os.path.join(args.cache_dir, name)


def merge_repeats(records):
    """One record of a run's repeats: its times are their medians.

    Wall seconds, the first epoch's seconds and each JAX compile time are
    medians over the repeats; the later epochs are all the repeats' later
    epochs (the report takes their median); `repeats` counts them.
    """
    out = dict(records[0], repeats=len(records))
    if len(records) == 1:
        return out
    out["wall_seconds"] = statistics.median(r["wall_seconds"] for r in records)
    first = statistics.median(r["epoch_seconds"][0] for r in records)
    later = [s for r in records for s in r["epoch_seconds"][1:]]
    out["epoch_seconds"] = [first, *later]
    if all("jax_compile_seconds" in r for r in records):
        out["jax_compile_seconds"] = {
            k: statistics.median(
                r["jax_compile_seconds"].get(k, 0) for r in records
            )
            for k in records[0]["jax_compile_seconds"]
        }
    return out


# ---------------------------------------------------------------- child
def child(args):
    """Run this backend's missing runs, one JSON file each."""
    import keras

    from aos_keras.backend import BACKEND
    from aos_keras.evaluation import (
        Protocol,
        make_splits,
        prepare_table,
        run_one,
    )
    from aos_keras.saving import io

    if BACKEND == "torch":  # as `aos-keras` runs torch (see the guide)
        import torch

        torch.set_num_threads(1)

    class EpochTimer(keras.callbacks.Callback):
        """Seconds of each epoch, and the model trained (for its FLOPs)."""

        def on_train_begin(self, logs=None):
            self.seconds, self.trained = [], self.model

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    # JAX's own account of its compilation (tracing, lowering, XLA), in
    # seconds summed over a run: the part of the first epoch that could
    # grow with the number of classes.
    compile_seconds = {}
    if BACKEND == "jax":
        import jax.monitoring

        def on_duration(event, seconds, **kwargs):
            if event in JAX_COMPILE_EVENTS:
                name = JAX_COMPILE_EVENTS[event]
                compile_seconds[name] = compile_seconds.get(name, 0) + seconds

        jax.monitoring.register_event_duration_secs_listener(on_duration)

    todo = [
        (table, method)
        for table, method in runs_of(args, BACKEND)
        if not os.path.exists(
            run_path(args, BACKEND, table, method, args.repeat)
        )
        and (args.run is None or [table, method] == args.run)
    ]
    if todo:  # untimed: the process's first-use costs go to no method
        X, y, classes = prepare_table(*warm_up_table())
        split = make_splits(y, repeats=1, seed=0)[0]
        for method in ("Q", "DO"):
            run_one(X, y, classes, method, split, Protocol(epochs=1))
    for table, method in todo:
        path = run_path(args, BACKEND, table, method, args.repeat)
        credit = table == CREDIT
        epochs = args.credit_epochs if credit else args.epochs
        protocol = Protocol(
            epochs=epochs,
            batch_size=512 if credit else 32,
            max_anchors=4096 if credit else None,
        )
        start = time.perf_counter()
        frame, labels = load(table)
        X, y, classes = prepare_table(frame, labels)
        split = make_splits(y, repeats=1, seed=0)[0]
        timer = EpochTimer()
        compile_seconds.clear()
        options = {}
        if method != "Q":
            options["q_generated_rows"] = args.q_generated_rows
        record = run_one(
            X,
            y,
            classes,
            method,
            split,
            protocol,
            options=options,
            callbacks=[timer],
        )
        wall = time.perf_counter() - start
        out = {
            "backend": BACKEND,
            "table": table,
            "method": method,
            "rows": len(y),
            "classes": len(classes),
            "epochs": epochs,
            "batch_size": record["batch_size"],
            "wall_seconds": wall,
            "fit_seconds": record.get("seconds"),
            "epoch_seconds": timer.seconds,
            "flops_per_step": step_flops(
                timer.trained, method, record, len(classes)
            ),
            "heads": head_groups(timer.trained),
            "honest_acsa": record.get("honest", {}).get("acsa"),
            "q_generated_rows": options.get("q_generated_rows"),
        }
        if compile_seconds:
            out["jax_compile_seconds"] = dict(compile_seconds)
        io.write_json(path, out)
        print(
            f"{BACKEND} {table} {method}: {wall:.1f} s "
            f"(1st epoch {timer.seconds[0]:.1f} s)",
            file=sys.stderr,
            flush=True,
        )
    print(json.dumps({"backend": BACKEND, "done": True}))


def step_flops(model, method, record, num_classes):
    """Matrix-multiply FLOPs of one training step of the trained model."""
    import keras

    from aos_bench.flops import flops_per_step, network_shapes

    batch = record["batch_size"]
    if method == "Q":
        first = next(
            layer
            for layer in model._flatten_layers()
            if isinstance(layer, keras.layers.Dense)
        )
        nets = network_shapes(
            None,
            num_features=int(first.kernel.shape[0]),
            num_classes=num_classes,
        )
        return flops_per_step("Q", batch, nets)
    return flops_per_step(method, batch, network_shapes(model), model)


def head_groups(model):
    generator = getattr(model, "generator", None)
    return None if generator is None else len(generator.head_groups)


# --------------------------------------------------------------- report
def report(args):
    """Markdown of the cached runs: times, ratios and FLOP ratios."""
    rows, runs = [], {}
    for backend in args.backends:
        for table, method in runs_of(args, backend):
            records = []
            for repeat in range(args.repeats):
                path = run_path(args, backend, table, method, repeat)
                if os.path.exists(path):
                    with open(path, encoding="utf-8") as f:
                        records.append(json.load(f))
            if records:
                runs[backend, table, method] = merge_repeats(records)
    header = (
        "| backend | table | rows | classes | method | wall s | 1st epoch s "
        "| later epoch s (median) | x Q wall | x Q FLOPs | head groups "
        "| honest ACSA | runs |"
    )
    rows = [header, "|" + "---|" * 13]
    for (backend, table, method), run in sorted(runs.items()):
        base = runs.get((backend, table, "Q"))
        later = run["epoch_seconds"][1:] or run["epoch_seconds"]
        ratio = flop_ratio = ""
        if base and method != "Q":
            ratio = f"{run['wall_seconds'] / base['wall_seconds']:.2f}"
            flop_ratio = f"{run['flops_per_step'] / base['flops_per_step']:.2f}"
        acsa = run.get("honest_acsa")
        rows.append(
            f"| {backend} | {table} | {run['rows']} | {run['classes']} "
            f"| {method} | {run['wall_seconds']:.1f} "
            f"| {run['epoch_seconds'][0]:.2f} | {statistics.median(later):.3f} "
            f"| {ratio} | {flop_ratio} | {run['heads'] or ''} "
            f"| {'' if acsa is None else f'{100 * acsa:.2f}'} "
            f"| {run['repeats']} |"
        )
    missing = [
        f"{backend}/{table}/{method}"
        for backend in args.backends
        for table, method in runs_of(args, backend)
        if (backend, table, method) not in runs
    ]
    if missing:
        rows += ["", "Not run (yet): " + ", ".join(missing) + "."]
    checks = acceptance(runs)
    return "\n".join(rows), checks


def acceptance(runs):
    """The issue's ratios, measured in this run's files."""
    lines = []
    letter, two = (
        runs.get(("jax", "letter-lt100", "DO")),
        runs.get(("jax", TWO_CLASS, "DO")),
    )
    if letter and two:
        r = letter["epoch_seconds"][0] / two["epoch_seconds"][0]
        lines.append(
            f"- JAX, DO, first epoch: letter-lt100 (26 classes) "
            f"{letter['epoch_seconds'][0]:.2f} s / 2-class collapse "
            f"{two['epoch_seconds'][0]:.2f} s = **{r:.2f}x** (target <= 1.5x)"
        )
        if "jax_compile_seconds" in letter and "jax_compile_seconds" in two:
            a, b = (
                sum(run["jax_compile_seconds"].values())
                for run in (letter, two)
            )
            parts = ", ".join(
                f"{k} {letter['jax_compile_seconds'].get(k, 0):.2f} / "
                f"{two['jax_compile_seconds'].get(k, 0):.2f}"
                for k in JAX_COMPILE_EVENTS.values()
            )
            lines.append(
                f"  - of which JAX compilation (whole run): {a:.2f} s / "
                f"{b:.2f} s = {a / b:.2f}x ({parts} s)"
            )
    torch, tf = (
        runs.get(("torch", "letter-lt100", "DO")),
        runs.get(("tensorflow", "letter-lt100", "DO")),
    )
    if torch and tf:
        a = statistics.median(torch["epoch_seconds"][1:])
        b = statistics.median(tf["epoch_seconds"][1:])
        lines.append(
            f"- letter-lt100, DO, seconds per later epoch: torch {a:.3f} / "
            f"tensorflow {b:.3f} = **{a / b:.2f}x** (target <= 3x)"
        )
    over, pairs = [], 0
    for (backend, table, method), run in sorted(runs.items()):
        base = runs.get((backend, table, "Q"))
        if base and method in ("AO", "DO"):
            pairs += 1
            t = run["wall_seconds"] / base["wall_seconds"]
            f = run["flops_per_step"] / base["flops_per_step"]
            if t > f:
                over.append(f"{backend}/{table}/{method} ({t:.2f} > {f:.2f})")
    if pairs:
        lines.append(
            "- AO/Q and DO/Q wall-time ratio at or below the FLOP ratio: "
            + (
                f"all {pairs} runs"
                if not over
                else f"{pairs - len(over)} of {pairs} runs; not for "
                + ", ".join(over)
            )
        )
    credit = runs.get(("jax", CREDIT, "AO"))
    if credit:
        lines.append(
            f"- Credit-shaped AO run on JAX ({credit['epochs']} epochs, "
            f"batch 512, 4096 anchors): {credit['wall_seconds'] / 60:.1f} min "
            "(target < 10 min)"
        )
    return "\n".join(lines)


def credit_bound(runs):
    """What a Credit-shaped AO run costs, from its FLOPs.

    The AO model is built (not trained) on split 0 of the real Credit table
    (batch 512, 4096 anchors); its FLOPs per step times the steps of 100
    epochs give the work. Reported: the sustained rate a 10-minute run
    would need, and the time at the rate AO reached on sylva in this run's
    JAX file (the largest table timed here).
    """
    from aos_bench.flops import flops_per_step, network_shapes
    from aos_keras.evaluation import make_splits, prepare_table
    from aos_keras.tables.encoder import TableEncoder
    from aos_keras.training import build_game

    X, y, _ = prepare_table(*load(CREDIT))
    fit = make_splits(y, repeats=1, seed=0)[0]["fit"]
    x_fit = TableEncoder().fit_transform(X.iloc[fit])
    model = build_game(
        x_fit, y[fit], settings={"mode": "ao"}, max_anchors=4096, seed=0
    )
    batch = 512
    steps = 100 * -(-len(fit) // batch)
    rate = None
    sylva = runs.get(("jax", "sylva", "AO"))
    if sylva:  # its steps: 100 epochs of its split 0's training rows
        _, y_sylva, _ = prepare_table(*load("sylva"))
        n_fit = len(make_splits(y_sylva, repeats=1, seed=0)[0]["fit"])
        sylva_steps = sylva["epochs"] * -(-n_fit // sylva["batch_size"])
        rate = sylva["flops_per_step"] * sylva_steps / sylva["fit_seconds"]
    out = [
        f"- Credit-shaped AO ({len(fit)} training rows, batch {batch}, 4096 "
        f"anchors, 100 epochs = {steps} steps), from the FLOP model:"
    ]
    for rows in ("fresh", "critic"):
        model.q_generated_rows = rows
        flops = flops_per_step("AO", batch, network_shapes(model), model)
        total = flops * steps
        text = (
            f"  - `q_generated_rows={rows!r}`: {flops / 1e6:.0f} MFLOP a "
            f"step, {total / 1e12:.1f} TFLOP in all; 10 minutes need "
            f"{total / 600 / 1e9:.0f} GFLOP/s sustained"
        )
        if rate:
            text += (
                f"; at the rate AO reached on sylva on JAX in this run "
                f"({rate / 1e9:.1f} GFLOP/s): {total / rate / 60:.1f} min"
            )
        out.append(text)
    return "\n".join(out)


def run_children(args, child_argv):
    """Each missing run in a child process of its own; returns the errors.

    With `--smoke` one in-process child runs them all (the current backend
    only).
    """
    from aos_bench.backends import run_child, run_per_backend

    def log(line):
        print(line, flush=True)

    if args.smoke:
        results = run_per_backend(
            __file__, child_argv, args.backends, log=log, main=main,
            in_process=True,
        )  # fmt: skip
        return {b: r["error"] for b, r in results.items() if "error" in r}
    errors = {}
    # Repeat-major: an interrupted run has every pair on its first repeats.
    for repeat in range(args.repeats):
        for backend in args.backends:
            for table, method in runs_of(args, backend):
                if os.path.exists(
                    run_path(args, backend, table, method, repeat)
                ):
                    continue
                log(f"== {backend} {table} {method} (run {repeat + 1})")
                argv = [*child_argv, "--run", table, method]
                argv += ["--repeat", str(repeat)]
                result = run_child(__file__, argv, backend)
                if "error" in result:
                    errors[f"{backend}/{table}/{method}/{repeat}"] = result[
                        "error"
                    ]
    return errors


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return child(args)
    from aos_bench.environment import machine, versions
    from aos_keras.saving import io

    os.environ["AOS_KERAS_COMPILE_CACHE"] = "off"  # cold starts
    os.makedirs(args.cache_dir, exist_ok=True)
    command = "python scripts/bench_time_to_model.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    child_argv = [
        "--tables", *args.tables,
        "--methods", *args.methods,
        "--epochs", str(args.epochs),
        "--q-generated-rows", args.q_generated_rows,
        "--credit-epochs", str(args.credit_epochs),
        "--cache-dir", args.cache_dir,
    ] + ["--credit"] * args.credit  # fmt: skip
    errors = {}
    if not args.report_only:
        errors = run_children(args, child_argv)
    table, checks = report(args)
    if args.credit_bound:
        runs = {}
        for path in os.listdir(args.cache_dir):
            with open(
                os.path.join(args.cache_dir, path), encoding="utf-8"
            ) as f:
                run = json.load(f)
            runs[run["backend"], run["table"], run["method"]] = run
        checks += "\n" + credit_bound(runs)
    text = (
        "# Time to a model\n\n"
        f"Made by `{command}` from the runs cached in "
        f"`{os.path.relpath(args.cache_dir, ROOT)}` (each made by this script, "
        "resumable; see its docstring for the protocol). The machine was "
        "shared with other benchmarks while they ran, so compare times within "
        "a backend, not across days.\n\n"
        f"Machine: {machine()}; {versions()}.\n\n"
        f"{table}\n\n## The issue's targets, from these runs\n\n{checks}\n"
    )
    if errors:
        text += "\nFailed runs: " + json.dumps(errors) + "\n"
    io.write_text(args.out, text)
    print(f"wrote {args.out}")
    print(checks)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
