"""`SuiteComparison`: `compare` over several tables, ranks over tables."""

import os

import pandas as pd

from aos_keras import plots
from aos_keras.evaluation import reports
from aos_keras.evaluation.ranking import (
    DEFAULT_METRIC,
    check_metric,
    higher_is_better,
    orient,
)
from aos_keras.evaluation.statistics import friedman_nemenyi, paired_row
from aos_keras.saving import io


class SuiteComparison:
    """`compare` over several tables: per-table results and mean ranks.

    Attributes:
        comparisons: dict mapping a table name to its `Comparison`.
        methods: list of str.
        metric: str. The metric that ranks the methods (see
            `Comparison`); the default of every method that takes `metric`.

    Example:
    >>> suite = aos_keras.compare_suite("tables/", methods=["LA-CE", "DO"])
    >>> suite.rank_table()
    """

    def __init__(self, comparisons, methods, metric=DEFAULT_METRIC):
        self.comparisons, self.methods = comparisons, list(methods)
        self.metric = check_metric(metric)

    @property
    def runs(self):
        """Every run of every table, one tidy DataFrame."""
        return pd.concat(
            [c.runs for c in self.comparisons.values()], ignore_index=True
        )

    def _matrix(self, column, metric, protocol):
        metric = metric or self.metric
        return pd.DataFrame(
            {
                name: c.summary(metric, protocol)[column]
                for name, c in self.comparisons.items()
            }
        ).T.reindex(columns=self.methods)

    def means(self, metric=None, protocol="honest"):
        """Table x method matrix of mean scores (%)."""
        return self._matrix("mean", metric, protocol)

    def stds(self, metric=None, protocol="honest"):
        """Table x method matrix of the scores' std over splits (%)."""
        return self._matrix("std", metric, protocol)

    def separating_tables(self, metric=None, protocol="honest"):
        """Tables whose method means spread beyond seed noise.

        A table separates the methods when the range of the methods' mean
        scores exceeds twice the mean over methods of their std across
        splits.
        """
        means, stds = self.means(metric, protocol), self.stds(metric, protocol)
        spread = means.max(axis=1) - means.min(axis=1)
        return [t for t in means.index if spread[t] > 2 * stds.loc[t].mean()]

    def _means_on(self, metric, protocol, tables):
        means = self.means(metric, protocol)
        return means if tables is None else means.loc[list(tables)]

    def ranks(self, metric=None, protocol="honest", tables=None):
        """Per-table ranks (1 = best mean) of the methods run on all tables."""
        means = self._means_on(metric, protocol, tables)
        best_high = higher_is_better(metric or self.metric)
        return means.dropna(axis=1, how="any").rank(
            axis=1, ascending=not best_high
        )

    def left_out(self, metric=None, protocol="honest", tables=None):
        """Methods missing from the ranks: `{method: [tables where NA]}`."""
        means = self._means_on(metric, protocol, tables)
        return {
            m: [str(t) for t in means.index[means[m].isna()]]
            for m in means.columns
            if means[m].isna().any()
        }

    def rank_table(self, metric=None, protocol="honest", tables=None):
        """Mean rank over tables, with Friedman's p and the Nemenyi CD.

        Only methods with a score on every table are ranked; `attrs`
        holds the others under `left_out` (see `left_out`).
        """
        ranks = self.ranks(metric, protocol, tables)
        out = pd.DataFrame({"mean_rank": ranks.mean().sort_values()})
        out.attrs.update(friedman_nemenyi(ranks))
        out.attrs["left_out"] = self.left_out(metric, protocol, tables)
        return out

    def head_to_head(self, a, b, metric=None, protocol="honest"):
        """Method `a` against `b`: paired tests over splits and over tables.

        Returns:
            dict: `splits` (every table x split pair both ran: mean
            difference in points, positive where `a` is better (for the
            Brier score: lower), wins, losses, test, p) and `tables` (the
            per-table means: the same).
        """
        metric = metric or self.metric
        pairs = []
        for c in self.comparisons.values():
            scores = orient(100 * c.scores(metric, protocol), metric)
            if a in scores and b in scores:
                pairs.append(scores[[a, b]].dropna())
        both = pd.concat(pairs) if pairs else pd.DataFrame(columns=[a, b])
        means = orient(self.means(metric, protocol)[[a, b]], metric).dropna()
        return {
            key: paired_row(frame[a], frame[b])
            for key, frame in (("splits", both), ("tables", means))
        }

    def markdown(self):
        """Markdown: mean ranks (all and separating tables), per-table means."""
        return reports.suite_markdown(self)

    def save(self, out_dir, stem="suite", plot=True):
        """Write `{stem}.csv` (every run), `{stem}.md` and the CD diagram.

        Without matplotlib the diagram is skipped with a warning.

        Returns:
            list of the paths written.
        """
        paths = [
            os.path.join(out_dir, f"{stem}.csv"),
            os.path.join(out_dir, f"{stem}.md"),
        ]
        io.write_text(paths[0], self.runs.to_csv(index=False))
        io.write_text(paths[1], self.markdown())
        if plot:
            path = os.path.join(out_dir, f"{stem}_cd.png")
            draw = plots.plot_critical_difference
            if reports.save_plot(draw, self.rank_table(), path):
                paths.append(path)
        return paths
