"""The metrics that can rank the methods of `compare`, and their direction.

Every run records them all (`Comparison.runs`: `acsa`, `gm`, `ap`,
`macro_f1`, `brier`, and the same with `posthoc_`); `compare(...,
metric=...)` chooses the one that ranks the methods (ACSA by default).
scikit-learn's scorer names are accepted for them (`SCORER_ALIASES`).
"""

# name -> (label in reports, higher is better)
RANKING_METRICS = {
    "acsa": ("ACSA", True),
    "gm": ("GM", True),
    "ap": ("AP", True),
    "macro_f1": ("macro-F1", True),
    "brier": ("Brier", False),
}
DEFAULT_METRIC = "acsa"

# scikit-learn's scorer name -> the metric it names. They are names of the
# metrics above, not recomputations: `average_precision` is our macro
# one-vs-rest AP (scikit-learn's scorer scores only the positive class on
# two classes); `neg_brier_score` ranks by the Brier score, lower first,
# which is the order of scikit-learn's negated score, higher first; the
# reports show the Brier score itself (not negated).
SCORER_ALIASES = {
    "balanced_accuracy": "acsa",
    "average_precision": "ap",
    "f1_macro": "macro_f1",
    "neg_brier_score": "brier",
}
# The names of the reports' headings where they differ from the label.
TITLES = {
    "acsa": "balanced accuracy (ACSA)",
    "ap": "average precision (AP)",
}


def check_metric(metric):
    """The metric `metric` names (one of `RANKING_METRICS`, or a
    scikit-learn scorer name of `SCORER_ALIASES`), else `ValueError`.

    Example:
    >>> check_metric("balanced_accuracy"), check_metric("brier")
    ('acsa', 'brier')
    """
    metric = SCORER_ALIASES.get(metric, metric)
    if metric not in RANKING_METRICS:
        raise ValueError(
            f"Unknown metric {metric!r}; choose one of {list(RANKING_METRICS)} "
            f"or a scikit-learn scorer name of {list(SCORER_ALIASES)}."
        )
    return metric


def metric_title(metric):
    """The metric's name in the reports' headings: `"balanced accuracy
    (ACSA)"`, `"average precision (AP)"`, else `metric_label`."""
    metric = check_metric(metric)
    return TITLES.get(metric, metric_label(metric))


def metric_label(metric):
    """The metric's name in reports (`"ACSA"`, `"Brier"`, ...)."""
    return RANKING_METRICS[check_metric(metric)][0]


def higher_is_better(metric):
    """True for every metric but the Brier score."""
    return RANKING_METRICS[check_metric(metric)][1]


def orient(scores, metric):
    """`scores` turned so that higher is better (the Brier score negated)."""
    return scores if higher_is_better(metric) else -scores
