"""`compare`, `compare_tables`, `compare_suite`: the harness's entry points.

A call plans every run (method x split x table, split-major), reads the
cached ones, runs the others through `executor.execute`, and assembles one
`Comparison` per table.
"""

import logging
import os

import keras
import numpy as np
import pandas as pd

from aos_keras import __version__
from aos_keras.baselines import METHODS, available_methods, method_spec
from aos_keras.evaluation.cluster import parse_address
from aos_keras.evaluation.comparison import Comparison
from aos_keras.evaluation.costs import estimate_line
from aos_keras.evaluation.estimators import (
    estimator_key,
    estimator_of,
    estimator_specs,
)
from aos_keras.evaluation.executor import available_cores, each_result
from aos_keras.evaluation.protocol import (
    DEFAULT_FIELD,
    POSTHOC_TAUS,
    PROTOCOLS,
    Protocol,
    make_splits,
)
from aos_keras.evaluation.ranking import DEFAULT_METRIC, check_metric
from aos_keras.evaluation.runs import (
    RunSpec,
    cache_path,
    run_key,
    table_fingerprint,
)
from aos_keras.evaluation.scoring import EXTRA_METRICS
from aos_keras.evaluation.suite import SuiteComparison
from aos_keras.game.anchors import MAX_ANCHORS
from aos_keras.stopping import EPOCHS, PATIENCE
from aos_keras.tables.encoder import as_frame
from aos_keras.tables.labels import check_classes, check_target
from aos_keras.tables.reader import label_values, read_table

LOGGER = logging.getLogger("aos_keras.evaluation")


def default_methods():
    """compare's default methods (`methods=None`): `DEFAULT_FIELD`, the
    strongest and the fast of the development suite (`docs/compare.md`);
    `methods="all"` runs every method of `aos_keras.baselines.METHODS`.

    Example:
    >>> default_methods()
    ['LR', 'HGB', 'BRF', 'EasyEnsemble', 'SMOTE+HGB', 'LA-CE', 'LA-CE/HGB',
     'DO-T0.1-LA']
    """
    return list(DEFAULT_FIELD)


def prepare_table(X, y):
    """`(features frame, class indices, classes)` of a user's table.

    The labels go through the one label check of every entry point
    (`aos_keras.tables.labels.check_target`): surrounding spaces stripped with
    a warning; missing labels, a regression-like target or a single class
    refused with what to do.
    """
    frame = as_frame(X).reset_index(drop=True)
    labels = check_target(y, num_rows=len(frame))
    classes, _, codes = check_classes(labels)
    return frame, codes.astype(np.int64), classes


def compare(X, y, *, name="table", **settings):
    """Every method on one table under the honest protocol.

    The protocol (one run = one method on one split): `repeats` stratified
    train/test splits, a validation split carved from each; a
    `TableEncoder` fitted on the fitting rows only; after every epoch the
    classifier's logits on the validation and test rows are scored; the
    validation rows alone choose the epoch (`honest`) and, with post-hoc
    logit adjustment, the tau (`posthoc`). See `docs/compare.md`.

    Args:
        X: DataFrame or 2-D array: numbers, categories, missing cells.
        y: array-like `(N,)`, labels (any hashable values).
        name: str. The table's name in the results. Defaults to
            `"table"`.
        **settings: the keywords of `compare_tables` (`methods`, `repeats`
            (5), `epochs` (100, a ceiling), `patience` (30), `batch_size`
            ("auto"), `n_jobs` (1), `cache_dir`, `seed` (0), `test_size`
            (0.3), `val_size` (0.2), `posthoc_taus`, `max_anchors` (4096),
            `options`, `metric` ("acsa"), `estimators`, `log`, `cluster`: a
            Dask or Ray cluster's address).

    Returns:
        A `Comparison`.

    Raises:
        ValueError: an unknown method, a bad setting, or a bad table.

    Example:
    >>> result = aos_keras.compare(X, y, methods=["Q", "LA-CE", "DO"])
    >>> result.summary()
    >>> print(result.recommendation())
    """
    return compare_tables({name: (X, y)}, **settings).comparisons[name]


