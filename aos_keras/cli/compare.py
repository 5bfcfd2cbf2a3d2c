"""`aos-keras compare`: every method on a table, or on a folder of tables
(`aos_keras.compare`, `aos_keras.compare_suite`): the summary on stdout,
the report files in `--output`.

`check` runs before Keras is imported: the arguments and the output
folder (`aos_keras.evaluation.outputs`: a user's file named like a report
file, or another command's folder, is refused before any run). `run`
holds `--output`'s lock for the whole compare, so a second compare into the
same folder is refused at once.
"""

import contextlib
import importlib
import os
import signal
import sys
import warnings

from aos_keras.cli.common import (
    EXIT_STATUS,
    LOG,
    CLIError,
    check_out_path,
    read_table,
    split_label,
)
from aos_keras.evaluation import outputs
from aos_keras.saving.io import FolderInUseError
from aos_keras.stopping import PATIENCE


def check(args):
    """The arguments and `--output`, before Keras starts.

    Raises:
        CLIError: a table and `--suite` both or neither, table options
            with `--suite`, or an output folder the report cannot go to.
    """
    if args.list_methods:
        return
    for item in args.estimator or ():
        _split_estimator(item)
    if (args.data is None) == (args.suite is None):
        raise CLIError("give one table (DATA) or --suite FOLDER, not both")
    if args.suite is not None and (args.features or args.drop):
        raise CLIError("--features and --drop apply to one table, not --suite")
    if args.jobs == 0:
        raise CLIError("--jobs must be at least 1 (or -1: one per core)")
    if args.cluster is not None:
        from aos_keras.evaluation.cluster import parse_address

        try:
            parse_address(args.cluster)
        except ValueError as err:
            raise CLIError(f"--cluster: {err}") from None
    try:
        outputs.check_folder(args.output, _report_files(args))
    except FileExistsError as err:
        raise CLIError(f"--output {args.output}: {err}") from None
    if os.path.isdir(args.output):  # the report is written in it
        check_out_path(os.path.join(args.output, "report.md"), "--output")
    else:
        check_out_path(args.output, "--output", folder=True)


def _report_files(args):
    if args.suite is not None:
        return outputs.suite_files(args.name or "suite")
    return outputs.table_files()


def run(args):
    """Compare the methods; print the summary and the files written.

    Returns:
        The exit status: 0, or 130/143 when Ctrl-C or SIGTERM stopped it
        (one log line says how many runs are done and kept in the cache,
        from which the same command resumes).
    """
    if args.list_methods:
        return _list_methods()
    try:
        with outputs.claim(args.output), _signals_stop() as received:
            _compare(args)
    except FolderInUseError as err:
        raise CLIError(f"--output: {err}") from None
    except KeyboardInterrupt as stop:
        name = received[0] if received else "SIGINT"
        LOG.warning("stopped by %s: %s", name, _what_was_kept(stop, args))
        return EXIT_STATUS[name]
    return 0


