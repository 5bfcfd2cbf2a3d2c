"""`compare`: every method on any table, under one honest protocol.

The protocol (one run = one method on one split):

1. `repeats` stratified train/test splits (`test_size`, seeds `seed`,
   `seed + 1`, ...), then a stratified validation split (`val_size` of the
   training split) carved from each; the same splits for every method. A
   class with too few rows to stratify stays whole on the training side.
2. A `TableEncoder` (imputation, standardisation, one-hot) fitted on the
   fitting rows of the split only, applied to the validation and test rows.
3. Each method trains on the fitting rows; after every epoch Q's logits on
   the validation and test rows are scored. The validation split alone
   selects the epoch (best validation ACSA, earliest on ties); the test
   scores are read once, at that epoch (`honest`).
4. The same rule with post-hoc logit adjustment (Menon et al. 2021) for
   every method alike: `argmax(logits - tau * log(prior))` with the
   training prior, `(epoch, tau)` chosen together on validation over
   `posthoc_taus` (`posthoc`).

Runs are cached as one JSON file each (atomic), so an interrupted compare
resumes; they run in `n_jobs` joblib worker processes.

Example:
>>> import aos_keras
>>> result = aos_keras.compare(X, y, methods=["Q", "LA-CE", "DO"], repeats=5)
>>> result.summary()
>>> print(result.recommendation())

References:
    Demšar, "Statistical Comparisons of Classifiers over Multiple Data
    Sets", JMLR 7, 2006 (Friedman test, Nemenyi critical difference).
    Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
"""

import dataclasses
import hashlib
import json
import math
import os
import time

import numpy as np
import pandas as pd

from aos_keras import io
from aos_keras.tables import TableEncoder, as_frame

POSTHOC_TAUS = (0.0, 0.5, 1.0, 1.5, 2.0)
PROTOCOLS = ("honest", "posthoc")
BATCH_SIZES = (32, 64, 128, 256)


def default_methods():
    """Every method of `make_method` and the two scikit-learn references."""
    from aos_keras.baselines import METHODS
    from aos_keras.references import REFERENCES

    return list(METHODS) + list(REFERENCES)