def compare_tables(
    tables,
    *,
    methods=None,
    repeats=5,
    epochs=EPOCHS,
    batch_size="auto",
    n_jobs=1,
    cache_dir=None,
    seed=0,
    test_size=0.3,
    val_size=0.2,
    posthoc_taus=POSTHOC_TAUS,
    max_anchors=MAX_ANCHORS,
    patience=PATIENCE,
    options=None,
    metric=DEFAULT_METRIC,
    estimators=None,
    log=LOGGER.info,
    cluster=None,
):
    """`compare` over several tables at once (one pool of runs).

    Args:
        tables: dict mapping a table name to `(X, y)`: DataFrames or 2-D
            arrays (numbers, categories, missing cells) and labels.
        methods: list of str, `"all"` or None. Registered method names
            (`aos_keras.baselines.available_methods()`), at least one;
            None runs the default field (`default_methods()`: LR, HGB, BRF,
            EasyEnsemble, SMOTE+HGB, LA-CE, LA-CE/HGB, DO-T0.1-LA);
            `"all"` every method of `aos_keras.baselines.METHODS`.
        repeats: int. Number of stratified splits. Defaults to `5`.
        epochs: int. Most epochs of the neural methods. Defaults to `100`.
        batch_size: int or `"auto"` (see `Protocol`). Defaults to `"auto"`.
        n_jobs: int. joblib workers (-1: one per core).
        cache_dir: str or None. Folder of the per-run JSON cache; a rerun
            skips the runs found there. None: no cache.
        seed: int. Seed of the first split.
        test_size: float. Test share of each split.
        val_size: float. Validation share of each training split.
        posthoc_taus: tuple of float. Post-hoc logit-adjustment grid.
        max_anchors: int or None. Anchor cap of the adversarial methods.
            Defaults to `4096`; None: every row.
        patience: int or None. A neural method stops once this many
            epochs passed without a better validation ACSA. Defaults to
            `10` (`aos_keras.stopping.PATIENCE`); None: every epoch runs
            (the protocol of versions up to 0.5).
        options: dict or None. Per-method options, `{method: {option:
            value}}` (see `make_method`).
        metric: str. The metric that ranks the methods in the summaries,
            tests, reports and recommendations: `"acsa"` (default),
            `"gm"`, `"ap"` (macro one-vs-rest average precision),
            `"macro_f1"` or `"brier"` (lower is better), or a scikit-learn
            scorer name for one of them (`"balanced_accuracy"`,
            `"average_precision"`, `"f1_macro"`, `"neg_brier_score"`:
            ranked by the Brier score, lower first, the order of
            scikit-learn's negated score). Every run records them all; the
            metric chooses no epoch (validation ACSA does).
        estimators: dict or None. More methods by object, `{name: obj}`:
            any scikit-learn classifier or imbalanced-learn pipeline
            (`fit`, and `predict_proba` or `decision_function`), run
            through the same splits, cache and report
            (`aos_keras.evaluation.estimators`: the cache key holds the
            name and a hash of `get_params`). With `n_jobs` > 1 the object
            must pickle (a class importable by the workers).
        log: callable or None. Progress lines: before the first run, the
            runs to do and their estimated wall time
            (`aos_keras.evaluation.costs`); then one per finished run,
            with an ETA (`aos_keras.evaluation.progress` shows them as a
            bar on a terminal). Defaults to the `info` of the logger
            `"aos_keras.evaluation"`; None: silent.
        cluster: str or None. Run on a Dask or Ray cluster by its address:
            `"tcp://host:port"` (or `"dask://host:port"`) for a Dask
            scheduler, `"ray://host:port"` or `"ray:auto"` for Ray
            (`aos_keras.evaluation.cluster`); each table is sent once, the
            records come back as the runs end; `n_jobs` is then unused
            (the cluster's workers run the runs). None: local (`n_jobs`).

    Returns:
        A `SuiteComparison`.
    """
    methods = _check_methods(methods, options)
    extra = estimator_specs(estimators)
    clash = sorted({s.name for s in extra} & set(methods))
    if clash:
        raise ValueError(f"{clash} named both in `methods` and `estimators`.")
    metric = check_metric(metric)
    if cluster is not None:
        parse_address(cluster)  # a bad address fails before any work
    protocol = Protocol(
        epochs=epochs,
        batch_size=batch_size,
        test_size=test_size,
        val_size=val_size,
        posthoc_taus=tuple(float(t) for t in posthoc_taus),
        max_anchors=max_anchors,
        patience=patience,
    ).check()
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"`repeats` must be an int >= 1; got {repeats!r}.")
    log = log or (lambda *_: None)
    prepared = {t: prepare_table(X, y) for t, (X, y) in tables.items()}
    runs = plan_runs(
        prepared, [*methods, *extra], protocol, repeats=repeats, seed=seed,
        options=dict(options or {}), cache_dir=cache_dir,
    )  # fmt: skip
    records = _skipped(runs, log)
    runs = [r for r in runs if r.tag not in records]
    records.update({r.tag: r.cached() for r in runs})
    todo = [r for r in runs if records[r.tag] is None]
    log(f"{len(runs) - len(todo)} of {len(runs)} runs cached; "
        f"{len(todo)} to run.")  # fmt: skip
    if todo:
        log(estimate_line(todo, _workers(n_jobs) if cluster is None else 1))
    records.update(
        _execute(todo, len(runs), n_jobs, cache_dir, log, cluster=cluster)
    )
    names = [*methods, *(s.name for s in extra)]
    return _assemble(prepared, records, names, metric)


