"""The `aos-keras` argument parser: one small function per command.

Importing it imports no Keras: `--help` and a wrong argument answer at
once. `train` has one option per field of its config (`GameConfig`).
"""

import argparse

import aos_keras
from aos_keras import stopping
from aos_keras.cli.startup import BACKENDS
from aos_keras.evaluation.ranking import RANKING_METRICS, SCORER_ALIASES
from aos_keras.game.anchors import MAX_ANCHORS

COMMANDS = ("train", "evaluate", "predict", "generate", "export", "compare")
# The release that drops the old spellings of the output option (`--out`,
# `export`'s positional PATH), accepted until then with a deprecation line.
OLD_SPELLINGS_REMOVED_IN = "0.7"
EPILOG = (
    "Each command has its own --help. Progress goes to stderr (-v more, "
    "-q less), results to stdout; '-' reads a table from standard input "
    "or writes rows to standard output. The paper's Table 2 grid is a "
    "script of the repository, not a command: scripts/reproduce_table2.py."
)


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Adds `(default: ...)` where the help text does not say it already,
    and not to flags or options without a default."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (
            "default" in text.lower()
            or not action.option_strings
            or action.nargs == 0
            or action.default in (None, argparse.SUPPRESS)
        ):
            return text
        return text + " (default: %(default)s)"


def build_parser(model_class=None):
    """The `aos-keras` argument parser.

    Args:
        model_class: a subclass of `AdversarialOversampler` (with its
            `config_class`) that `train` builds, or None for
            `AdversarialOversampler` itself. `train` has one option per
            field of its config.

    Returns:
        An `argparse.ArgumentParser`; the parsed `command` names the
        module of `aos_keras.cli` that runs it.
    """
    parser = argparse.ArgumentParser(
        prog="aos-keras",
        description="Adversarial (AO) and data-space (DO) oversampling for "
        "imbalanced tables, on Keras 3.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_train, _evaluate, _predict, _generate, _export, _compare):
        add(sub, model_class)
    return parser


def _command(sub, name, help_text):
    return sub.add_parser(
        name, help=help_text, description=help_text, formatter_class=_Formatter
    )


def _add_global_options(parser):
    _add_log_options(parser)
    _add_backend_options(parser)


def _add_log_options(parser):
    parser.add_argument(
        "--version",
        action="version",
        version=f"aos-keras {aos_keras.__version__}",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more log lines on stderr (-v: debug)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=0,
        help="fewer log lines on stderr (-q: warnings and errors, -qq: "
        "errors only; Keras's progress off)",
    )


def _add_backend_options(parser):
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="Keras backend (default: KERAS_BACKEND, else tensorflow)",
    )
    parser.add_argument(
        "--backend-logs",
        action="store_true",
        help="show what the backend writes to stderr when it starts and "
        "runs (TensorFlow's absl, oneDNN, cuInit and retracing lines; "
        "hidden by default)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads of the torch backend (default: 1; the networks "
        "are small, and more threads were up to 7x slower on a busy "
        "2-core machine); ignored by the other backends",
    )


TABLE_HELP = (
    "CSV/TSV (.gz, .bz2, .zip, .xz), parquet or .xlsx file; '-' for "
    "standard input"
)


def _add_table_options(parser, data_help=TABLE_HELP, optional=False):
    parser.add_argument("data", nargs="?" if optional else None, help=data_help)
    parser.add_argument(
        "--sep",
        help="separator of a text table (default: sniffed: comma, "
        "semicolon, tab or pipe)",
    )
    parser.add_argument(
        "--decimal",
        choices=(".", ","),
        metavar="{.|,}",
        help="decimal mark of a text table (default: ',' when the table is "
        "not comma-separated and its numbers are written 14,23, else '.')",
    )


def _add_label_option(p):
    """`--label`, alike in `train` and `compare`."""
    p.add_argument(
        "--label",
        default="label",
        help="the label column (a table without it is refused, naming its "
        "columns)",
    )


def _add_plot_option(p, default):
    """`--plot/--no-plot`, alike in `train` and `compare`."""
    what = "PNG plots of the training" if not default else "the figures"
    p.add_argument(
        "--plot",
        action=argparse.BooleanOptionalAction,
        default=default,
        help=f"write {what} (default: {'--plot' if default else '--no-plot'})",
    )


def _add_output_option(p, default, help_text, old=True):
    """`-o/--output`, in every command that writes; with `old`, the old
    spelling `--out` too, hidden from the help (`resolve_old_spellings`).

    The parsed `output` is None unless given; `output_default` holds the
    default that `resolve_old_spellings` fills in.
    """
    if default is not None:
        help_text += f" (default: {default})"
    p.add_argument("-o", "--output", metavar="PATH", help=help_text)
    if old:
        p.add_argument("--out", dest="old_out", help=argparse.SUPPRESS)
    p.set_defaults(output_default=default)


