"""The `aos-keras` command line: train, evaluate, predict, generate, export,
compare, benchmark.

Thin argparse entry points; the work is in `aos_keras` functions:
`aos_keras.training.train_table` trains, `aos_keras.model_folder` writes and
reads the model folder (`model.keras`, `preprocessing.json`,
`encoder.joblib`, `metrics.json`, `history.csv`), `aos_keras.comparison`
compares. Every file written goes through `aos_keras.io` (atomic).

Example:
    aos-keras train data.csv --label target --mode do --epochs 100 --out run1
    aos-keras evaluate run1 test.csv
    aos-keras predict run1 new_rows.csv --out predictions.csv
    aos-keras generate run1 --n 100 --out synthetic.csv
    aos-keras export run1 serving/aos/1
"""

import argparse
import contextlib
import csv
import importlib.abc
import importlib.util
import json
import os
import sys
import tempfile
import warnings
from io import StringIO

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

from aos_keras.model_folder import ENCODER, load_folder  # noqa: F401
from aos_keras.model_folder import scores as _scores
from aos_keras.model_folder import transform as _transform

BACKENDS = ("tensorflow", "jax", "torch")
# Modules whose first import writes C++ log lines to stderr that
# `TF_CPP_MIN_LOG_LEVEL` does not hide (absl, oneDNN): hidden unless
# `--backend-logs`.
QUIET_MODULES = ("tensorflow",)
# Exit status of a run stopped by a signal (128 + the signal's number).
EXIT_STATUS = {"SIGINT": 130, "SIGTERM": 143}


class CLIError(Exception):
    """A user error: printed without a traceback, exit status 2."""


# ------------------------------------------------------------------ tables
def read_table(path):
    """Read a CSV, TSV or parquet file into a DataFrame, or say what is wrong.

    The separator of a text file is sniffed from its first lines (comma,
    semicolon, tab or pipe). Empty, binary, non-UTF-8 and header-only files
    and duplicate column names are refused with a message that says so
    (pandas would rename a second `label` column `label.1` and keep it as a
    feature).
    """
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        try:
            return pd.read_parquet(path)
        except ImportError as err:
            raise CLIError(
                f"reading parquet needs pyarrow (pip install "
                f"'aos_keras[parquet]'): {err}"
            ) from err
    with open(path, "rb") as f:
        head = f.read(65536)
    if not head.strip():
        raise CLIError(f"{path} is empty")
    if b"\x00" in head:
        raise CLIError(f"{path} looks binary, not a CSV/TSV text file")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        if len(head) < 65536 or err.start < len(head) - 4:
            raise CLIError(
                f"{path} is not UTF-8 text ({err.reason} at byte "
                f"{err.start}); save it as a UTF-8 CSV"
            ) from None
        text = head[: err.start].decode("utf-8")
    sep = _sniff_separator(text, "\t" if ".tsv" in lower else ",")
    header = next(csv.reader(StringIO(text), delimiter=sep))
    seen, twice = set(), []
    for name in header:
        if name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    if twice:
        raise CLIError(
            f"{path}: duplicate column names {twice}; rename them (a copy "
            "of the label would be used as a feature)"
        )
    frame = pd.read_csv(path, sep=sep)
    if frame.empty:
        raise CLIError(f"{path} has a header but no rows")
    return frame


def _sniff_separator(text, default):
    """The separator of a text table's first lines, or `default`."""
    lines = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(lines, delimiters=",;\t|").delimiter
    except csv.Error:
        return default


