"""The `aos-keras` command line: train, evaluate, predict, generate, export,
compare, benchmark.

Thin argparse entry points; the work is in `aos_keras` functions. Every file
written goes through `aos_keras.io` (atomic). A model folder holds:

- `model.keras`: the trained `AdversarialOversampler`;
- `preprocessing.json`: feature names and dtypes, label column, classes and
  the encoding fitted on the training rows (`encoder`: per column its
  imputation value and standardisation, or its categories);
- `encoder.joblib`: that fitted `aos_keras.TableEncoder` (numbers, nominal
  columns, missing cells), used by `evaluate`, `generate` and `export`;
- `metrics.json`, `history.csv` (and PNG plots with `--plot`).

Example:
    aos-keras train data.csv --label target --mode do --epochs 100 --out run1
    aos-keras evaluate run1 test.csv
    aos-keras predict run1 new_rows.csv --out predictions.csv
    aos-keras generate run1 --n 100 --out synthetic.csv
    aos-keras export run1 serving/aos/1
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

BACKENDS = ("tensorflow", "jax", "torch")
# The fitted `TableEncoder` of a model folder (joblib; load trusted folders).
ENCODER = "encoder.joblib"


class CLIError(Exception):
    """A user error: printed without a traceback, exit status 2."""


# ------------------------------------------------------------------ tables
def read_table(path):
    """Read a CSV, TSV or parquet file into a DataFrame."""
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        try:
            return pd.read_parquet(path)
        except ImportError as err:
            raise CLIError(f"reading parquet needs pyarrow: {err}") from err
    sep = "\t" if lower.endswith((".tsv", ".tsv.gz")) else ","
    return pd.read_csv(path, sep=sep)


def split_label(frame, label):
    """`(features, labels)` of a table; the label column must exist."""
    if label not in frame.columns:
        raise CLIError(
            f"label column {label!r} not in the table; columns are "
            f"{list(map(str, frame.columns))[:30]}"
        )
    return frame.drop(columns=[label]), frame[label].to_numpy()


# --------------------------------------------------------------- commands
def train(args):
    """`aos-keras train`: fit AO/DO on a table and save the model folder."""
    import joblib
    import keras
    from sklearn.model_selection import train_test_split

    from aos_keras import (
        AdversarialOversampler,
        EvaluationCallback,
        backend,
        io,
        validation,
    )
    from aos_keras.tables import TableEncoder

    frame = read_table(args.data)
    features, labels = split_label(frame, args.label)
    y = validation.check_labels(labels, num_rows=len(features))
    validation.check_classes(y)
    rows = np.arange(len(features))
    val_rows = None
    if args.val_size > 0:
        _, counts = np.unique(y, return_counts=True)
        stratify = y if counts.min() >= 2 else None
        rows, val_rows = train_test_split(
            rows,
            test_size=args.val_size,
            stratify=stratify,
            random_state=args.seed,
        )
    # One encoder, fitted on the training rows only, saved with the model.
    try:
        encoder = TableEncoder(
            standardize=args.standardize,
            numeric_imputation=args.impute,
            unknown=args.unknown_categories,
        ).fit(features.iloc[rows])
    except ValueError as err:
        raise CLIError(f"{args.data}: {err}") from err
    prep = _preprocessing(features, args.label, encoder)

    def encode(index):
        return encoder.transform(features.iloc[index])

    x_val = y_val = None
    if val_rows is not None:
        x_val, y_val = encode(val_rows), y[val_rows]
    x, y = encode(rows), y[rows]
    validation.check_features(x, name=args.data)

    keras.utils.set_random_seed(args.seed)
    model = AdversarialOversampler.from_data(
        x,
        y,
        mode=args.mode,
        seed=args.seed,
        max_anchors=args.max_anchors,
        sampling_strategy=_strategy(args.sampling_strategy),
        latent_dim=args.latent_dim,
        generator_units=args.generator_units,
        generator_temperature=args.generator_temperature,
        critic_units=args.critic_units,
        classifier_units=args.classifier_units,
    )
    model.compile()
    prep["classes"] = model.classes_.tolist()
    callbacks = []
    if x_val is not None:
        callbacks.append(
            EvaluationCallback(
                {"val": (x_val, y_val)},
                restore_best_weights=True,
            )
        )
    history = model.fit(
        x,
        y,
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=args.verbose,
        callbacks=callbacks,
    )
    os.makedirs(args.out, exist_ok=True)
    with io.atomic_path(os.path.join(args.out, "model.keras")) as tmp:
        model.save(tmp)
    io.write_json(os.path.join(args.out, "preprocessing.json"), prep)
    joblib.dump(encoder, os.path.join(args.out, ENCODER))
    table = pd.DataFrame(history.history)
    table.index.name = "epoch"
    io.write_text(os.path.join(args.out, "history.csv"), table.to_csv())
    metrics = {
        "mode": args.mode,
        "epochs": args.epochs,
        "backend": backend.BACKEND,
        "train": _scores(model, x, y),
    }
    if callbacks:
        best = callbacks[0].best_scores()
        metrics["best_epoch"] = best["epoch"] + 1
        metrics["val"] = {k: best[k] for k in ("acsa", "gm", "recall")}
    io.write_json(os.path.join(args.out, "metrics.json"), metrics)
    if args.plot:
        from aos_keras import plots

        plots.plot_history(
            history.history, os.path.join(args.out, "curves.png")
        )
        plots.plot_generated(
            model, x, y, os.path.join(args.out, "generated.png")
        )
    print(json.dumps(metrics, indent=1))
    print(f"saved to {args.out}")


def evaluate(args):
    """`aos-keras evaluate`: ACSA, GM and per-class recall on a table."""
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

    model, prep = load_folder(args.model)
    encoder = prep["_encoder"]
    if not encoder.numeric_only:
        export_saved_model(model, args.path, encoder=encoder)
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
        features, labels = split_label(frame, args.label)
        name = os.path.splitext(os.path.basename(args.data))[0]
        result = harness.compare(features, labels, name=name, **settings)
        paths = result.save(args.out, plot=not args.no_plot)
        print(result.summary().to_string())
        print(result.recommendation())
    for path in paths:
        print(f"wrote {path}")


def load_folder(folder):
    """The model and preprocessing of a folder written by `train`."""
    import keras

    import aos_keras  # noqa: F401  (registers the custom objects)

    paths = [
        os.path.join(folder, n) for n in ("model.keras", "preprocessing.json")
    ]
    for path in paths:
        if not os.path.exists(path):
            raise CLIError(
                f"{path} not found: pass a folder written by 'aos-keras train'"
            )
    model = keras.saving.load_model(paths[0], compile=False)
    with open(paths[1], encoding="utf-8") as f:
        prep = json.load(f)
    prep["_encoder"] = _load_encoder(folder, prep)
    return model, prep


def _load_encoder(folder, prep):
    """The folder's `TableEncoder` (older folders: rebuilt from mean/scale)."""
    import joblib

    path = None if folder is None else os.path.join(folder, ENCODER)
    if path is not None and os.path.exists(path):
        return joblib.load(path)
    from aos_keras.tables import TableEncoder

    # A folder of an earlier version: numeric columns, mean and scale.
    mean = np.asarray(prep["mean"], dtype=np.float64)
    scale = np.asarray(prep["scale"], dtype=np.float64)
    frame = pd.DataFrame(
        np.stack([mean - scale, mean + scale]), columns=prep["features"]
    )
    encoder = TableEncoder().fit(frame)
    dtypes = prep.get("dtypes", {})
    encoder.dtypes_ = pd.Series(
        {c: np.dtype(dtypes.get(c, "float64")) for c in prep["features"]}
    )
    return encoder