# The attributes of the old spellings, with their names in a message.
OLD_SPELLINGS = {"old_out": "--out", "old_path": "the positional PATH"}


def resolve_old_spellings(args):
    """Move an old spelling of `-o/--output` into `args.output`; fill the
    default; return the deprecation lines to log.

    Args:
        args: the parsed arguments (changed in place: `old_out`,
            `old_path` and `output_default` removed, `output` set).

    Returns:
        list of str: one line per old spelling given.

    Raises:
        ValueError: an old spelling and `-o/--output` both given, with
            different paths.
    """
    lines = []
    for attr, name in OLD_SPELLINGS.items():
        value = vars(args).pop(attr, None)
        if value is None:
            continue
        if args.output is not None and args.output != value:
            raise ValueError(
                f"{name} ({value}) and -o/--output ({args.output}) both "
                "name the output; give -o/--output only"
            )
        args.output = value
        lines.append(
            f"{name} is deprecated and will be removed in "
            f"{OLD_SPELLINGS_REMOVED_IN}; use -o/--output"
        )
    default = vars(args).pop("output_default", None)
    if hasattr(args, "output") and args.output is None:
        args.output = default
    return lines


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
        help="columns that are not features (IDs, leaks, dates; default: none)",
    )


def _train(sub, model_class):
    if model_class is None:
        from aos_keras.game.config import GameConfig as config_class
    else:
        config_class = model_class.config_class
    p = _command(sub, "train", "train AO/DO on a table; save a model folder")
    _add_table_options(p)
    _add_label_option(p)
    _add_column_options(p)
    _add_run_options(p)
    _add_encoder_options(p)
    config_class.add_arguments(p.add_argument_group("the game's settings"))
    _add_train_outputs(p)
    p.set_defaults(model_class=model_class)


def _add_train_outputs(p):
    _add_plot_option(p, default=False)
    p.add_argument(
        "--progress",
        type=int,
        default=None,
        choices=(0, 1, 2),
        help="Keras progress on stderr: 0 none, 1 a bar, 2 one line per "
        "epoch (default: 0 with -q, else 1 on a terminal, 2 when the output "
        "is a file or pipe)",
    )
    _add_output_option(p, "aos_model", "the model folder to write")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --output folder (whole, at the end)",
    )


def batch_size(text):
    """`--batch-size`: an int >= 1, or `auto`."""
    if text == "auto":
        return text
    return _positive(text, "an int >= 1 or 'auto'")


def max_anchors(text):
    """`--max-anchors`: an int >= 1, or `all` (None: every row)."""
    if text == "all":
        return None
    return _positive(text, "an int >= 1 or 'all'")


def patience(text):
    """`--patience`: an int >= 1, or 0 (None: every epoch runs)."""
    if text.strip() == "0":
        return None
    return _positive(text, "an int >= 1, or 0 for none")


def _positive(text, what):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}")
    return value


def _add_stopping_options(p):
    """`--epochs`, `--patience`, `--batch-size`, `--max-anchors`: the
    defaults every entry point shares (`aos_keras.stopping`)."""
    p.add_argument(
        "--epochs",
        type=int,
        default=stopping.EPOCHS,
        help="most training epochs (training stops earlier, --patience "
        "epochs after the best validation ACSA)",
    )
    p.add_argument(
        "--patience",
        type=patience,
        default=stopping.PATIENCE,
        help="stop after this many epochs without a better validation ACSA "
        "(0: train every epoch)",
    )
    p.add_argument(
        "--batch-size",
        type=batch_size,
        default="auto",
        help="rows per step: an int, or 'auto' (32 up to 1,600 rows, then "
        "64, 128, 256: at most 50 steps an epoch where 256 allows) "
        "(default: auto)",
    )
    p.add_argument(
        "--max-anchors",
        type=max_anchors,
        default=MAX_ANCHORS,
        help="cap on the anchors (real rows the generator mixes) per class; "
        "'all' for every row",
    )


def _add_run_options(p):
    _add_stopping_options(p)
    p.add_argument(
        "--val-size",
        type=float,
        default=stopping.VALIDATION_FRACTION,
        help="validation fraction selecting the epoch and stopping early "
        "(0: none: every epoch runs, the last is kept)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the split and training"
    )