@dataclasses.dataclass(frozen=True)
class Protocol:
    """What a run depends on besides the table, method, options and split.

    Attributes:
        epochs: int. Epochs of every neural method.
        batch_size: int or `"auto"`. Real rows per step. `"auto"`: the
            smallest of 32, 64, 128, 256 giving at most 50 steps per epoch
            (a rule for tractable large tables, the same for every method).
        test_size: float. Test share of each split.
        val_size: float. Validation share of each training split.
        posthoc_taus: tuple of float. Post-hoc logit-adjustment grid.
        max_anchors: int or None. Anchor cap of the adversarial methods.
    """

    epochs: int = 100
    batch_size: object = 32
    test_size: float = 0.3
    val_size: float = 0.2
    posthoc_taus: tuple = POSTHOC_TAUS
    max_anchors: object = None

    def batch_for(self, num_rows):
        """The batch size for `num_rows` fitting rows."""
        if self.batch_size != "auto":
            return int(self.batch_size)
        for size in BATCH_SIZES:
            if math.ceil(num_rows / size) <= 50:
                return size
        return BATCH_SIZES[-1]

    def check(self):
        if not isinstance(self.epochs, int) or self.epochs < 1:
            raise ValueError(
                f"`epochs` must be an int >= 1; got {self.epochs}."
            )
        if self.batch_size != "auto" and (
            not isinstance(self.batch_size, int) or self.batch_size < 1
        ):
            raise ValueError(
                "`batch_size` must be an int >= 1 or 'auto'; got "
                f"{self.batch_size!r}."
            )
        for name in ("test_size", "val_size"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ValueError(f"`{name}` must be in (0, 1); got {value}.")
        return self


# ------------------------------------------------------------------ splits
def make_splits(y, *, repeats=5, seed=0, test_size=0.3, val_size=0.2):
    """Stratified (fit, validation, test) row indices, one per repeat.

    Args:
        y: int array `(N,)`, class indices.
        repeats: int. Number of splits.
        seed: int. Split `r` uses seed `seed + r`.
        test_size: float. Share of the rows in the test split.
        val_size: float. Share of the training rows in the validation
            split.

    Returns:
        list of dicts with int arrays `fit`, `val`, `test` (disjoint, their
        union all rows) and `seed`.
    """
    from aos_keras.datasets import _stratified_split

    y = np.asarray(y)
    rows = np.arange(len(y))
    splits = []
    for r in range(int(repeats)):
        s = int(seed) + r
        train, test, _ = _stratified_split(rows, y, test_size, s)
        fit, val, _ = _stratified_split(train, y, val_size, s)
        splits.append(
            {"fit": np.sort(fit), "val": np.sort(val), "test": np.sort(test),
             "seed": s}
        )  # fmt: skip
    return splits


# ---------------------------------------------------------------- scoring
def _scores(y, pred, num_classes):
    from aos_keras.metrics import acsa, geometric_mean, per_class_recall

    return (
        acsa(y, pred, num_classes),
        geometric_mean(y, pred, num_classes),
        per_class_recall(y, pred, num_classes),
    )


class LogitScorer:
    """Scores every epoch's logits on validation and test, for each tau.

    `add(val_logits, test_logits)` is called once per epoch; `select()`
    returns the selections: `honest` (epoch by validation ACSA), `posthoc`
    (epoch and tau by validation ACSA), `last` (the last epoch), `paper`
    (epoch by test ACSA: the paper's optimistic protocol), and the
    per-epoch `history` at tau 0. Ties go to the earliest epoch (and the
    first tau of the grid).
    """

    def __init__(self, y_val, y_test, prior, taus, num_classes):
        self.y_val, self.y_test = np.asarray(y_val), np.asarray(y_test)
        self.log_prior = np.log(np.maximum(np.asarray(prior, float), 1e-12))
        self.taus = tuple(float(t) for t in taus)
        if 0.0 not in self.taus:
            self.taus = (0.0, *self.taus)
        self.num_classes = int(num_classes)
        self.history = []  # per epoch: {tau: (val acsa, val gm, test ...)}

    def add(self, val_logits, test_logits):
        record = {}
        for tau in self.taus:
            shift = tau * self.log_prior
            v = _scores(
                self.y_val,
                np.argmax(val_logits - shift, 1),
                self.num_classes,
            )
            t = _scores(
                self.y_test,
                np.argmax(test_logits - shift, 1),
                self.num_classes,
            )
            record[tau] = (v, t)
        self.history.append(record)

    def select(self, classes):
        """`{"honest": ..., "posthoc": ...}`: test scores at the choice."""
        if not self.history:
            raise ValueError("No epoch was scored.")

        def entry(epoch, tau):
            (v_acsa, v_gm, _), (acsa, gm, recall) = self.history[epoch][tau]
            return {
                "epoch": epoch + 1,
                "tau": tau,
                "val_acsa": v_acsa,
                "val_gm": v_gm,
                "acsa": acsa,
                "gm": gm,
                "recall": {
                    str(c): (None if np.isnan(r) else float(r))
                    for c, r in zip(classes, recall)
                },
            }

        def pick(taus):
            best, best_key = None, None
            for epoch, record in enumerate(self.history):
                for tau in taus:
                    key = record[tau][0][0]
                    if best_key is None or key > best_key:
                        best, best_key = (epoch, tau), key
            return entry(*best)

        last = len(self.history) - 1
        best_test = max(
            range(len(self.history)),
            key=lambda e: (self.history[e][0.0][1][0], -e),
        )
        return {
            "honest": pick((0.0,)),
            "posthoc": pick(self.taus),
            "last": entry(last, 0.0),
            "paper": entry(best_test, 0.0),
            "history": [
                {
                    "epoch": e,
                    "val_acsa": r[0.0][0][0],
                    "val_gm": r[0.0][0][1],
                    "test_acsa": r[0.0][1][0],
                    "test_gm": r[0.0][1][1],
                }
                for e, r in enumerate(self.history)
            ],
        }


def _epoch_callback(scorer, x_val, x_test, classifier_of):
    import keras

    class _Score(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            net = classifier_of()
            scorer.add(_logits(net, x_val), _logits(net, x_test))

    return _Score()


def _logits(net, x, batch=4096):
    # `predict`: one compiled function per input shape, where calling the
    # net eagerly compiled each of its operations for each shape on JAX
    # (about 1 s of a compare run's first epoch on letter-lt100).
    out = net.predict(x, batch_size=batch, verbose=0)
    return np.asarray(out, dtype=np.float64)


# -------------------------------------------------------------------- runs
def run_one(X, y, classes, method, split, protocol, options=None, callbacks=()):
    """Train and score one method on one split; return its record.

    Args:
        X: DataFrame, the whole table's features (raw columns).
        y: int array `(N,)`, class indices `0..C-1`.
        classes: array `(C,)`, the labels of the class indices.
        method: str. A name of `default_methods()`.
        split: dict from `make_splits`.
        protocol: `Protocol`.
        options: dict or None. Method options (`make_method`'s).
        callbacks: sequence of Keras callbacks added to a Keras method's
            `fit` (timers, progress); ignored by the scikit-learn ones.

    Returns:
        dict: status `"ok"` with `honest` and `posthoc` selections and
        `seconds`, or status `"na"` with the reason.
    """
    options = dict(options or {})
    fit, val, test = split["fit"], split["val"], split["test"]
    record = {
        "method": method,
        "repeat_seed": int(split["seed"]),
        "options": options,
        "protocol": _jsonable(dataclasses.asdict(protocol)),
        "rows": {"fit": len(fit), "val": len(val), "test": len(test)},
        "status": "ok",
    }
    encoder = TableEncoder().fit(X.iloc[fit])
    x_fit = encoder.transform(X.iloc[fit])
    x_val = encoder.transform(X.iloc[val])
    x_test = encoder.transform(X.iloc[test])
    record["batch_size"] = protocol.batch_for(len(fit))
    record.update(
        fit_and_score(
            method,
            (x_fit, y[fit]),
            (x_val, y[val]),
            (x_test, y[test]),
            classes=classes,
            seed=int(split["seed"]),
            epochs=protocol.epochs,
            batch_size=record["batch_size"],
            taus=protocol.posthoc_taus,
            options=dict(
                options,
                max_anchors=protocol.max_anchors,
                nominal_blocks=encoder.nominal_blocks_,
            ),
            callbacks=callbacks,
        )
    )
    return record


def fit_and_score(
    method,
    fit,
    val,
    test,
    *,
    classes,
    seed,
    epochs,
    batch_size,
    taus=POSTHOC_TAUS,
    options=None,
    callbacks=(),
):
    """Train one method on encoded rows; score every epoch; select.

    The one place where a benchmark run trains and is scored: `compare`
    and the Table 2 grid (`aos_keras.benchmark`) both call it.

    Args:
        method: str. A name of `default_methods()`.
        fit: `(x, y)`, model-space rows and class indices `0..C-1` that
            the method trains on.
        val: `(x, y)`, the validation rows (they choose the epoch).
        test: `(x, y)`, the test rows (scored, never used to choose).
        classes: sequence. The labels of the class indices.
        seed: int. Seed of the method.
        epochs: int. Training epochs.
        batch_size: int. Real rows per step.
        taus: tuple of float. The post-hoc logit-adjustment grid.
        options: dict or None. Options of `make_method`.
        callbacks: sequence of Keras callbacks added to a Keras method's
            `fit`; ignored by the scikit-learn references.

    Returns:
        dict: `status` `"ok"` with `seconds` and the selections of
        `LogitScorer.select` (and `sampler` for resampling methods), or
        `status` `"na"` with the `reason`.
    """
    from aos_keras.baselines import MethodNotApplicable, make_method
    from aos_keras.references import REFERENCES, SklearnReference

    num_classes = len(classes)
    (x_fit, y_fit), (x_val, y_val), (x_test, y_test) = fit, val, test
    prior = np.bincount(y_fit, minlength=num_classes) / len(y_fit)
    scorer = LogitScorer(y_val, y_test, prior, taus, num_classes)
    out = {"status": "ok"}
    start = time.perf_counter()
    try:
        if method in REFERENCES:
            ref = SklearnReference(
                method, num_classes=num_classes, seed=seed, **(options or {})
            )
            ref.fit(
                x_fit,
                y_fit,
                validation_data=(x_val, y_val),
                epochs=epochs,
                batch_size=batch_size,
            )
            scorer.add(ref.log_proba(x_val), ref.log_proba(x_test))
            if getattr(ref, "sampler_name_", None):
                out["sampler"] = ref.sampler_name_
        else:
            estimator = make_method(
                method,
                num_classes=num_classes,
                num_features=x_fit.shape[1],
                seed=seed,
                **(options or {}),
            )
            callback = _epoch_callback(
                scorer, x_val, x_test, lambda: estimator.classifier
            )
            estimator.fit(
                x_fit,
                y_fit,
                epochs=epochs,
                batch_size=batch_size,
                callbacks=[callback, *callbacks],
            )
            sampler = getattr(estimator, "sampler_name_", None)
            if sampler:
                out["sampler"] = sampler
    except MethodNotApplicable as err:
        return {"status": "na", "reason": str(err)}
    out["seconds"] = time.perf_counter() - start
    out.update(scorer.select(classes))
    return out


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def table_fingerprint(X, y):
    """A short hash of a table's values and labels (names the cache)."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(X, index=False).values.tobytes())
    h.update(np.asarray(y).astype(np.int64).tobytes())
    h.update(",".join(map(str, X.columns)).encode())
    return h.hexdigest()[:16]


def run_key(fingerprint, method, options, protocol, split, revision=0):
    """The cache key of one run.

    `revision` is the method's (`aos_keras.baselines.method_revision`):
    a method whose behaviour changed under the same name gets new keys,
    while revision 0 keeps the keys runs had before revisions existed.
    """
    parts = [
        fingerprint,
        method,
        _jsonable(options or {}),
        _jsonable(dataclasses.asdict(protocol)),
        int(split["seed"]),
        split["fit"].tolist()[:50],
    ]
    if revision:
        parts.append({"revision": int(revision)})
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _run_cached(path, *args):
    """Run (in a worker) and write the record atomically; return it."""
    _quiet_worker()
    record = run_one(*args)
    if path is not None:
        io.write_json(path, record, strict=False)
    return record


def _quiet_worker():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from aos_keras import backend

    cache = os.environ.get("AOS_KERAS_JAX_CACHE")
    if cache:
        backend.enable_compile_cache(cache)


# ---------------------------------------------------------------- compare
def prepare_table(X, y):
    """`(features frame, class indices, classes)` of a user's table."""
    from aos_keras.validation import check_labels

    frame = as_frame(X).reset_index(drop=True)
    labels = check_labels(y, num_rows=len(frame))
    if pd.isna(pd.Series(labels)).any():
        raise ValueError("y has missing labels; drop those rows first.")
    classes, codes = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"y has a single class ({classes.tolist()}); comparing "
            "classifiers needs at least 2."
        )
    return frame, codes.astype(np.int64), classes


def compare(X, y, *, name="table", **settings):
    """Every method on one table under the honest protocol (module doc).

    Args:
        X: DataFrame or 2-D array: numbers, categories, missing cells.
        y: array-like `(N,)`, labels (any hashable values).
        name: str. The table's name in the results. Defaults to
            `"table"`.
        **settings: the keywords of `compare_tables` (`methods`, `repeats`
            (5), `epochs` (100), `batch_size` (32), `n_jobs` (1),
            `cache_dir`, `seed` (0), `test_size` (0.3), `val_size` (0.2),
            `posthoc_taus`, `max_anchors`, `options`, `log`).

    Returns:
        A `Comparison`.

    Raises:
        ValueError: an unknown method, a bad setting, or a bad table.
    """
    return compare_tables({name: (X, y)}, **settings).comparisons[name]


def compare_tables(
    tables,
    *,
    methods=None,
    repeats=5,
    epochs=100,
    batch_size=32,
    n_jobs=1,
    cache_dir=None,
    seed=0,
    test_size=0.3,
    val_size=0.2,
    posthoc_taus=POSTHOC_TAUS,
    max_anchors=None,
    options=None,
    log=print,
):
    """`compare` over several tables at once (one pool of runs).

    Args:
        tables: dict mapping a table name to `(X, y)`: DataFrames or 2-D
            arrays (numbers, categories, missing cells) and labels.
        methods: list of str or None. Names of `default_methods()`;
            None runs them all.
        repeats: int. Number of stratified splits. Defaults to `5`.
        epochs: int. Epochs of the neural methods. Defaults to `100`.
        batch_size: int or `"auto"` (see `Protocol`). Defaults to `32`.
        n_jobs: int. joblib worker processes (-1: one per core).
        cache_dir: str or None. Folder of the per-run JSON cache; a rerun
            skips the runs found there. None: no cache.
        seed: int. Seed of the first split.
        test_size: float. Test share of each split.
        val_size: float. Validation share of each training split.
        posthoc_taus: tuple of float. Post-hoc logit-adjustment grid.
        max_anchors: int or None. Anchor cap of the adversarial methods.
        options: dict or None. Per-method options, `{method: {option:
            value}}` (see `make_method`).
        log: callable or None. Progress lines (one per finished run, with
            an ETA). Defaults to `print`.

    Returns:
        A `SuiteComparison`.
    """
    from joblib import Parallel, delayed

    from aos_keras.baselines import method_revision

    methods = list(methods or default_methods())
    known = default_methods()
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ValueError(f"Unknown methods {unknown}; choose from {known}.")
    options = dict(options or {})
    bad = [m for m in options if m not in methods]
    if bad:
        raise ValueError(f"`options` names methods not run: {bad}.")
    protocol = Protocol(
        epochs=epochs,
        batch_size=batch_size,
        test_size=test_size,
        val_size=val_size,
        posthoc_taus=tuple(float(t) for t in posthoc_taus),
        max_anchors=max_anchors,
    ).check()
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"`repeats` must be an int >= 1; got {repeats!r}.")
    log = log or (lambda *_: None)
    prepared, tasks, records = {}, [], {}
    per_table = []
    for table, (X, y) in tables.items():
        frame, codes, classes = prepare_table(X, y)
        prepared[table] = (frame, codes, classes)
        fingerprint = table_fingerprint(frame, codes)
        splits = make_splits(
            codes,
            repeats=repeats,
            seed=seed,
            test_size=test_size,
            val_size=val_size,
        )
        per_table.append((table, frame, codes, classes, fingerprint, splits))
    # Split-major: a partial run has every table and method on its first
    # splits rather than every split of the first tables.
    for r in range(repeats):
        for table, frame, codes, classes, fingerprint, splits in per_table:
            split = splits[r]
            for method in methods:
                opts = options.get(method, {})
                key = run_key(
                    fingerprint,
                    method,
                    opts,
                    protocol,
                    split,
                    revision=method_revision(method),
                )
                path = None
                if cache_dir is not None:
                    safe = method.replace("+", "plus").replace("/", "_")
                    path = os.path.join(
                        cache_dir, str(table), f"{safe}__{key}.json"
                    )
                    if os.path.exists(path):
                        with open(path, encoding="utf-8") as f:
                            records[(table, method, split["seed"])] = json.load(
                                f
                            )
                        continue
                task = (frame, codes, classes, method, split, protocol, opts)
                tasks.append(((table, method, split["seed"]), path, task))
    total = len(tasks) + len(records)
    log(f"{len(records)} of {total} runs cached; {len(tasks)} to run.")
    if tasks:
        if cache_dir is not None and "AOS_KERAS_JAX_CACHE" not in os.environ:
            os.environ["AOS_KERAS_JAX_CACHE"] = os.path.join(
                os.path.abspath(cache_dir), ".jax"
            )
        start = time.perf_counter()
        jobs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(_tagged)(tag, path, *task) for tag, path, task in tasks
        )
        for i, (tag, record) in enumerate(jobs, 1):
            records[tag] = record
            elapsed = time.perf_counter() - start
            eta = elapsed / i * (len(tasks) - i)
            log(_progress_line(i, len(tasks), tag, record, eta))
    comparisons = {}
    for table, (frame, codes, classes) in prepared.items():
        rows = [
            _tidy(table, classes, r)
            for (t, _, _), r in sorted(records.items(), key=_order(methods))
            if t == table
        ]
        comparisons[table] = Comparison(
            pd.DataFrame(rows), methods, classes, table
        )
    return SuiteComparison(comparisons, methods)


