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
        `wins`, `losses`, `test`, `p` and `p_holm` (`p` with Holm's
        correction over the comparisons of the table, `holm`); empty when
        `ref` is the only column.
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
    table = pd.DataFrame(rows, columns=columns).set_index("method")
    table["p_holm"] = holm(table["p"].to_numpy(dtype=float))
    return table


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


def holm(pvalues):
    """Holm's step-down adjustment of p-values for several comparisons.

    The i-th smallest of `m` p-values is multiplied by `m - i + 1` (i from
    1); each adjusted value is at least the one before it (step-down) and
    at most 1. Rejecting where the adjusted p is below alpha keeps the
    chance of any false rejection at most alpha (Holm 1979). NaN stays
    NaN and does not count as a comparison.

    Args:
        pvalues: array-like of float.

    Returns:
        float array of the adjusted p-values, in the order given.

    Example:
    >>> holm([0.01, 0.04, 0.03]).round(4).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    scaled = p[order] * (m - np.arange(m))
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


def smallest_p(n):
    """The smallest two-sided p `paired_test` can give over `n` pairs.

    The exact sign test (n < 6) and the exact Wilcoxon test (n >= 6,
    no ties) both reach `2 / 2**n` at best: every pair won by one side.

    Args:
        n: int. Number of paired splits with a non-zero difference.

    Returns:
        float.

    Example:
    >>> smallest_p(5), smallest_p(6)
    (0.0625, 0.03125)
    """
    return min(1.0, 2.0 / 2.0 ** int(n))


def splits_needed(comparisons=1, alpha=0.05):
    """The fewest splits whose best paired test has p below `alpha`.

    With Holm's correction over `comparisons` tests, the smallest p
    is multiplied by `comparisons`, so it must be below
    `alpha / comparisons`.

    Args:
        comparisons: int. Number of tests corrected together.
        alpha: float. The level. Defaults to `0.05`.

    Returns:
        int.

    Example:
    >>> splits_needed(1), splits_needed(6)
    (6, 8)
    """
    n = 1
    while smallest_p(n) * max(int(comparisons), 1) >= alpha:
        n += 1
    return n