def _workers(n_jobs):
    """The workers `n_jobs` asks for (-1: one per core; -2: all but one)."""
    if n_jobs is None:
        return 1
    return n_jobs if n_jobs > 0 else max(1, available_cores() + 1 + n_jobs)


def _skipped(runs, log):
    """The NA records of the runs that are not run (`RunSpec.skipped`);
    one log line per table and method says why."""
    records = {}
    for run in runs:
        record = run.skipped()
        if record is None:
            continue
        if (run.table, run.method.name) not in {t[:2] for t in records}:
            log(f"{run.method.name} on {run.table}: {record['reason']}")
        records[run.tag] = record
    return records


class RunsInterrupted(KeyboardInterrupt):
    """A compare stopped by Ctrl-C (or a signal turned into it) while its
    runs ran: the runs that ended are cached, and the same call resumes.

    A `KeyboardInterrupt`, so whoever handles Ctrl-C handles it.

    Attributes:
        done: int. Runs ended and kept (cached before, or by this call).
        total: int. Runs of the whole compare.
        cache_dir: str or None. Where they are kept (None: not kept).
    """

    def __init__(self, done, total, cache_dir):
        kept = (
            f"kept in the cache {cache_dir}; the same call resumes from them"
            if cache_dir is not None
            else "not kept (no cache_dir)"
        )
        super().__init__(f"{done} of {total} runs are done and {kept}")
        self.done, self.total, self.cache_dir = done, total, cache_dir


def _execute(todo, total, n_jobs, cache_dir, log, cluster=None):
    """`execute` of the runs to do; stopped by Ctrl-C, `RunsInterrupted`."""
    records = {}
    try:
        for tag, record in each_result(
            todo,
            n_jobs=n_jobs,
            jax_cache=_jax_cache(cache_dir),
            log=log,
            cluster=cluster,
        ):
            records[tag] = record
    except KeyboardInterrupt as stop:
        done = total - len(todo) + len(records)
        raise RunsInterrupted(done, total, cache_dir) from stop
    return records


def _check_methods(methods, options):
    if methods is not None and not isinstance(methods, str):
        methods = list(methods)
        if not methods:
            raise ValueError(
                "`methods` is empty: name at least one method, or pass None "
                f"for the default field {default_methods()}."
            )
    if isinstance(methods, str):
        methods = [methods]
    if methods == ["all"]:
        methods = list(METHODS)
    methods = list(methods or default_methods())
    known = available_methods()
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ValueError(
            f"Unknown methods {unknown}; choose from {list(known)}."
        )
    bad = [m for m in (options or {}) if m not in methods]
    if bad:
        raise ValueError(f"`options` names methods not run: {bad}.")
    return methods


def _jax_cache(cache_dir):
    """The JAX compile cache folder of the workers (None: none set)."""
    if "AOS_KERAS_JAX_CACHE" in os.environ:
        return os.environ["AOS_KERAS_JAX_CACHE"]
    if cache_dir is None:
        return None
    return os.path.join(os.path.abspath(cache_dir), ".jax")


def plan_runs(
    prepared, methods, protocol, *, repeats, seed, options, cache_dir
):
    """Every run of `compare_tables` as a `RunSpec`, split-major.

    `methods` holds names or `MethodSpec`s (a spec of
    `estimators.estimator_specs` among them). Split-major: a partial run
    has every table and method on its first splits rather than every
    split of the first tables.
    """
    per_table = []
    for table, (frame, codes, classes) in prepared.items():
        splits = make_splits(
            codes,
            repeats=repeats,
            seed=seed,
            test_size=protocol.test_size,
            val_size=protocol.val_size,
        )
        per_table.append((table, table_fingerprint(frame, codes), splits))
    return [
        _run_spec(table, prepared[table], fingerprint, splits[r], method,
                  protocol, options.get(getattr(method, "name", method), {}),
                  cache_dir)
        for r in range(repeats)
        for table, fingerprint, splits in per_table
        for method in methods
    ]  # fmt: skip


def _run_spec(table, data, fingerprint, split, method, protocol, opts, cache):
    spec = method_spec(method)
    backend, version = run_context()
    estimator = estimator_of(spec)
    keyed = opts if estimator is None else {
        **opts, "estimator": estimator_key(estimator)
    }  # fmt: skip
    key = run_key(
        fingerprint, spec.name, keyed, protocol, split,
        revision=spec.revision, backend=backend, version=version,
    )  # fmt: skip
    path = cache_path(cache, table, spec.name, key)
    return RunSpec(table, spec, split, protocol, opts, data, key, path)