def _tagged(tag, path, *task):
    return tag, _run_cached(path, *task)


def _order(methods):
    index = {m: i for i, m in enumerate(methods)}
    return lambda item: (str(item[0][0]), item[0][2], index[item[0][1]])


def _progress_line(i, n, tag, record, eta):
    table, method, seed = tag
    if record["status"] == "ok":
        h = record["honest"]
        what = (
            f"ACSA {100 * h['acsa']:6.2f} GM {100 * h['gm']:6.2f} "
            f"({record['seconds']:.0f} s)"
        )
    else:
        what = f"NA: {record['reason']}"
    return (
        f"[{i}/{n}] {table} {method} split {seed}: {what}; "
        f"ETA {eta / 60:.1f} min"
    )


def _tidy(table, classes, record):
    row = {
        "table": table,
        "method": record["method"],
        "split": record["repeat_seed"],
        "status": record["status"],
        "reason": record.get("reason", ""),
        "seconds": record.get("seconds", np.nan),
        "sampler": record.get("sampler", ""),
    }
    for protocol in PROTOCOLS:
        sel = record.get(protocol)
        prefix = "" if protocol == "honest" else "posthoc_"
        for key in ("acsa", "gm", "epoch", "val_acsa"):
            row[prefix + key] = np.nan if sel is None else sel[key]
        if protocol == "posthoc":
            row["posthoc_tau"] = np.nan if sel is None else sel["tau"]
        else:
            for c in classes:
                value = None if sel is None else sel["recall"].get(str(c))
                row[f"recall[{c}]"] = np.nan if value is None else value
    return row


