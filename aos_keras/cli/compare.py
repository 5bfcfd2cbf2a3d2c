"""`aos-keras compare`: every method on a table, or on a folder of tables
(`aos_keras.compare`, `aos_keras.compare_suite`): the summary on stdout,
the report files in `--out`.

`check` runs before Keras is imported: the arguments and the output
folder (`aos_keras.evaluation.outputs`: a user's file named like a report
file, or another command's folder, is refused before any run). `run`
holds `--out`'s lock for the whole compare, so a second compare into the
same folder is refused at once.
"""

import os

from aos_keras.cli.common import (
    LOG,
    CLIError,
    check_out_path,
    read_table,
    split_label,
)
from aos_keras.evaluation import outputs
from aos_keras.io import FolderInUseError


def check(args):
    """The arguments and `--out`, before Keras starts.

    Raises:
        CLIError: a table and `--suite` both or neither, table options
            with `--suite`, or an output folder the report cannot go to.
    """
    if (args.data is None) == (args.suite is None):
        raise CLIError("give one table (DATA) or --suite FOLDER, not both")
    if args.suite is not None and (args.features or args.drop):
        raise CLIError("--features and --drop apply to one table, not --suite")
    try:
        outputs.check_folder(args.out, _report_files(args))
    except FileExistsError as err:
        raise CLIError(f"--out {args.out}: {err}") from None
    check_out_path(os.path.join(args.out, "report.md"), "--out")


def _report_files(args):
    if args.suite is not None:
        return outputs.suite_files(args.name or "suite")
    return outputs.table_files()


def run(args):
    """Compare the methods; print the summary and the files written."""
    try:
        with outputs.claim(args.out):
            _compare(args)
    except FolderInUseError as err:
        raise CLIError(f"--out: {err}") from None


def _compare(args):
    """Run the compare under `--out`'s lock."""
    settings = dict(
        methods=args.methods,
        repeats=args.repeats,
        epochs=args.epochs,
        batch_size=_batch_size(args.batch_size),
        n_jobs=args.jobs,
        cache_dir=args.cache_dir or os.path.join(args.out, "runs"),
        seed=args.seed,
        max_anchors=args.max_anchors,
        metric=args.metric,
    )
    run_one = _suite if args.suite is not None else _table
    for path in run_one(args, settings):
        LOG.info("wrote %s", path)
    if args.repeats == 1:
        LOG.warning(
            "--repeats 1: one split, so no spread over splits (std 0) and no "
            "paired test; the ranking may be noise: use --repeats 5 or more "
            "to compare methods."
        )


def _batch_size(text):
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise CLIError(
            f"--batch-size must be an int or 'auto'; got {text!r}"
        ) from None


def _suite(args, settings):
    import aos_keras

    if not os.path.isdir(args.suite):
        raise CLIError(f"--suite: no such folder: {args.suite}")
    labels = dict(item.split("=", 1) for item in args.labels or [])
    result = aos_keras.compare_suite(
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
    return paths


def _table(args, settings):
    import aos_keras

    frame = read_table(args)
    features, labels = split_label(
        frame, args.label, args.features, args.drop, warn=True
    )
    name = _table_name(args.data)
    result = aos_keras.compare(features, labels, name=name, **settings)
    paths = result.save(args.out, plot=not args.no_plot)
    print(result.summary().to_string())
    print(result.recommendation())
    return paths


def _table_name(path):
    """The table's name in the report: its file name without extensions."""
    if path == "-":
        return "stdin"
    base = os.path.basename(path)
    stem, ext = os.path.splitext(base)
    if ext.lower() in (".gz", ".bz2", ".zip", ".xz"):
        stem = os.path.splitext(stem)[0]
    return stem