def split_label(frame, label, features=None, drop=None, warn=False):
    """`aos_keras.tables.split_table` with the command line's messages.

    Args:
        frame: DataFrame.
        label: str. The label column.
        features: list of str or None (`--features`).
        drop: list of str or None (`--drop`).
        warn: bool. Print `split_table`'s warnings (a column that looks like
            an ID, a label that looks like a regression target) to stderr,
            as `aos-keras: warning: ...`; False hides them.

    Returns:
        `(features DataFrame, labels array)`.

    Raises:
        CLIError: `split_table`'s `ValueError`, its argument names written
            as options (`--features`).
    """
    from aos_keras.tables import split_table

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            x, y = split_table(frame, label, features=features, drop=drop)
        except ValueError as err:
            raise CLIError(_as_flags(str(err))) from None
    for warning in caught if warn else ():
        message = _as_flags(str(warning.message))
        print(f"aos-keras: warning: {message}", file=sys.stderr)
    return x, y


# --------------------------------------------------------------- commands
def check_train(args):
    """`train`'s checks, run before Keras is imported.

    The game's settings (`config_class.from_args`), the run options
    (`check_run_options`), then the table and its columns.

    Returns:
        `(config, features, labels)`, which `train` uses.

    Raises:
        CLIError: any of them is wrong.
    """
    if args.model_class is None:
        from aos_keras.config import GameConfig as config_class
    else:
        config_class = args.model_class.config_class
    try:  # every setting of the game has its option; checked first
        config = config_class.from_args(args)
    except ValueError as err:
        raise CLIError(_as_flags(str(err))) from err
    check_run_options(args)
    features, labels = split_label(
        read_table(args.data), args.label, args.features, args.drop, warn=True
    )
    return config, features, labels


def train(args):
    """`aos-keras train`: fit AO/DO on a table and save the model folder."""
    from aos_keras import AdversarialOversampler, model_folder, training
    from aos_keras.tables import TableEncoder

    model_class = args.model_class or AdversarialOversampler
    checked = getattr(args, "checked", None)
    config, features, labels = checked or check_train(args)
    encoder = TableEncoder(
        standardize=args.standardize,
        numeric_imputation=args.impute,
        unknown=args.unknown_categories,
    )
    try:
        result = training.train_table(
            features,
            labels,
            config=config,
            encoder=encoder,
            val_size=args.val_size,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            max_anchors=args.max_anchors,
            verbose=_verbosity(args.verbose),
            model_class=model_class,
            name=args.data,
            stop_on_signals=True,
        )
    except ValueError as err:
        raise CLIError(f"{args.data}: {_as_flags(str(err))}") from err
    except training.Interrupted as stop:
        print(
            f"aos-keras train: {stop.signal_name} before the first epoch "
            "ended; nothing saved.",
            file=sys.stderr,
        )
        return EXIT_STATUS[stop.signal_name]
    extra = {"mode": args.mode, "epochs": args.epochs}
    alone = training.training_only_classes(labels) if args.val_size else []
    if len(alone):
        extra["training_only_classes"] = [str(c) for c in alone]
        print(
            f"aos-keras train: classes {extra['training_only_classes']} have "
            "a single row: it stays in training, and the validation split "
            "that selects the epoch has none of them.",
            file=sys.stderr,
        )
    if result.interrupted:
        done = len(result.history.get("loss", []))
        extra.update(interrupted=result.interrupted, epochs_done=done)
    metrics = model_folder.save_folder(
        result, args.out, label=args.label, plot=args.plot, extra=extra
    )
    print(json.dumps(metrics, indent=1))
    print(f"saved to {args.out}")
    if result.interrupted:
        print(
            f"aos-keras train: stopped by {result.interrupted} after "
            f"{extra['epochs_done']} of {args.epochs} epochs; {args.out} holds "
            'the best epoch so far (metrics.json: "interrupted"). Run the '
            "same command again to train the full run.",
            file=sys.stderr,
        )
        return EXIT_STATUS[result.interrupted]