# ----------------------------------------------------------------- results
def paired_test(a, b):
    """Paired test of two methods' scores over the same splits.

    Wilcoxon signed-rank (two-sided, scipy) with at least 6 non-zero
    differences; else the exact sign test (two-sided binomial test on the
    signs, ties dropped).

    Returns:
        `(test name, p-value, wins of a, losses of a)`; p is 1.0 when every
        difference is zero.
    """
    from scipy import stats

    d = np.asarray(a, float) - np.asarray(b, float)
    d = d[~np.isnan(d)]
    wins, losses = int((d > 0).sum()), int((d < 0).sum())
    nonzero = d[d != 0]
    if len(nonzero) == 0:
        return "sign", 1.0, wins, losses
    if len(nonzero) >= 6:
        return "wilcoxon", float(stats.wilcoxon(nonzero).pvalue), wins, losses
    p = stats.binomtest(wins, wins + losses, 0.5).pvalue
    return "sign", float(p), wins, losses


class Comparison:
    """The result of `compare` on one table.

    Attributes:
        runs: DataFrame, one row per method x split: `acsa`, `gm` (honest),
            `recall[label]` per class, `epoch` (1-based, selected on
            validation), `val_acsa`, `posthoc_*` (with post-hoc logit
            adjustment, `posthoc_tau` chosen on validation), `seconds`,
            `status` and `reason` (NA).
        methods: list of str.
        classes: array of labels.
        name: str.
    """

    def __init__(self, runs, methods, classes, name):
        self.runs, self.methods = runs, list(methods)
        self.classes, self.name = classes, name

    def scores(self, metric="acsa", protocol="honest"):
        """Method x split matrix of a score (NaN where NA)."""
        column = metric if protocol == "honest" else f"posthoc_{metric}"
        ok = self.runs[self.runs["status"] == "ok"]
        table = ok.pivot_table(
            index="split", columns="method", values=column, aggfunc="first"
        )
        return table.reindex(columns=[m for m in self.methods if m in table])

    def summary(self, metric="acsa", protocol="honest"):
        """Mean, std (in %), mean rank over splits (1 = best), NA reasons.

        Ranks are computed per split among the methods that ran on it
        (ties share the mean rank).
        """
        scores = 100 * self.scores(metric, protocol)
        ranks = scores.rank(axis=1, ascending=False)
        out = pd.DataFrame(
            {
                "mean": scores.mean(),
                "std": scores.std(ddof=0),
                "rank": ranks.mean(),
                "splits": scores.count(),
            }
        )
        na = self.runs[self.runs["status"] == "na"]
        out = out.reindex([m for m in self.methods])
        out["na_reason"] = [
            next(iter(na.loc[na["method"] == m, "reason"]), "")
            for m in out.index
        ]
        return out.sort_values(["rank", "mean"], ascending=[True, False])

    @property
    def leader(self):
        """The method with the best mean rank (then best mean)."""
        return self.summary().index[0]

    def paired_tests(self, metric="acsa", protocol="honest", against=None):
        """The leader (or `against`) against every other method.

        Returns:
            DataFrame: `difference` (mean, points), `wins`, `losses`,
            `test`, `p`.
        """
        scores = 100 * self.scores(metric, protocol)
        ref = against or self.summary(metric, protocol).index[0]
        rows = []
        for method in scores.columns:
            if method == ref:
                continue
            both = scores[[ref, method]].dropna()
            test, p, wins, losses = paired_test(both[ref], both[method])
            rows.append(
                {
                    "method": method,
                    "difference": float((both[ref] - both[method]).mean()),
                    "wins": wins,
                    "losses": losses,
                    "test": test,
                    "p": p,
                }
            )
        return pd.DataFrame(rows).set_index("method")

    def recommendation(self, protocol="honest"):
        """One sentence: the leader, and where the best AO/DO method stands.

        Example: "best: LA-CE (81.20 ACSA); DO is 1.20 points lower,
        p = 0.03 over 5 splits (sign test)."
        """
        summary = self.summary(protocol=protocol).dropna(subset=["mean"])
        best = summary.index[0]
        n = int(summary.loc[best, "splits"])
        text = f"best: {best} ({summary.loc[best, 'mean']:.2f} ACSA)"
        tests = self.paired_tests(protocol=protocol)
        ours = [m for m in summary.index if m.startswith(("AO", "DO"))][:1]
        for method in ours:
            if method == best or method not in tests.index:
                continue
            t = tests.loc[method]
            text += (
                f"; {method} is {t['difference']:.2f} points lower, "
                f"p = {t['p']:.2g} over {n} splits ({t['test']} test)"
            )
        return text + "."

    def markdown(self):
        """A Markdown report: ranked tables, paired tests, recommendation."""
        lines = [f"# Compare: {self.name}", ""]
        for protocol, title in (
            ("honest", "Honest (epoch chosen on validation)"),
            ("posthoc", "With post-hoc logit adjustment (tau on validation)"),
        ):
            s = self.summary(protocol=protocol)
            lines += [
                f"## {title}",
                "",
                "| method | ACSA mean ± std | GM mean | mean rank | splits |",
                "|---|---|---|---|---|",
            ]
            gm = self.summary("gm", protocol)["mean"]
            for m, row in s.iterrows():
                if row["splits"] == 0:
                    lines.append(f"| {m} | NA | NA | - | 0 |")
                    continue
                lines.append(
                    f"| {m} | {row['mean']:.2f} ± {row['std']:.2f} | "
                    f"{gm[m]:.2f} | {row['rank']:.2f} | {int(row['splits'])} |"
                )
            tests = self.paired_tests(protocol=protocol)
            lines += [
                "",
                f"Paired tests of {s.index[0]} against each method (ACSA):",
                "",
                "| method | difference | wins | losses | test | p |",
                "|---|---|---|---|---|---|",
            ]
            for m, t in tests.iterrows():
                lines.append(
                    f"| {m} | {t['difference']:+.2f} | {t['wins']} | "
                    f"{t['losses']} | {t['test']} | {t['p']:.3g} |"
                )
            lines += ["", self.recommendation(protocol=protocol), ""]
        na = self.summary()["na_reason"]
        for m, reason in na[na != ""].items():
            lines.append(f"NA {m}: {reason}")
        used = self.runs[self.runs["sampler"].fillna("") != ""]
        for m, group in used.groupby("method", sort=False):
            names = ", ".join(sorted(set(group["sampler"])))
            lines.append(f"Sampler of {m}: {names} (imbalanced-learn).")
        return "\n".join(lines) + "\n"

    def save(self, out_dir, plot=True):
        """Write `runs.csv`, `report.md` and (with matplotlib) `scores.png`.

        Returns:
            list of the paths written.
        """
        paths = [
            os.path.join(out_dir, "runs.csv"),
            os.path.join(out_dir, "report.md"),
        ]
        io.write_text(paths[0], self.runs.to_csv(index=False))
        io.write_text(paths[1], self.markdown())
        if plot:
            from aos_keras.plots import plot_compare_scores

            path = os.path.join(out_dir, "scores.png")
            plot_compare_scores(self, path)
            paths.append(path)
        return paths


