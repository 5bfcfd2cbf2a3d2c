"""The evaluation harness: `compare` every method on any table, honestly.

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
5. Every selection also records, on the test rows at its epoch (and tau),
   average precision (macro, one-vs-rest), macro-F1 and the Brier score
   of the class probabilities (`ranking.RANKING_METRICS`); `metric`
   chooses the one that ranks the methods (ACSA by default), never the
   epoch.

Runs are cached as one JSON file each (atomic), so an interrupted compare
resumes; they run in `n_jobs` joblib workers (any joblib backend).

Modules: `protocol` (settings and splits), `scoring` (`LogitScorer`),
`ranking` (the metrics that may rank, and scikit-learn's names for them),
`runs` (one run, its cache key), `executor` and `worker` (joblib),
`cluster` (Dask or Ray by address), `costs` (the cost model, the
estimate line, `list_methods`), `progress` (a bar on a terminal),
`estimators` (any scikit-learn estimator by object), `statistics`
(paired tests, Holm's correction, Friedman/Nemenyi), `comparison` and
`suite`
(the results), `reports` (Markdown), `outputs` (the report files in an
output folder), `harness` (`compare`, `compare_suite`).
Names are imported on first use (PEP 562), so a worker process can choose
its Keras backend before anything imports Keras.

Example:
>>> from aos_keras.evaluation import compare
>>> result = compare(X, y, methods=["Q", "LA-CE", "DO"], repeats=5)
>>> result.summary()
>>> print(result.recommendation())

References:
    Demšar, "Statistical Comparisons of Classifiers over Multiple Data
    Sets", JMLR 7, 2006 (Friedman test, Nemenyi critical difference).
    Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
"""

import importlib

_NAMES = {
    "protocol": (
        "BATCH_SIZES",
        "DEFAULT_FIELD",
        "POSTHOC_TAUS",
        "PROTOCOLS",
        "Protocol",
        "make_splits",
        "stratified_split",
    ),
    "scoring": ("EXTRA_METRICS", "LogitScorer", "extra_scores", "scores"),
    "ranking": ("DEFAULT_METRIC", "RANKING_METRICS", "SCORER_ALIASES"),
    "costs": ("list_methods", "run_seconds"),
    "estimators": ("estimator_key",),
    "progress": ("progress_log",),
    "runs": (
        "RunSpec",
        "fit_and_score",
        "run_key",
        "run_one",
        "table_fingerprint",
    ),
    "statistics": ("friedman_nemenyi", "holm", "paired_test"),
    "comparison": ("Comparison",),
    "suite": ("SuiteComparison",),
    "harness": (
        "compare",
        "compare_suite",
        "compare_tables",
        "default_methods",
        "plan_runs",
        "prepare_table",
        "read_suite",
        "RunsInterrupted",
    ),
}
_MODULE_OF = {
    name: module for module, names in _NAMES.items() for name in names
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    if name in _MODULE_OF:
        module = importlib.import_module(f"{__name__}.{_MODULE_OF[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