def check_run_options(args):
    """`train`'s run options and output folder, checked before any work.

    Raises:
        CLIError: `--epochs` or `--batch-size` below 1, `--val-size` not in
            [0, 1), `--max-anchors` below 1, or an `--out` that is a file,
            a non-empty folder without `--overwrite`, or cannot be written
            (`check_out_path`).
    """
    for flag, value in (("--epochs", args.epochs), ("--batch-size",
                        args.batch_size)):  # fmt: skip
        if value < 1:
            raise CLIError(f"{flag} must be at least 1; got {value}")
    if not 0.0 <= args.val_size < 1.0:
        raise CLIError(
            f"--val-size must be in [0, 1) (0: no validation split); got "
            f"{args.val_size}"
        )
    if args.max_anchors is not None and args.max_anchors < 1:
        raise CLIError(
            f"--max-anchors must be at least 1; got {args.max_anchors}"
        )
    out = os.path.abspath(args.out)
    check_out_path(args.out, "--out", folder=True)
    if os.path.isdir(out) and os.listdir(out) and not args.overwrite:
        raise CLIError(
            f"--out {args.out} exists and is not empty; pass --overwrite to "
            "replace it (the new folder replaces it whole at the end)"
        )


def check_out_path(path, flag, folder=False, example="predictions.csv"):
    """Refuse, before any work, an output that could not be written.

    Files and folders are written beside their final path and renamed
    onto it (`aos_keras.io`), so the folder that will hold `path` must
    accept a new entry. It is tried: a temporary folder is made in it and
    removed (permission bits say nothing for root, nor for read-only
    mounts).

    Args:
        path: str. The output file, or folder when `folder`.
        flag: str. The option or argument that named it, for the message.
        folder: bool. `path` is a folder (a file there is refused);
            otherwise a file (a folder there is refused).
        example: str. A file name the message suggests inside a folder.

    Raises:
        CLIError: `path` is of the wrong kind, a folder above it is a
            file, or its folder cannot be written.
    """
    out = os.path.abspath(path)
    if folder and os.path.exists(out) and not os.path.isdir(out):
        raise CLIError(f"{flag} {path} is a file, not a folder")
    if not folder and os.path.isdir(out):
        raise CLIError(
            f"{flag} {path} is a folder; give a file name, e.g. "
            f"{os.path.join(path, example)}"
        )
    parent = os.path.dirname(out)
    while not os.path.lexists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise CLIError(f"{flag} {path}: {parent} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".aos-keras-probe.", dir=parent))
    except OSError as err:
        raise CLIError(
            f"{flag} {path}: cannot write in {parent} ({err.strerror})"
        ) from None


def evaluate(args):
    """`aos-keras evaluate`: ACSA, GM and per-class recall on a table."""
    if args.output:
        check_out_path(args.output, "--output", example="scores.json")
    model, prep = load_folder(args.model)
    features, labels = split_label(read_table(args.data), prep["label"])
    scores = _scores(model, _transform(features, prep), labels)
    if args.output:
        from aos_keras import io

        io.write_json(args.output, scores)
    print(json.dumps(scores, indent=1))


def predict(args):
    """`aos-keras predict`: labels and class probabilities of new rows."""
    from aos_keras import io

    check_out_path(args.out, "--out")
    model, prep = load_folder(args.model)
    frame = read_table(args.data)
    features = frame.drop(columns=[prep["label"]], errors="ignore")
    keep = args.keep or []
    absent = [c for c in keep if c not in frame.columns]
    if absent:
        raise CLIError(f"--keep names columns the table lacks: {absent}")
    x = _transform(features, prep)
    import keras

    proba = keras.ops.convert_to_numpy(
        keras.ops.softmax(model.classifier(x), axis=-1)
    )
    classes = list(prep["classes"])
    out = frame[keep].reset_index(drop=True).copy()
    out["prediction"] = np.asarray(classes, dtype=object)[proba.argmax(1)]
    for j, c in enumerate(classes):
        out[f"p[{c}]"] = proba[:, j]
    io.write_text(args.out, out.to_csv(index=False))
    print(f"wrote {len(out)} predictions to {args.out}")


def generate(args):
    """`aos-keras generate`: N synthetic rows per class, original columns."""
    from aos_keras import io

    check_out_path(args.out, "--out", example="synthetic.csv")
    model, prep = load_folder(args.model)
    classes = args.classes or [str(c) for c in prep["classes"]]
    by_name = {str(c): c for c in prep["classes"]}
    unknown = [c for c in classes if c not in by_name]
    if unknown:
        raise CLIError(f"unknown classes {unknown}; known: {list(by_name)}")
    if args.n < 1:
        raise CLIError("--n must be at least 1")
    x, y = model.sample({by_name[c]: args.n for c in classes}, seed=args.seed)
    # Rows of the user's schema: numbers unscaled (integers rounded,
    # booleans by vote), each nominal cell the anchors' largest vote.
    frame = prep["_encoder"].inverse_transform(x)
    frame[prep["label"]] = y
    io.write_text(args.out, frame.to_csv(index=False))
    print(f"wrote {len(frame)} rows to {args.out}")


def export(args):
    """`aos-keras export`: a TF Serving SavedModel of the classifier."""
    from aos_keras.export import export_saved_model

    if os.path.lexists(args.path) and not args.overwrite:
        raise CLIError(f"{args.path} exists; pass --overwrite to replace it")
    check_out_path(args.path, "PATH", folder=True)
    model, prep = load_folder(args.model)
    encoder = prep["_encoder"]
    if not encoder.numeric_only:
        export_saved_model(
            model, args.path, encoder=encoder, overwrite=args.overwrite
        )
        names = [c["name"] for c in encoder.serving_spec()["columns"]]
        print(
            f"exported to {args.path}: signature serving_default, one input "
            f"per column {names[:8]}... (numbers as float32, nominal "
            "columns as strings), outputs 'probabilities' and 'class_ids'"
        )
        return
    export_saved_model(
        model,
        args.path,
        feature_mean=np.asarray(prep["mean"], dtype="float32"),
        feature_scale=np.asarray(prep["scale"], dtype="float32"),
        overwrite=args.overwrite,
    )
    print(
        f"exported to {args.path}: signature serving_default, input "
        f"'features' float32 [None, {len(prep['features'])}] (raw, in the "
        f"column order {prep['features'][:8]}...), outputs 'probabilities' "
        "and 'class_ids'"
    )


def benchmark(args):
    """`aos-keras benchmark`: the Table 2 grid (see reproduce_table2)."""
    from aos_keras import benchmark as bench

    bench.main(args.rest, root=os.getcwd())


# ---------------------------------------------------------------- helpers
def compare(args):
    """`aos-keras compare`: every method on a table (or a folder of them)."""
    from aos_keras import comparison as harness

    if (args.data is None) == (args.suite is None):
        raise CLIError("give one table (DATA) or --suite FOLDER, not both")
    if args.suite is not None and (args.features or args.drop):
        raise CLIError("--features and --drop apply to one table, not --suite")
    batch = args.batch_size
    if batch != "auto":
        try:
            batch = int(batch)
        except ValueError as err:
            raise CLIError(
                f"--batch-size must be an int or 'auto'; got {batch!r}"
            ) from err
    settings = dict(
        methods=args.methods,
        repeats=args.repeats,
        epochs=args.epochs,
        batch_size=batch,
        n_jobs=args.jobs,
        cache_dir=args.cache_dir or os.path.join(args.out, "runs"),
        seed=args.seed,
        max_anchors=args.max_anchors,
    )
    if args.suite is not None:
        if not os.path.isdir(args.suite):
            raise CLIError(f"--suite: no such folder: {args.suite}")
        labels = dict(item.split("=", 1) for item in args.labels or [])
        result = harness.compare_suite(
            args.suite,
            label=args.label,
            labels=labels,
            only=args.tables,
            **settings,
        )
        paths = result.save(
            args.out, stem=args.name or "suite", plot=not args.no_plot
        )
        print(result.rank_table().to_string())
    else:
        frame = read_table(args.data)
        features, labels = split_label(
            frame, args.label, args.features, args.drop, warn=True
        )
        name = os.path.splitext(os.path.basename(args.data))[0]
        result = harness.compare(features, labels, name=name, **settings)
        paths = result.save(args.out, plot=not args.no_plot)
        print(result.summary().to_string())
        print(result.recommendation())
    for path in paths:
        print(f"wrote {path}")


def _verbosity(value):
    """`--verbose`, or a bar on a terminal and a line per epoch in a log."""
    if value is not None:
        return value
    return 1 if sys.stdout.isatty() else 2


def _as_flags(message):
    """A settings message with `name` written as the option `--name`."""
    import re

    return re.sub(
        r"`([a-z_]+)`",
        lambda m: "--" + m.group(1).replace("_", "-"),
        message,
    )


# ----------------------------------------------------------------- parser
def _add_column_options(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="the feature columns (default: every column but the label)",
    )
    group.add_argument(
        "--drop",
        nargs="+",
        metavar="COLUMN",
        help="columns that are not features (IDs, leaks, dates)",
    )


def build_parser(model_class=None):
    """The `aos-keras` argument parser.

    Args:
        model_class: a subclass of `AdversarialOversampler` (with its
            `config_class`) that `train` builds, or None for
            `AdversarialOversampler` itself. `train` has one option per
            field of its config.

    Returns:
        An `argparse.ArgumentParser`.
    """
    if model_class is None:
        from aos_keras.config import GameConfig as config_class
    else:
        config_class = model_class.config_class
    parser = argparse.ArgumentParser(
        prog="aos-keras",
        description="Adversarial (AO) and data-space (DO) oversampling for "
        "imbalanced tables, on Keras 3.",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="Keras backend (default: KERAS_BACKEND or tensorflow)",
    )
    parser.add_argument(
        "--backend-logs",
        action="store_true",
        help="show what the backend writes to stderr when it starts "
        "(TensorFlow's absl and oneDNN lines; hidden by default)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads of the torch backend (default: 1; the networks "
        "are small, and more threads were up to 7x slower on a busy "
        "2-core machine); ignored by the other backends",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train AO/DO on a CSV/parquet table")
    p.add_argument("data", help="CSV, TSV or parquet file")
    p.add_argument("--label", required=True, help="name of the label column")
    _add_column_options(p)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument(
        "--val-size",
        type=float,
        default=0.2,
        help="validation fraction selecting the epoch (0: none)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-anchors", type=int, default=None)
    p.add_argument("--no-standardize", dest="standardize", action="store_false")
    p.add_argument(
        "--impute",
        choices=("median", "mean", "constant"),
        default="median",
        help="missing numeric cells: the training median (default), mean, "
        "or 0; a missing nominal cell takes the most frequent category",
    )
    p.add_argument(
        "--unknown-categories",
        choices=("ignore", "error"),
        default="ignore",
        help="a category unseen in training, at evaluate/predict time: no "
        "vote (default) or an error",
    )
    config_class.add_arguments(p.add_argument_group("the game's settings"))
    p.add_argument("--plot", action="store_true", help="write PNG plots")
    p.add_argument(
        "--verbose",
        type=int,
        default=None,
        choices=(0, 1, 2),
        help="Keras progress: 0 none, 1 a bar, 2 one line per epoch "
        "(default: 1 on a terminal, 2 when the output is a file or pipe)",
    )
    p.add_argument("--out", default="aos_model", help="output folder")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --out folder (whole, at the end)",
    )
    p.set_defaults(func=train, check=check_train, model_class=model_class)

    p = sub.add_parser("evaluate", help="score a trained model on a table")
    p.add_argument("model", help="folder written by 'train'")
    p.add_argument("data")
    p.add_argument("--output", help="also write the scores to this JSON")
    p.set_defaults(func=evaluate)

    p = sub.add_parser(
        "predict", help="labels and class probabilities of rows, to CSV"
    )
    p.add_argument("model", help="folder written by 'train'")
    p.add_argument("data", help="rows to predict (a label column is ignored)")
    p.add_argument("--out", required=True, help="CSV file to write")
    p.add_argument(
        "--keep", nargs="+", help="input columns to copy into the output"
    )
    p.set_defaults(func=predict)

    p = sub.add_parser("generate", help="synthetic rows per class to CSV")
    p.add_argument("model", help="folder written by 'train'")
    p.add_argument("--n", type=int, default=100, help="rows per class")
    p.add_argument("--classes", nargs="+", help="default: every class")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="CSV file to write")
    p.set_defaults(func=generate)

    p = sub.add_parser("export", help="TF Serving SavedModel of Q")
    p.add_argument("model", help="folder written by 'train'")
    p.add_argument("path", help="SavedModel folder to write")
    p.add_argument(
        "--overwrite", action="store_true", help="replace an existing PATH"
    )
    p.set_defaults(func=export)

    p = sub.add_parser(
        "compare",
        help="every method on a table, or a folder of tables: ranks, "
        "paired tests, a report",
    )
    p.add_argument("data", nargs="?", help="CSV, TSV or parquet file")
    p.add_argument("--suite", help="a folder of CSV files instead of DATA")
    p.add_argument(
        "--tables", nargs="+", help="only these files of the suite (stems)"
    )
    p.add_argument("--label", default="label", help="label column name")
    _add_column_options(p)
    p.add_argument(
        "--labels",
        nargs="+",
        metavar="FILE=COLUMN",
        help="per-file label columns of a suite (file stem=column)",
    )
    p.add_argument("--methods", nargs="+", help="default: every method")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument(
        "--batch-size", default="32", help="an int, or 'auto' (<= 50 steps)"
    )
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-anchors", type=int, default=None)
    p.add_argument("--cache-dir", help="run cache (default OUT/runs)")
    p.add_argument("--no-plot", action="store_true")
    p.add_argument("--out", default="compare_report", help="output folder")
    p.add_argument(
        "--name", help="file stem of a suite's report (default: suite)"
    )
    p.set_defaults(func=compare)

    p = sub.add_parser(
        "benchmark",
        help="the Table 2 grid (arguments of reproduce_table2, see "
        "'aos-keras benchmark -- --help')",
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=benchmark)
    return parser