class SuiteComparison:
    """`compare` over several tables: per-table results and mean ranks.

    Attributes:
        comparisons: dict mapping a table name to its `Comparison`.
        methods: list of str.
    """

    def __init__(self, comparisons, methods):
        self.comparisons, self.methods = comparisons, list(methods)

    @property
    def runs(self):
        """Every run of every table, one tidy DataFrame."""
        return pd.concat(
            [c.runs for c in self.comparisons.values()], ignore_index=True
        )

    def means(self, metric="acsa", protocol="honest"):
        """Table x method matrix of mean scores (%)."""
        return pd.DataFrame(
            {
                name: c.summary(metric, protocol)["mean"]
                for name, c in self.comparisons.items()
            }
        ).T.reindex(columns=self.methods)

    def stds(self, metric="acsa", protocol="honest"):
        """Table x method matrix of the scores' std over splits (%)."""
        return pd.DataFrame(
            {
                name: c.summary(metric, protocol)["std"]
                for name, c in self.comparisons.items()
            }
        ).T.reindex(columns=self.methods)

    def separating_tables(self, metric="acsa", protocol="honest"):
        """Tables whose method means spread beyond seed noise.

        A table separates the methods when the range of the methods' mean
        scores exceeds twice the mean over methods of their std across
        splits.
        """
        means, stds = self.means(metric, protocol), self.stds(metric, protocol)
        spread = means.max(axis=1) - means.min(axis=1)
        return [t for t in means.index if spread[t] > 2 * stds.loc[t].mean()]

    def ranks(self, metric="acsa", protocol="honest", tables=None):
        """Per-table ranks (1 = best mean) of the methods run on all tables."""
        means = self.means(metric, protocol)
        if tables is not None:
            means = means.loc[list(tables)]
        means = means.dropna(axis=1, how="any")
        return means.rank(axis=1, ascending=False)

    def left_out(self, metric="acsa", protocol="honest", tables=None):
        """Methods missing from the ranks: `{method: [tables where NA]}`."""
        means = self.means(metric, protocol)
        if tables is not None:
            means = means.loc[list(tables)]
        return {
            m: [str(t) for t in means.index[means[m].isna()]]
            for m in means.columns
            if means[m].isna().any()
        }

    def rank_table(self, metric="acsa", protocol="honest", tables=None):
        """Mean rank over tables, with Friedman's p and the Nemenyi CD.

        Only methods with a score on every table are ranked; `attrs`
        holds the others under `left_out` (see `left_out`).
        """
        ranks = self.ranks(metric, protocol, tables)
        mean = ranks.mean().sort_values()
        stat = friedman_nemenyi(ranks)
        out = pd.DataFrame({"mean_rank": mean})
        out.attrs.update(stat)
        out.attrs["left_out"] = self.left_out(metric, protocol, tables)
        return out

    def head_to_head(self, a, b, metric="acsa", protocol="honest"):
        """Method `a` against `b`: paired tests over splits and over tables.

        Returns:
            dict: `splits` (every table x split pair both ran: mean
            difference in points, wins, losses, test, p) and `tables` (the
            per-table means: the same).
        """
        pairs = []
        for c in self.comparisons.values():
            scores = 100 * c.scores(metric, protocol)
            if a in scores and b in scores:
                pairs.append(scores[[a, b]].dropna())
        both = pd.concat(pairs) if pairs else pd.DataFrame(columns=[a, b])
        means = self.means(metric, protocol)[[a, b]].dropna()
        out = {}
        for key, frame in (("splits", both), ("tables", means)):
            test, p, wins, losses = paired_test(frame[a], frame[b])
            out[key] = {
                "n": len(frame),
                "difference": float((frame[a] - frame[b]).mean()),
                "wins": wins,
                "losses": losses,
                "test": test,
                "p": p,
            }
        return out

    def markdown(self):
        """Markdown: mean ranks (all and separating tables), per-table means."""
        lines = ["# Compare: suite of tables", ""]
        for protocol, title in (
            ("honest", "honest"),
            ("posthoc", "post-hoc logit adjustment"),
        ):
            sep = self.separating_tables(protocol=protocol)
            for subset, label in ((None, "all tables"), (sep, "separating")):
                if subset is not None and (
                    len(subset) < 2 or len(subset) == len(self.comparisons)
                ):
                    continue
                table = self.rank_table(protocol=protocol, tables=subset)
                a = table.attrs
                lines += [
                    f"## Mean rank by ACSA, {title}, {label} "
                    f"({a['tables']} tables)",
                    "",
                    f"Friedman p = {a['friedman_p']:.3g}; Nemenyi critical "
                    f"difference (alpha 0.05) = {a['cd']:.2f} ranks.",
                    "",
                    "| method | mean rank |",
                    "|---|---|",
                ]
                lines += [
                    f"| {m} | {r:.2f} |" for m, r in table["mean_rank"].items()
                ]
                lines.append("")
                if a["left_out"]:
                    lines += [
                        "Not ranked (NA on some table, see the per-table "
                        "means): "
                        + "; ".join(
                            f"{m} ({', '.join(t)})"
                            for m, t in a["left_out"].items()
                        ),
                        "",
                    ]
            lines += [
                f"Tables that separate the methods ({title}): "
                + (", ".join(sep) or "none"),
                "",
            ]
            ranked = self.rank_table(protocol=protocol)["mean_rank"]
            ours = [m for m in ranked.index if m.startswith(("AO", "DO"))]
            others = [m for m in ranked.index if m not in ours]
            if ours and others:
                best = others[0]
                h = self.head_to_head(ours[0], best, protocol=protocol)
                lines += [
                    f"Best of ours ({ours[0]}, mean rank "
                    f"{ranked[ours[0]]:.2f}) against the best other method "
                    f"({best}, {ranked[best]:.2f}), {title}:",
                    "",
                    "| over | pairs | difference (points) | wins | losses "
                    "| test | p |",
                    "|---|---|---|---|---|---|---|",
                ]
                for key in ("splits", "tables"):
                    t = h[key]
                    lines.append(
                        f"| {key} | {t['n']} | {t['difference']:+.2f} | "
                        f"{t['wins']} | {t['losses']} | {t['test']} | "
                        f"{t['p']:.3g} |"
                    )
                lines.append("")
        means = self.means()
        lines += [
            "## Mean honest ACSA per table (%)",
            "",
            "| table | " + " | ".join(means.columns) + " |",
            "|---|" + "---|" * len(means.columns),
        ]
        for t, row in means.iterrows():
            best = row.max()
            cells = [
                "NA"
                if pd.isna(v)
                else (f"**{v:.2f}**" if v == best else f"{v:.2f}")
                for v in row
            ]
            lines.append(f"| {t} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def save(self, out_dir, stem="suite", plot=True):
        """Write `{stem}.csv` (every run), `{stem}.md` and the CD diagram."""
        paths = [
            os.path.join(out_dir, f"{stem}.csv"),
            os.path.join(out_dir, f"{stem}.md"),
        ]
        io.write_text(paths[0], self.runs.to_csv(index=False))
        io.write_text(paths[1], self.markdown())
        if plot:
            from aos_keras.plots import plot_critical_difference

            path = os.path.join(out_dir, f"{stem}_cd.png")
            plot_critical_difference(self.rank_table(), path)
            paths.append(path)
        return paths


def friedman_nemenyi(ranks, alpha=0.05):
    """Friedman test over tables and Nemenyi's critical difference.

    Args:
        ranks: DataFrame, tables x methods, ranks within each table.
        alpha: float. Level of the Nemenyi CD. Defaults to `0.05`.

    Returns:
        dict: `tables`, `methods`, `friedman_stat`, `friedman_p` (scipy's
        `friedmanchisquare` on the ranks), `cd` = `q_alpha sqrt(k (k + 1) /
        (6 N))` with `q_alpha` the studentized range quantile over
        `sqrt(2)` (Demšar 2006).
    """
    from scipy import stats

    n, k = ranks.shape
    out = {"tables": n, "methods": k, "friedman_stat": np.nan}
    out["friedman_p"] = np.nan
    if n >= 2 and k >= 3:
        res = stats.friedmanchisquare(*[ranks[c] for c in ranks.columns])
        out["friedman_stat"], out["friedman_p"] = res.statistic, res.pvalue
    q = stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    out["cd"] = float(q * np.sqrt(k * (k + 1) / (6.0 * max(n, 1))))
    return out


def read_suite(folder, label="label", labels=None):
    """The CSV tables of a folder as `{name: (X, y)}`.

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
        frame = pd.read_csv(os.path.join(folder, name))
        column = (labels or {}).get(stem, label)
        if column not in frame.columns:
            raise ValueError(
                f"{name}: no label column {column!r}; columns are "
                f"{list(frame.columns)[:20]}."
            )
        tables[stem] = (frame.drop(columns=[column]), frame[column].to_numpy())
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
        **kwargs: see `compare`.

    Returns:
        A `SuiteComparison`.
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


__all__ = [
    "Comparison",
    "Protocol",
    "SuiteComparison",
    "compare",
    "compare_suite",
    "compare_tables",
    "friedman_nemenyi",
    "make_splits",
    "paired_test",
    "read_suite",
    "run_one",
]
