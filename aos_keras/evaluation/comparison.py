"""`Comparison`: the result of `compare` on one table."""

import functools

import pandas as pd

from aos_keras import plots
from aos_keras.evaluation import outputs, reports
from aos_keras.evaluation.ranking import (
    DEFAULT_METRIC,
    check_metric,
    higher_is_better,
    orient,
)
from aos_keras.evaluation.statistics import paired_table


class Comparison:
    """The result of `compare` on one table.

    Attributes:
        runs: DataFrame, one row per method x split: `acsa`, `gm` (honest),
            `recall[label]` per class, `epoch` (1-based, selected on
            validation), `val_acsa`, `posthoc_*` (with post-hoc logit
            adjustment, `posthoc_tau` chosen on validation), `seconds`,
            `status` and `reason` (NA); then `ap`, `macro_f1`, `brier`
            and `posthoc_ap`, ... at the same epochs (NaN for a run cached
            before they were recorded).
        methods: list of str.
        classes: array of labels.
        name: str.
        metric: str. The metric that ranks the methods (one of
            `RANKING_METRICS`: `"acsa"`, `"gm"`, `"ap"`, `"macro_f1"`,
            `"brier"`; lower is better only for `"brier"`; a scikit-learn
            scorer name of `SCORER_ALIASES` is stored as the metric it
            names); the default of every method below that takes `metric`.

    Example:
    >>> result = aos_keras.compare(X, y, methods=["Q", "LA-CE", "DO"])
    >>> result.summary()
    >>> print(result.recommendation())
    """

    def __init__(self, runs, methods, classes, name, metric=DEFAULT_METRIC):
        self.runs, self.methods = runs, list(methods)
        self.classes, self.name = classes, name
        self.metric = check_metric(metric)

    def scores(self, metric=None, protocol="honest"):
        """Split x method matrix of a score (NaN where NA or not recorded)."""
        metric = check_metric(metric or self.metric)
        column = metric if protocol == "honest" else f"posthoc_{metric}"
        ok = self.runs[self.runs["status"] == "ok"]
        if column not in ok:  # every run cached before the metric existed
            ok = ok.assign(**{column: float("nan")})
        table = ok.pivot_table(
            index="split", columns="method", values=column, aggfunc="first"
        )
        return table.reindex(columns=[m for m in self.methods if m in table])

    def summary(self, metric=None, protocol="honest"):
        """Mean, std (in %), mean rank over splits (1 = best), NA reasons.

        Ranks are computed per split among the methods that ran on it
        (ties share the mean rank); for the Brier score the lowest ranks
        first.
        """
        metric = metric or self.metric
        scores = 100 * self.scores(metric, protocol)
        ranks = scores.rank(axis=1, ascending=not higher_is_better(metric))
        out = pd.DataFrame(
            {
                "mean": scores.mean(),
                "std": scores.std(ddof=0),
                "rank": ranks.mean(),
                "splits": scores.count(),
            }
        )
        out = out.reindex(list(self.methods))
        out["na_reason"] = [self._na_reason(m) for m in out.index]
        return out.sort_values(
            ["rank", "mean"], ascending=[True, not higher_is_better(metric)]
        )

    def _na_reason(self, method):
        na = self.runs[self.runs["status"] == "na"]
        return next(iter(na.loc[na["method"] == method, "reason"]), "")

    @property
    def leader(self):
        """The method with the best mean rank (then best mean)."""
        return self.summary().index[0]

    def paired_tests(self, metric=None, protocol="honest", against=None):
        """The leader (or `against`) against every other method.

        Returns:
            DataFrame: `difference` (mean, points: how much better the
            leader is; for the Brier score, how much lower), `wins`,
            `losses`, `test`, `p`, and `p_holm` (Holm's correction over
            these tests, `statistics.holm`); empty with a single method.
        """
        metric = metric or self.metric
        scores = orient(100 * self.scores(metric, protocol), metric)
        ref = against or self.summary(metric, protocol).index[0]
        return paired_table(scores, ref)

    def recommendation(self, protocol="honest"):
        """One sentence: the leader, and where the best AO/DO method stands.

        Example: "best: LA-CE (81.20 ACSA); DO is 1.20 ACSA points lower,
        p = 0.03 over 5 splits (sign test)." The metric is `self.metric`.
        """
        return reports.recommendation(self, protocol)

    def markdown(self):
        """A Markdown report: ranked tables, paired tests, recommendation."""
        return reports.comparison_markdown(self)

    def save(self, out_dir, plot=True):
        """Write `runs.csv`, `report.md` and (with matplotlib) `scores.png`.

        Without matplotlib the plot is skipped with a warning. Every file
        of the folder's report comes from this one: an earlier report's
        `scores.png` that is not written now (`plot=False`) is removed.
        A file of those names that compare did not write is never
        replaced (`aos_keras.evaluation.outputs`).

        Returns:
            list of the paths written.

        Raises:
            FileExistsError: `out_dir` holds a file of a report's name
                that compare did not write, or is a model folder.
        """
        texts = {
            "runs.csv": self.runs.to_csv(index=False),
            "report.md": self.markdown(),
        }
        draw = functools.partial(
            reports.save_plot, plots.plot_compare_scores, self
        )
        figure = ("scores.png", draw) if plot else None
        return outputs.write_report(
            out_dir, outputs.table_files(), texts, figure
        )