def main(argv=None, model_class=None):
    """Run the command line on `argv`; returns the exit status.

    The arguments are parsed, and `train`'s settings, run options and table
    checked, before Keras is imported (when it is not imported yet, as from
    the `aos-keras` console script): `--help` and a wrong argument answer
    in well under a second. `--backend` then sets `KERAS_BACKEND` for the
    import; a process that imported Keras with another backend already is
    restarted under the one asked for. The backend starts with its own C++
    log lines hidden unless `--backend-logs`.

    Args:
        argv: list of str or None (`sys.argv[1:]`).
        model_class: see `build_parser`.
    """
    argv = _backend_first(list(sys.argv[1:] if argv is None else argv))
    args = build_parser(model_class).parse_args(argv)
    if args.threads is not None and args.threads < 1:
        print("aos-keras: error: --threads must be at least 1", file=sys.stderr)
        return 2
    if args.backend:
        _use_backend(args.backend, argv)
    if args.command == "benchmark" and args.rest[:1] == ["--"]:
        args.rest = args.rest[1:]
    quiet = not args.backend_logs
    try:
        check = getattr(args, "check", None)
        if check is not None:  # before the backend is imported
            args.checked = check(args)
        with quiet_imports(QUIET_MODULES if quiet else ()):
            load_package(quiet=quiet)
            _set_torch_threads(args.threads)
            status = args.func(args)
    except CLIError as err:
        print(f"aos-keras {args.command}: error: {err}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError) as err:
        # OSError: a write that failed all the same (disk full, a folder
        # removed meanwhile); the atomic writes left nothing half-written.
        print(f"aos-keras {args.command}: error: {err}", file=sys.stderr)
        return 2
    return status or 0


def _use_backend(name, argv):
    """Make `name` the Keras backend of this run.

    Before Keras is imported, `KERAS_BACKEND` is set for the import. Keras
    fixes its backend when it is imported: a process that imported it with
    another backend (`python -m aos_keras.cli`, which imports the package
    first) is restarted under the one asked for.
    """
    keras = sys.modules.get("keras")
    if keras is None:
        os.environ["KERAS_BACKEND"] = name
        return
    if keras.backend.backend() != name:
        env = dict(os.environ, KERAS_BACKEND=name)
        os.execve(
            sys.executable, [sys.executable, "-m", "aos_keras.cli", *argv], env
        )


def load_package(quiet=True):
    """Import the whole package, and with it Keras and its backend.

    Every Keras-serialisable class of `aos_keras` is registered afterwards,
    so a model folder loads. With `quiet`, whatever the backend writes to
    the process's stderr while it is imported (TensorFlow's absl and oneDNN
    lines, which `TF_CPP_MIN_LOG_LEVEL` does not hide) is dropped, unless
    the import fails: then it is written out before the error.
    """
    import aos_keras

    if quiet and "keras" not in sys.modules:
        with quiet_stderr():
            aos_keras._load()
    else:
        aos_keras._load()


class _QuietLoader(importlib.abc.Loader):
    """A module's loader, run under `quiet_stderr`."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        with quiet_stderr():
            self.loader.exec_module(module)


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Finds `names` as usual; their loaders run under `quiet_stderr`."""

    def __init__(self, names):
        self.names = set(names)
        self.searching = False

    def find_spec(self, name, path, target=None):
        if name not in self.names or self.searching:
            return None
        self.searching = True  # the search below must not find us again
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self.searching = False
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


@contextlib.contextmanager
def quiet_imports(names):
    """The first import of each of `names` hides its stderr output.

    For modules that Keras imports later, on first use: its
    `keras.utils.set_random_seed` imports TensorFlow, when installed, to
    seed it, on every backend. The search hook is removed at the end of
    the block.
    """
    names = [n for n in names if n not in sys.modules]
    if not names:
        yield
        return
    finder = _QuietFinder(names)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)