class _signals_stop:
    """Within: SIGTERM, like Ctrl-C, stops the compare.

    A compare may stop anywhere: each run is cached atomically when it
    ends, so only the runs under way are lost. Outside a Keras `fit` of
    this process (between runs, in a scikit-learn method, while workers
    run the runs), the handler raises `KeyboardInterrupt` at once. Within
    one it only records the stop (`aos_keras.evaluation.runs.STOP`) and the
    running batch's end raises it: an interrupt raised inside a backend's
    step can leave the backend hung. `received` holds the signal's name.
    A signal ignored by whoever started us stays ignored; outside the main
    thread nothing changes.
    """

    def __init__(self):
        self.received, self.previous = [], {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(sig) == signal.SIG_IGN:
                continue
            with contextlib.suppress(ValueError):  # not the main thread
                self.previous[sig] = signal.signal(sig, self._handler)
        return self.received

    def __exit__(self, *exc):
        from aos_keras.evaluation.runs import STOP

        STOP.received = None
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False

    def _handler(self, signum, frame):
        from aos_keras.evaluation.runs import STOP

        if not self.received:
            self.received.append(signal.Signals(signum).name)
        STOP.received = self.received[0]
        if not STOP.in_fit:
            raise KeyboardInterrupt(self.received[0])


def _what_was_kept(stop, args):
    """The end of the stop line: the runs kept, how to resume."""
    from aos_keras.evaluation import RunsInterrupted

    if isinstance(stop, RunsInterrupted):
        return str(stop).replace("same call", "same command")
    cache = args.cache_dir or os.path.join(args.output, "runs")
    return (
        f"the runs that ended are kept in the cache {cache}; the same "
        "command resumes from them"
    )


def _list_methods():
    """`--list-methods`: the table of `aos_keras.evaluation.list_methods`,
    one method a line, left-aligned (`*`: in the default field; `-`: not
    in `--methods all`, e.g. a peer that needs its own package)."""
    from aos_keras.evaluation import list_methods

    table = list_methods()
    width = max(map(len, table.index))
    family = max(map(len, table.family))
    print(f"  {'method':<{width}}  {'family':<{family}}  s/run  description")
    for name, row in table.iterrows():
        mark = "*" if row.default else (" " if row.public else "-")
        text = " ".join(str(row.description).split())
        if len(text) > 72:
            text = text[:71] + "…"
        print(
            f"{mark} {name:<{width}}  {row.family:<{family}}  "
            f"{row.seconds:5.1f}  {text}"
        )
    print(
        "\n* in compare's default field; - not in --methods all. s/run: "
        "typical seconds of one run at 1000 fitting rows, 100 epochs at "
        f"most, patience {PATIENCE}, one worker "
        "(aos_keras.evaluation.costs)."
    )
    return 0


def _split_estimator(item):
    """`NAME=MODULE:ATTRIBUTE` as `(name, module, attribute)`."""
    name, _, target = item.partition("=")
    module, _, attribute = target.partition(":")
    if not (name and module and attribute):
        raise CLIError(
            f"--estimator {item}: write NAME=MODULE:ATTRIBUTE, e.g. "
            "--estimator my-LR=sklearn.linear_model:LogisticRegression"
        )
    return name, module, attribute


def load_estimators(items):
    """`{name: object}` of the `--estimator` items.

    The attribute is an estimator (it has `fit`), or a zero-argument
    factory (a class, a function) called to make one.

    Raises:
        CLIError: a module or attribute that does not import.
    """
    estimators = {}
    for item in items or ():
        name, module, attribute = _split_estimator(item)
        sys.path.insert(0, os.getcwd())  # a module of the working folder
        try:
            value = importlib.import_module(module)
            for part in attribute.split("."):
                value = getattr(value, part)
        except (ImportError, AttributeError) as err:
            raise CLIError(f"--estimator {item}: {err}") from None
        finally:
            sys.path.remove(os.getcwd())
        if isinstance(value, type) or not hasattr(value, "fit"):
            value = value()
        estimators[name] = value
    return estimators


def _compare(args):
    """Run the compare under `--output`'s lock."""
    settings = dict(
        methods=args.methods,
        repeats=args.repeats,
        epochs=args.epochs,
        batch_size=args.batch_size,
        n_jobs=args.jobs,
        cache_dir=args.cache_dir or os.path.join(args.output, "runs"),
        seed=args.seed,
        max_anchors=args.max_anchors,
        patience=args.patience,
        metric=args.metric,
        estimators=load_estimators(args.estimator),
        cluster=args.cluster,
    )
    run_one = _suite if args.suite is not None else _table
    from aos_keras.evaluation.progress import progress_log

    bar = False if args.quiet else None  # None: a bar on a terminal
    jobs = args.jobs if args.cluster is None else 1
    with _jobs_checked(jobs), progress_log(bar=bar) as log:
        paths = run_one(args, {**settings, "log": log})
    for path in paths:
        LOG.info("wrote %s", path)
    if args.repeats == 1:
        LOG.warning(
            "--repeats 1: one split, so no spread over splits (std 0) and no "
            "paired test; the ranking may be noise: use --repeats 5 or more "
            "to compare methods."
        )


@contextlib.contextmanager
def _jobs_checked(jobs):
    """Warn, as `--jobs`, when more workers than cores are asked for (the
    library's own warning, which names `n_jobs`, is not repeated)."""
    from aos_keras.evaluation.executor import available_cores

    cores = available_cores()
    if jobs > cores:
        LOG.warning(
            "--jobs %d is more than the %d %s available: the workers share "
            "them and every run takes longer; use --jobs %d (or -1)",
            jobs, cores, "core" if cores == 1 else "cores", cores,
        )  # fmt: skip
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "n_jobs=.* is more than the")
        yield


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
    paths = result.save(args.output, stem=args.name or "suite", plot=args.plot)
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
    paths = result.save(args.output, plot=args.plot)
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