def _preprocessing(features, label, encoder):
    """`preprocessing.json`: columns, dtypes, label, the encoder's spec."""
    prep = {
        "features": [str(c) for c in features.columns],
        "dtypes": {str(c): str(t) for c, t in features.dtypes.items()},
        "label": label,
        "encoder": encoder.serving_spec(),
    }
    if encoder.numeric_only:  # the numeric layout of earlier versions
        spec = prep["encoder"]["columns"]
        prep["mean"] = [c["mean"] for c in spec]
        prep["scale"] = [c["scale"] for c in spec]
    return prep


def _transform(features, prep):
    """Model-space rows of a table, through the folder's encoder."""
    from aos_keras import validation

    missing = [c for c in prep["features"] if c not in features.columns]
    if missing:
        raise CLIError(f"the table lacks the model's feature columns {missing}")
    encoder = prep.get("_encoder") or _load_encoder(None, prep)
    try:
        x = encoder.transform(features[prep["features"]])
    except ValueError as err:
        raise CLIError(str(err)) from err
    return validation.check_features(x)


def _scores(model, x, labels):
    from aos_keras import acsa, geometric_mean, per_class_recall

    y = model.encode_labels(labels)
    pred = np.argmax(model.predict(x, verbose=0), axis=1)
    c = model.num_classes
    recall = per_class_recall(y, pred, c)
    return {
        "rows": int(len(y)),
        "acsa": acsa(y, pred, c),
        "gm": geometric_mean(y, pred, c),
        "recall": {
            str(k): (None if np.isnan(r) else float(r))
            for k, r in zip(model.classes_, recall)
        },
    }


def _strategy(value):
    if value in (None, "auto"):
        return "auto"
    try:
        return float(value)
    except ValueError as err:
        raise CLIError(
            f"--sampling-strategy must be 'auto' or a float in (0, 1]; got "
            f"{value!r}"
        ) from err


# ----------------------------------------------------------------- parser
def build_parser():
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
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train AO/DO on a CSV/parquet table")
    p.add_argument("data", help="CSV, TSV or parquet file")
    p.add_argument("--label", required=True, help="name of the label column")
    p.add_argument("--mode", choices=("do", "ao"), default="do")
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
    p.add_argument(
        "--sampling-strategy",
        default="auto",
        help="'auto' or the fractional rate f_s in (0, 1]",
    )
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
    p.add_argument("--latent-dim", type=int, default=100)
    p.add_argument("--generator-units", type=int, nargs="+", default=[256, 64])
    p.add_argument(
        "--generator-temperature",
        type=float,
        default=1.0,
        help="softmax temperature of the generator heads (below 1: each "
        "generated row mixes fewer real rows)",
    )
    p.add_argument("--critic-units", type=int, nargs="+", default=[256, 128])
    p.add_argument(
        "--classifier-units", type=int, nargs="+", default=[256, 128, 64]
    )
    p.add_argument("--plot", action="store_true", help="write PNG plots")
    p.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2))
    p.add_argument("--out", default="aos_model", help="output folder")
    p.set_defaults(func=train)

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


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.backend and os.environ.get("KERAS_BACKEND") != args.backend:
        # Keras fixes its backend at import: restart under the one asked for.
        env = dict(os.environ, KERAS_BACKEND=args.backend)
        os.execve(
            sys.executable, [sys.executable, "-m", "aos_keras.cli", *argv], env
        )
    if args.command == "benchmark" and args.rest[:1] == ["--"]:
        args.rest = args.rest[1:]
    try:
        args.func(args)
    except CLIError as err:
        print(f"aos-keras {args.command}: error: {err}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, FileNotFoundError) as err:
        print(f"aos-keras {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
