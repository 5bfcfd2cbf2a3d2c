"""Markdown reports of a `Comparison` and of a `SuiteComparison`, and plots."""

import warnings

import pandas as pd

from aos_keras.evaluation.ranking import (
    RANKING_METRICS,
    higher_is_better,
    metric_label,
    metric_title,
)
from aos_keras.evaluation.statistics import smallest_p, splits_needed

ONE_SPLIT = (
    "Caution: one split (repeats=1): no spread over splits and no paired "
    "test, so the ranking may be noise; use repeats >= 5 to compare."
)

PROTOCOL_TITLES = (
    ("honest", "Honest (epoch chosen on validation)"),
    ("posthoc", "With post-hoc logit adjustment (tau on validation)"),
)
SUITE_TITLES = (("honest", "honest"), ("posthoc", "post-hoc logit adjustment"))


def ours(methods):
    """The game's methods (AO, DO and their presets) among `methods`."""
    return [m for m in methods if m.startswith(("AO", "DO"))]


# ---------------------------------------------------------------- one table
def recommendation(comparison, protocol="honest"):
    """One sentence: the leader, and where the best AO/DO method stands.

    It names the metric that ranks (`comparison.metric`); without a score
    of that metric (runs cached before it was recorded) it says so.
    """
    label = metric_label(comparison.metric)
    summary = comparison.summary(protocol=protocol).dropna(subset=["mean"])
    if summary.empty:
        return (
            f"No run records {label} (cached before compare recorded it): "
            "clear the cache to rank by it."
        )
    best = summary.index[0]
    n = int(summary.loc[best, "splits"])
    text = f"best: {best} ({summary.loc[best, 'mean']:.2f} {label})"
    tests = comparison.paired_tests(protocol=protocol)
    worse = "lower" if higher_is_better(comparison.metric) else "higher"
    for method in ours(summary.index)[:1]:
        if method == best or method not in tests.index:
            continue
        t = tests.loc[method]
        text += f"; {method} is {t['difference']:.2f} {label} points {worse}"
        text += (
            " on the one split (no test)" if n < 2
            else f", p = {t['p']:.2g} (Holm {t['p_holm']:.2g}) over {n} "
            f"splits ({t['test']} test)"
        )  # fmt: skip
    return text + "."


def comparison_markdown(comparison):
    """A Markdown report: ranked tables, paired tests, recommendation."""
    one_split = comparison.runs["split"].nunique() < 2
    lines = [f"# Compare: {comparison.name}", "", _ranked_by(comparison), ""]
    if one_split:
        lines += [ONE_SPLIT, ""]
    for protocol, title in PROTOCOL_TITLES:
        lines += [f"## {title}", ""]
        lines += _summary_lines(comparison, protocol, spread=not one_split)
        lines += _paired_lines(comparison, protocol, one_split)
        lines += ["", comparison.recommendation(protocol=protocol), ""]
    lines += _every_metric_lines(comparison)
    return "\n".join(lines + _notes(comparison)) + "\n"


def _ranked_by(comparison):
    """The line that names the ranking metric."""
    metric = comparison.metric
    way = "higher" if higher_is_better(metric) else "lower"
    return (
        f"Methods ranked by {metric_title(metric)} (x 100, {way} is "
        "better) on the test rows, at the epoch the validation rows choose."
    )


def _summary_lines(comparison, protocol, spread=True):
    s = comparison.summary(protocol=protocol)
    label = metric_title(comparison.metric)
    second = "gm" if comparison.metric == "acsa" else "acsa"
    gm = comparison.summary(second, protocol)["mean"]
    head = f"{label} mean ± std" if spread else label
    lines = [
        f"| method | {head} | {metric_title(second)} mean | mean rank | "
        "splits |",
        "|---|---|---|---|---|",
    ]
    for m, row in s.iterrows():
        if not row["splits"] > 0:  # NA, or a metric not recorded (NaN)
            other = "NA" if pd.isna(gm[m]) else f"{gm[m]:.2f}"
            lines.append(f"| {m} | NA | {other} | - | 0 |")
            continue
        acsa = f"{row['mean']:.2f}" + (f" ± {row['std']:.2f}" if spread else "")
        lines.append(
            f"| {m} | {acsa} | {gm[m]:.2f} | {row['rank']:.2f} | "
            f"{int(row['splits'])} |"
        )
    return lines