@contextlib.contextmanager
def quiet_stderr():
    """File descriptor 2 into a temporary file for the `with` block.

    C++ libraries write their logs to the descriptor, not to `sys.stderr`,
    so this hides them too. The captured bytes are discarded when the block
    ends normally and written to stderr when it raises (the exception
    itself is printed after the block, as usual). Where descriptor 2 cannot
    be duplicated (closed), nothing is hidden.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                sink.seek(0)
                sys.stderr.write(sink.read().decode("utf-8", "replace"))
                sys.stderr.flush()


def _set_torch_threads(threads):
    """torch's intra-op threads for this run: `threads`, else 1."""
    from aos_keras import backend

    if backend.BACKEND == "torch":
        import torch

        torch.set_num_threads(threads or 1)


def _backend_first(argv):
    """`argv` with `--backend NAME` and `--backend-logs` moved to the front.

    They are options of `aos-keras` itself, accepted anywhere. Arguments
    after a `--` (passed through to the benchmark) are left alone.
    """
    end = argv.index("--") if "--" in argv else len(argv)
    head, tail, chosen, logs = [], argv[end:], [], []
    i = 0
    while i < end:
        arg = argv[i]
        if arg == "--backend" and i + 1 < end:
            chosen = [arg, argv[i + 1]]
            i += 2
            continue
        if arg.startswith("--backend="):
            chosen = ["--backend", arg.split("=", 1)[1]]
        elif arg == "--backend-logs":
            logs = [arg]
        else:
            head.append(arg)
        i += 1
    return chosen + logs + head + tail


if __name__ == "__main__":
    sys.exit(main())
