"""Paired tests over splits, and Friedman/Nemenyi over tables.

References:
    Demšar, "Statistical Comparisons of Classifiers over Multiple Data
    Sets", JMLR 7, 2006 (Friedman test, Nemenyi critical difference).
"""

import numpy as np
import pandas as pd
from scipy import stats


def paired_test(a, b):
    """Paired test of two methods' scores over the same splits.

    Wilcoxon signed-rank (two-sided, scipy) with at least 6 non-zero
    differences; else the exact sign test (two-sided binomial test on the
    signs, ties dropped).

    Args:
        a: array-like, the first method's scores.
        b: array-like, the second's, on the same splits (NaN: dropped).

    Returns:
        `(test name, p-value, wins of a, losses of a)`; p is 1.0 when every
        difference is zero.

    Example:
    >>> paired_test([0.8, 0.7, 0.9], [0.7, 0.7, 0.8])
    ('sign', 0.5, 2, 0)
    """
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


def paired_row(a, b):
    """`paired_test` of two aligned score series as a dict of the report.

    Returns:
        dict: `n`, `difference` (mean of `a - b`), `wins`, `losses`,
        `test`, `p`.
    """
    test, p, wins, losses = paired_test(a, b)
    return {
        "n": len(a),
        "difference": float(pd.Series(a, dtype=float).sub(b).mean()),
        "wins": wins,
        "losses": losses,
        "test": test,
        "p": p,
    }


def paired_table(scores, ref):
    """`ref` against every other column of a split x method matrix.

    Args:
        scores: DataFrame, splits x methods (NaN where a method is NA).
        ref: str. The reference column.

    Returns:
        DataFrame indexed by `method`: `difference` (mean, points),
        `wins`, `losses`, `test`, `p`; empty when `ref` is the only column.
    """
    rows = []
    for method in scores.columns:
        if method == ref:
            continue
        both = scores[[ref, method]].dropna()
        row = paired_row(both[ref], both[method])
        del row["n"]
        rows.append({"method": method, **row})
    columns = ["method", "difference", "wins", "losses", "test", "p"]
    return pd.DataFrame(rows, columns=columns).set_index("method")


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

    Example:
    >>> ranks = pd.DataFrame([[1.0, 2, 3], [1, 3, 2]], columns=list("abc"))
    >>> round(friedman_nemenyi(ranks)["cd"], 2)
    2.34
    """
    n, k = ranks.shape
    out = {"tables": n, "methods": k, "friedman_stat": np.nan}
    out["friedman_p"] = np.nan
    if n >= 2 and k >= 3:
        res = stats.friedmanchisquare(*[ranks[c] for c in ranks.columns])
        out["friedman_stat"], out["friedman_p"] = res.statistic, res.pvalue
    q = stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    out["cd"] = float(q * np.sqrt(k * (k + 1) / (6.0 * max(n, 1))))
    return out