def _paired_lines(comparison, protocol, one_split=False):
    leader = comparison.summary(protocol=protocol).index[0]
    tests = comparison.paired_tests(protocol=protocol)
    if tests.empty or one_split:
        why = "one split" if one_split else "a single method"
        return ["", f"No paired test with {why}."]
    lines = [
        "",
        f"Paired tests of {leader} against each method "
        f"({metric_title(comparison.metric)}; p (Holm): Holm's correction "
        f"over the {len(tests)} tests):",
        "",
        "| method | difference | wins | losses | test | p | p (Holm) |",
        "|---|---|---|---|---|---|---|",
    ]
    for m, t in tests.iterrows():
        lines.append(
            f"| {m} | {t['difference']:+.2f} | {t['wins']} | "
            f"{t['losses']} | {t['test']} | {t['p']:.3g} | "
            f"{t['p_holm']:.3g} |"
        )
    note = significance_note(comparison.runs["split"].nunique(), len(tests))
    return lines + (["", note] if note else [])


def significance_note(splits, comparisons, alpha=0.05):
    """What the number of splits lets the paired tests reach, or "".

    The sign test and the exact Wilcoxon test over `n` pairs give at best
    p = `2 / 2**n` (`statistics.smallest_p`); with Holm's correction over
    `comparisons` tests the best is `comparisons` times that.

    Args:
        splits: int. Splits of the compare (pairs of each test).
        comparisons: int. Paired tests of the leader.
        alpha: float. The level. Defaults to `0.05`.

    Returns:
        str: the note, or "" when a test can reach `alpha` after Holm's
        correction.

    Example:
    >>> significance_note(5, 3)[:52]
    'With 5 splits no paired test can reach p < 0.05: the'
    """
    best = smallest_p(splits)
    if best * comparisons < alpha and best < alpha:
        return ""
    alone, holm = splits_needed(1, alpha), splits_needed(comparisons, alpha)
    if best < alpha:
        return (
            f"With {splits} splits a paired test can reach p < {alpha:g} "
            f"alone (best p = {best:.3g}) but not after Holm's correction "
            f"over {comparisons} tests; {holm} splits (--repeats {holm}) "
            "could."
        )
    return (
        f"With {splits} splits no paired test can reach p < {alpha:g}: the "
        f"best two-sided p of the sign or exact Wilcoxon test over {splits} "
        f"pairs is 2 / 2^{splits} = {best:.3g}. {alone} splits could "
        f"(--repeats {alone}); {holm} after Holm's correction over the "
        f"{comparisons} tests."
    )


def _every_metric_lines(comparison):
    """Mean over splits of every recorded metric, honest (x 100)."""
    means = {
        metric_title(m): comparison.summary(m)["mean"] for m in RANKING_METRICS
    }
    frame = pd.DataFrame(means).reindex(comparison.summary().index)
    lines = [
        "## Every metric, honest (mean over splits, x 100; Brier: lower is "
        "better; NA: not recorded)",
        "",
        "| method | " + " | ".join(frame.columns) + " |",
        "|---|" + "---|" * len(frame.columns),
    ]
    for m, row in frame.iterrows():
        cells = ["NA" if pd.isna(v) else f"{v:.2f}" for v in row]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines + [""]