def run_context():
    """`(Keras backend, package version)`: part of every run's cache key."""
    return keras.backend.backend(), __version__


def _assemble(prepared, records, methods, metric=DEFAULT_METRIC):
    """One `Comparison` per table from the records, in a fixed order."""
    index = {m: i for i, m in enumerate(methods)}
    order = sorted(
        records, key=lambda tag: (str(tag[0]), tag[2], index[tag[1]])
    )
    comparisons = {}
    for table, (_, _, classes) in prepared.items():
        rows = [tidy_row(table, classes, records[t]) for t in order
                if t[0] == table]  # fmt: skip
        comparisons[table] = Comparison(
            pd.DataFrame(rows), methods, classes, table, metric
        )
    return SuiteComparison(comparisons, methods, metric)


def tidy_row(table, classes, record):
    """One row of `Comparison.runs` from a run's record."""
    row = {
        "table": table,
        "method": record["method"],
        "split": record["repeat_seed"],
        "status": record["status"],
        "reason": record.get("reason", ""),
        "seconds": record.get("seconds", np.nan),
        "epochs_run": record.get("epochs_run", np.nan),
        "sampler": record.get("sampler", ""),
    }
    for protocol in PROTOCOLS:
        row.update(_selection_cells(record.get(protocol), protocol, classes))
    for protocol in PROTOCOLS:  # after the columns of version 0.4.0
        row.update(_extra_cells(record.get(protocol), protocol))
    return row


def _extra_cells(sel, protocol):
    """`ap`, `macro_f1`, `brier`; NaN: NA, or a run cached before them."""
    prefix = "" if protocol == "honest" else "posthoc_"
    return {
        prefix + key: np.nan if sel is None else sel.get(key, np.nan)
        for key in EXTRA_METRICS
    }


def _selection_cells(sel, protocol, classes):
    prefix = "" if protocol == "honest" else "posthoc_"
    cells = {
        prefix + key: np.nan if sel is None else sel[key]
        for key in ("acsa", "gm", "epoch", "val_acsa")
    }
    if protocol == "posthoc":
        cells["posthoc_tau"] = np.nan if sel is None else sel["tau"]
        return cells
    for c in classes:
        value = None if sel is None else sel["recall"].get(str(c))
        cells[f"recall[{c}]"] = np.nan if value is None else value
    return cells


def read_suite(folder, label="label", labels=None):
    """The CSV tables of a folder as `{name: (X, y)}`.

    Each file is read by `aos_keras.tables.reader.read_table` (separator and
    decimal comma sniffed, as the command line reads a table).

    Args:
        folder: str. Folder of `*.csv` files.
        label: str. The label column of every file.
        labels: dict or None. Per-file label column (file stem to name).

    Returns:
        dict, sorted by name.
    """
    names = sorted(f for f in os.listdir(folder) if f.endswith(".csv"))
    if not names:
        raise ValueError(f"No .csv file in {folder!r}.")
    tables = {}
    for name in names:
        stem = name[: -len(".csv")]
        frame = read_table(os.path.join(folder, name))
        column = (labels or {}).get(stem, label)
        if column not in frame.columns:
            raise ValueError(
                f"{name}: no label column {column!r}; columns are "
                f"{list(frame.columns)[:20]}."
            )
        labels_as_written = label_values(frame, column)  # 01 is not 1
        tables[stem] = (frame.drop(columns=[column]), labels_as_written)
    return tables


def compare_suite(
    folder_or_dict, *, label="label", labels=None, only=None, **kwargs
):
    """`compare` on every table of a folder of CSVs (or a dict of tables).

    Args:
        folder_or_dict: str (a folder of CSV files) or dict `{name: (X, y)}`.
        label: str. Label column of every CSV.
        labels: dict or None. Per-file label columns.
        only: list of str or None. Run only these tables (file stems).
        **kwargs: see `compare_tables`.

    Returns:
        A `SuiteComparison`.

    Example:
    >>> suite = aos_keras.compare_suite("tables/", methods=["LA-CE", "DO"])
    >>> print(suite.markdown())
    """
    tables = folder_or_dict
    if not isinstance(tables, dict):
        tables = read_suite(folder_or_dict, label=label, labels=labels)
    if only is not None:
        unknown = sorted(set(only) - set(tables))
        if unknown:
            raise ValueError(
                f"No tables named {unknown}; the suite has {sorted(tables)}."
            )
        tables = {k: v for k, v in tables.items() if k in set(only)}
    return compare_tables(tables, **kwargs)
