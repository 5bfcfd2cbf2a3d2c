"""The metrics that can rank the methods of `compare`, and their direction.

Every run records them all (`Comparison.runs`: `acsa`, `gm`, `ap`,
`macro_f1`, `brier`, and the same with `posthoc_`); `compare(...,
metric=...)` chooses the one that ranks the methods (ACSA by default).
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


def check_metric(metric):
    """`metric` if it is one of `RANKING_METRICS`, else `ValueError`."""
    if metric not in RANKING_METRICS:
        raise ValueError(
            f"Unknown metric {metric!r}; choose one of {list(RANKING_METRICS)}."
        )
    return metric


def metric_label(metric):
    """The metric's name in reports (`"ACSA"`, `"Brier"`, ...)."""
    return RANKING_METRICS[check_metric(metric)][0]


def higher_is_better(metric):
    """True for every metric but the Brier score."""
    return RANKING_METRICS[check_metric(metric)][1]


def orient(scores, metric):
    """`scores` turned so that higher is better (the Brier score negated)."""
    return scores if higher_is_better(metric) else -scores
