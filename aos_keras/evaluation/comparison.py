"""`Comparison`: the result of `compare` on one table."""

import os

import pandas as pd

from aos_keras import io, plots
from aos_keras.evaluation import reports
from aos_keras.evaluation.statistics import paired_table


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

    Example:
    >>> result = aos_keras.compare(X, y, methods=["Q", "LA-CE", "DO"])
    >>> result.summary()
    >>> print(result.recommendation())
    """

    def __init__(self, runs, methods, classes, name):
        self.runs, self.methods = runs, list(methods)
        self.classes, self.name = classes, name

    def scores(self, metric="acsa", protocol="honest"):
        """Split x method matrix of a score (NaN where NA)."""
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
        out = out.reindex(list(self.methods))
        out["na_reason"] = [self._na_reason(m) for m in out.index]
        return out.sort_values(["rank", "mean"], ascending=[True, False])

    def _na_reason(self, method):
        na = self.runs[self.runs["status"] == "na"]
        return next(iter(na.loc[na["method"] == method, "reason"]), "")

    @property
    def leader(self):
        """The method with the best mean rank (then best mean)."""
        return self.summary().index[0]

    def paired_tests(self, metric="acsa", protocol="honest", against=None):
        """The leader (or `against`) against every other method.

        Returns:
            DataFrame: `difference` (mean, points), `wins`, `losses`,
            `test`, `p`; empty with a single method.
        """
        scores = 100 * self.scores(metric, protocol)
        ref = against or self.summary(metric, protocol).index[0]
        return paired_table(scores, ref)

    def recommendation(self, protocol="honest"):
        """One sentence: the leader, and where the best AO/DO method stands.

        Example: "best: LA-CE (81.20 ACSA); DO is 1.20 points lower,
        p = 0.03 over 5 splits (sign test)."
        """
        return reports.recommendation(self, protocol)

    def markdown(self):
        """A Markdown report: ranked tables, paired tests, recommendation."""
        return reports.comparison_markdown(self)

    def save(self, out_dir, plot=True):
        """Write `runs.csv`, `report.md` and (with matplotlib) `scores.png`.

        Without matplotlib the plot is skipped with a warning.

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
            path = os.path.join(out_dir, "scores.png")
            if reports.save_plot(plots.plot_compare_scores, self, path):
                paths.append(path)
        return paths