def _add_encoder_options(p):
    p.add_argument(
        "--no-standardize",
        dest="standardize",
        action="store_false",
        help="keep numeric columns unscaled (default: standardised)",
    )
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
    p.add_argument(
        "--max-categories",
        type=int,
        default=100,
        help="most distinct values of a nominal column (default: 100); more "
        "is refused, saying whether the column looks like dates, mixed "
        "types or an ID",
    )


def _evaluate(sub, model_class):
    p = _command(sub, "evaluate", "score a trained model on a table (JSON)")
    p.add_argument("model", help="folder written by 'train'")
    _add_table_options(p)
    _add_output_option(
        p, None, "also write the scores to this JSON file (default: none)",
        old=False,
    )  # fmt: skip


def _predict(sub, model_class):
    p = _command(
        sub, "predict", "labels and class probabilities of rows, as CSV"
    )
    p.add_argument("model", help="folder written by 'train'")
    _add_table_options(
        p, "rows to predict (a label column is ignored); '-' for "
        "standard input"
    )  # fmt: skip
    _add_output_option(p, "-", "CSV file to write ('-': standard output)")
    p.add_argument(
        "--keep",
        nargs="+",
        metavar="COLUMN",
        help="input columns to copy into the output (default: none)",
    )


def _generate(sub, model_class):
    p = _command(sub, "generate", "synthetic rows per class, as CSV")
    p.add_argument("model", help="folder written by 'train'")
    p.add_argument("--n", type=int, default=100, help="rows per class")
    p.add_argument(
        "--classes", nargs="+", help="classes to generate (default: every "
        "class)"
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="seed of the draws")
    _add_output_option(p, "-", "CSV file to write ('-': standard output)")


def _export(sub, model_class):
    p = _command(sub, "export", "a TF Serving SavedModel of the classifier")
    p.add_argument("model", help="folder written by 'train'")
    p.add_argument(  # the old spelling of -o, hidden from the help
        "old_path", nargs="?", metavar="PATH", help=argparse.SUPPRESS
    )
    _add_output_option(
        p, None, "the SavedModel folder to write (required)", old=False
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --output folder",
    )


def _compare(sub, model_class):
    p = _command(
        sub,
        "compare",
        "every method on a table, or a folder of tables: ranks, paired "
        "tests, a report",
    )
    _add_table_options(p, optional=True)  # or --suite
    _add_label_option(p)
    _add_column_options(p)
    _add_suite_options(p)
    p.add_argument(
        "--methods",
        nargs="+",
        help="methods to run ('all': every method of the public list; "
        "default: the field LR HGB BRF EasyEnsemble SMOTE+HGB LA-CE "
        "LA-CE/HGB DO-T0.1-LA; --list-methods lists them)",
    )
    p.add_argument(
        "--estimator",
        action="append",
        metavar="NAME=MODULE:ATTRIBUTE",
        help="one more method: any scikit-learn classifier or "
        "imbalanced-learn pipeline, an importable object or a zero-argument "
        "factory of one, named NAME in the report (repeatable)",
    )
    p.add_argument(
        "--list-methods",
        action="store_true",
        help="list the methods (name, family, typical seconds of a run at "
        "1000 fitting rows, in the default field, description) and exit",
    )
    p.add_argument(
        "--repeats", type=int, default=5, help="stratified splits per method"
    )
    _add_metric_option(p)
    _add_compare_run_options(p)
    _add_plot_option(p, default=True)
    _add_output_option(p, "compare_report", "the report folder to write")
    p.add_argument(
        "--name", help="file stem of a suite's report (default: suite)"
    )


def _add_metric_option(p):
    p.add_argument(
        "--metric",
        choices=(*RANKING_METRICS, *SCORER_ALIASES),
        default="acsa",
        help="the metric that ranks the methods (brier: lower is better); "
        "scikit-learn's scorer names name the same metrics "
        "(balanced_accuracy = acsa, average_precision = ap, f1_macro = "
        "macro_f1, neg_brier_score = brier); every run records them all",
    )


def _add_suite_options(p):
    p.add_argument("--suite", help="a folder of CSV files instead of DATA")
    p.add_argument(
        "--tables", nargs="+", help="only these files of the suite (stems)"
    )
    p.add_argument(
        "--labels",
        nargs="+",
        metavar="FILE=COLUMN",
        help="per-file label columns of a suite (file stem=column)",
    )


def _add_compare_run_options(p):
    _add_stopping_options(p)
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask or Ray cluster instead of --jobs: "
        "tcp://HOST:PORT or dask://HOST:PORT (a Dask scheduler), "
        "ray://HOST:PORT or ray:auto (Ray); each table is sent once "
        "(default: this machine)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the splits and training"
    )
    p.add_argument("--cache-dir", help="run cache (default: OUTPUT/runs)")