def _notes(comparison):
    """NA reasons and the samplers the resampling methods used."""
    lines = []
    na = comparison.summary()["na_reason"]
    for m, reason in na[na != ""].items():
        lines.append(f"NA {m}: {reason}")
    runs = comparison.runs
    used = runs[runs["sampler"].fillna("") != ""]
    for m, group in used.groupby("method", sort=False):
        names = ", ".join(sorted(set(group["sampler"])))
        lines.append(f"Sampler of {m}: {names} (imbalanced-learn).")
    return lines


# ------------------------------------------------------------------ a suite
def suite_markdown(suite):
    """Markdown: mean ranks (all and separating tables), per-table means."""
    lines = ["# Compare: suite of tables", ""]
    for protocol, title in SUITE_TITLES:
        sep = suite.separating_tables(protocol=protocol)
        for subset, label in ((None, "all tables"), (sep, "separating")):
            if subset is not None and (
                len(subset) < 2 or len(subset) == len(suite.comparisons)
            ):
                continue
            table = suite.rank_table(protocol=protocol, tables=subset)
            lines += _rank_lines(table, title, label, suite.metric)
        lines += [
            f"Tables that separate the methods ({title}): "
            + (", ".join(sep) or "none"),
            "",
        ]
        lines += _head_to_head_lines(suite, protocol, title)
    means = _means_lines(suite.means(), suite.metric)
    return "\n".join(lines + means) + "\n"


def _rank_lines(table, title, label, metric="acsa"):
    a = table.attrs
    lines = [
        f"## Mean rank by {metric_title(metric)}, {title}, {label} "
        f"({a['tables']} tables)",
        "",
        f"Friedman p = {a['friedman_p']:.3g}; Nemenyi critical "
        f"difference (alpha 0.05) = {a['cd']:.2f} ranks.",
        "",
        "| method | mean rank |",
        "|---|---|",
    ]
    lines += [f"| {m} | {r:.2f} |" for m, r in table["mean_rank"].items()]
    lines.append("")
    if a["left_out"]:
        lines += [
            "Not ranked (NA on some table, see the per-table means): "
            + "; ".join(
                f"{m} ({', '.join(t)})" for m, t in a["left_out"].items()
            ),
            "",
        ]
    return lines


def _head_to_head_lines(suite, protocol, title):
    """The best of ours against the best other method, if both ranked."""
    ranked = suite.rank_table(protocol=protocol)["mean_rank"]
    mine = ours(ranked.index)
    others = [m for m in ranked.index if m not in mine]
    if not (mine and others):
        return []
    best = others[0]
    h = suite.head_to_head(mine[0], best, protocol=protocol)
    lines = [
        f"Best of ours ({mine[0]}, mean rank {ranked[mine[0]]:.2f}) "
        f"against the best other method ({best}, {ranked[best]:.2f}), "
        f"{title}, by {metric_label(suite.metric)}:",
        "",
        "| over | pairs | difference (points) | wins | losses | test | p |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in ("splits", "tables"):
        t = h[key]
        lines.append(
            f"| {key} | {t['n']} | {t['difference']:+.2f} | {t['wins']} | "
            f"{t['losses']} | {t['test']} | {t['p']:.3g} |"
        )
    return lines + [""]


def _means_lines(means, metric="acsa"):
    lines = [
        f"## Mean honest {metric_title(metric)} per table "
        + ("(%)" if higher_is_better(metric) else "(x 100, lower is better)"),
        "",
        "| table | " + " | ".join(means.columns) + " |",
        "|---|" + "---|" * len(means.columns),
    ]
    for t, row in means.iterrows():
        best = row.max() if higher_is_better(metric) else row.min()
        cells = [
            "NA"
            if pd.isna(v)
            else (f"**{v:.2f}**" if v == best else f"{v:.2f}")
            for v in row
        ]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return lines


# -------------------------------------------------------------------- plots
def save_plot(plot, result, path):
    """`plot(result, path)`; without matplotlib, a warning and None."""
    try:
        return plot(result, path)
    except ImportError as err:
        warnings.warn(f"{path} not written: {err}", stacklevel=3)
        return None
