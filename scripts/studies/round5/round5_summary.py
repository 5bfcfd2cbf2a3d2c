"""Issue 25's results pages, from the cached runs (trains nothing).

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/round5`.

Reads the runs of `$STUDY/run_round5.py` (`$STUDY/dev_suite_v05`,
`$STUDY/paper_v05`) and writes, under the rules of
`docs/research/round5_protocol.md`, `docs/research/round5.md`: mean ranks
of honest ACSA and AP, wall time per method, the peers' target, the
round's variants against their controls, the default's candidate, each
rule's outcome.

Round 6 (issue 33, `scripts/studies/round6/round6_summary.py`) superseded
what this script also wrote until then: the result files
`docs/results/dev_suite_v05.*` and `paper_v05.*` (in git at commit
c8c6c18), the guide `docs/which_method.md` and the README's "Does it
work?" block.

A run not in the cache is left out and listed (never trained here).

    python $STUDY/round5_summary.py
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pandas as pd  # noqa: E402
import run_round5  # noqa: E402  (registers the round's variants)

from aos_bench import pages  # noqa: E402
from aos_bench.datasets import data_home  # noqa: E402
from aos_bench.pages import markdown, missing_lines, verdict  # noqa: E402
from aos_keras.evaluation.harness import read_suite  # noqa: E402
from aos_keras.evaluation.protocol import Protocol  # noqa: E402
from aos_keras.saving import io  # noqa: E402

ROOT = run_round5.ROOT
STUDY = run_round5.STUDY
METHODS = run_round5.FIELD + run_round5.ROUND
OVERSAMPLERS = (
    "DO-T0.1+HGB", "CTGAN+HGB", "TVAE-C+HGB", "TVAE+HGB", "SMOTE+HGB",
)  # fmt: skip
# Rule 1's peers (TVAE+HGB is NA on most tables: round5_protocol, change 3).
RULE1_PEERS = ("CTGAN+HGB", "TVAE-C+HGB")
# (variant, its control, what the pair isolates)
PAIRS = (
    (
        "DO-T0.1/HGB",
        "LA-CE/HGB",
        "the game's Q against LA-CE, both averaged with HGB",
    ),
    ("DO-T0.1/HGB", "HGB", "the game's average against HGB alone"),
    (
        "DO-T0.1+UB-HGB",
        "UB-HGB",
        "bags topped up by G against plain under-bagging",
    ),
    ("DO-T0.1-S0.5", "DO-T0.1", "half the gap by G against full balance"),
    ("DO-T0.1-LA", "DO-T0.1-S0.5", "logit adjustment for the other half"),
    ("DO-T0.1-LA", "DO-T0.1", "rule 3: the default's candidate"),
    ("DO-T0.1+HGB", "CTGAN+HGB", "G's rows against CTGAN's, both before HGB"),
    ("DO-T0.1+HGB", "TVAE-C+HGB", "G's rows against TVAE's (per class)"),
    ("DO-T0.1+HGB", "SMOTE+HGB", "G's rows against SMOTE's, both before HGB"),
    ("HGB", "HGB-plain", "class weights in HGB (Elor and Averbuch-Elor)"),
    ("LA-CE/HGB", "HGB", "averaging a network with HGB"),
    ("DO-T0.1", "DO", "the new default against the paper's DO"),
)
GAME = ("DO", "DO-T0.1", "DO-T0.1-LA", "DO-T0.1+HGB") + tuple(run_round5.ROUND)


# ----------------------------------------------------------- the runs
def cached_suite(tables, cache_dir, methods=METHODS):
    """`(SuiteComparison of the cached runs, [missing run tags])`
    (`aos_bench.pages.cached_suite` at this round's protocol)."""
    protocol = Protocol(
        epochs=run_round5.PROTOCOL["epochs"],
        batch_size=run_round5.PROTOCOL["batch_size"],
    ).check()
    return pages.cached_suite(
        tables, cache_dir, methods, protocol, found=BY_CONTENT,
        repeats=run_round5.PROTOCOL["repeats"],
        seed=run_round5.PROTOCOL["seed"],
        options={m: o for m, o in run_round5.OPTIONS.items() if m in methods},
    )  # fmt: skip


# The tags of the runs read by content (`aos_bench.pages.by_content`).
BY_CONTENT = []


def rank_rows(suite, metric, tables=None, methods=None):
    """Mean rank, mean score (%) and wall time of each ranked method.

    Methods with a score on every table (of `tables`) are ranked among
    `methods` (all by default).
    """
    ranks = _rerank(suite, metric, tables, methods or suite.methods)
    means = suite.means(metric).loc[ranks.index, ranks.columns]
    runs = suite.runs[suite.runs.status == "ok"]
    seconds = runs.groupby("method")["seconds"]
    out = pd.DataFrame({
        "mean rank": ranks.mean(),
        f"mean {metric}": means.mean(),
        "median s/run": seconds.median().reindex(ranks.columns),
        "total min": seconds.sum().reindex(ranks.columns) / 60,
    }).sort_values("mean rank")  # fmt: skip
    out.index.name = "method"
    return out


def _rerank(suite, metric, tables, methods):
    """Ranks of `methods` alone (re-ranked among themselves)."""
    means = suite.means(metric)
    if tables is not None:
        means = means.loc[list(tables)]
    means = means[[m for m in methods if m in means]].dropna(axis=1)
    return means.rank(axis=1, ascending=metric == "brier")


def pair_rows(suite, pairs=PAIRS, metric="acsa"):
    """Each pair's paired test over the table x split pairs."""
    rows = []
    for a, b, what in pairs:
        if a not in suite.methods or b not in suite.methods:
            continue
        h = suite.head_to_head(a, b, metric)["splits"]
        if not h["n"]:
            continue
        rows.append({
            "pair": f"{a} vs {b}", "what it isolates": what,
            "pairs": h["n"], "difference": h["difference"],
            "wins": h["wins"], "losses": h["losses"], "p": f"{h['p']:.2g}",
        })  # fmt: skip
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).set_index("pair")


# --------------------------------------------------------------- rules
def peers_rule(suite):
    """Rule 1: G before HGB ahead of both peers, at less fit time."""
    ranks = rank_rows(suite, "acsa", methods=OVERSAMPLERS)
    ours, peers = "DO-T0.1+HGB", RULE1_PEERS
    if ours not in ranks.index or any(p not in ranks.index for p in peers):
        return ranks, None
    ahead = all(
        ranks.loc[ours, "mean rank"] < ranks.loc[p, "mean rank"] for p in peers
    )
    faster = all(
        ranks.loc[ours, "median s/run"] < ranks.loc[p, "median s/run"]
        for p in peers
    )
    return ranks, bool(ahead and faster)


def round_rule(suite):
    """Rule 2: `(pick, best of all, pick is best, paired row)`."""
    ranks = rank_rows(suite, "acsa")
    variants = [m for m in ranks.index if m in run_round5.ROUND]
    if not variants:
        return None, ranks.index[0], None, None
    pick, best = variants[0], ranks.index[0]
    field_best = next(m for m in ranks.index if m in run_round5.FIELD)
    row = suite.head_to_head(pick, field_best, "acsa")["splits"]
    return pick, best, pick == best, (field_best, row)


def default_rule(suite, confirmation):
    """Rule 3: DO-T0.1-LA replaces DO-T0.1 (True/False; None: no runs)."""
    a, b = "DO-T0.1-LA", "DO-T0.1"
    if a not in suite.methods or b not in suite.methods:
        return None, None
    row = suite.head_to_head(a, b, "acsa")["splits"]
    if not row["n"]:
        return None, row
    better = row["difference"] > 0 and row["p"] < 0.05
    if better and confirmation is not None:
        ranks = rank_rows(confirmation, "acsa")
        if a in ranks.index and b in ranks.index:
            better = ranks.loc[a, "mean rank"] <= ranks.loc[b, "mean rank"]
    return bool(better), row


def na_count(suite, method):
    """ "`TVAE+HGB` is NA on 40 of its 54 runs (...)." or ""."""
    runs = suite.runs[suite.runs.method == method]
    if runs.empty:
        return ""
    na = runs[runs.status != "ok"]
    tables = na.table.nunique()
    return (
        f"`{method}` is NA on {len(na)} of its {len(runs)} runs ({tables} "
        "tables: the generator wrote too few rows of a class)."
    )


def pvalue(row):
    """`+0.42 points, 20 wins, 25 losses, p = 0.31` of a paired row."""
    return (
        f"{row['difference']:+.2f} points, {row['wins']} wins, "
        f"{row['losses']} losses, p = {row['p']:.3g}"
    )


# --------------------------------------------------------------- pages
def collection_section(title, suite, missing):
    """Ranks of ACSA and AP and the pairs of one collection."""
    ok = suite.runs[suite.runs.status == "ok"]
    lines = [
        f"## {title}", "",
        f"{len(ok)} runs ({len(suite.comparisons)} tables x 3 splits; NA "
        f"runs: {int((suite.runs.status != 'ok').sum())}); wall time of all "
        f"runs: {ok.seconds.sum() / 3600:.2f} CPU-hours on two niced "
        "workers.", "",
        *missing_lines(missing, BY_CONTENT, suite.comparisons), "",
    ]  # fmt: skip
    for metric, label in (("acsa", "honest ACSA"), ("ap", "average precision")):
        lines += [f"### Mean rank of {label}", "",
                  markdown(rank_rows(suite, metric)), ""]  # fmt: skip
    for metric in ("acsa", "ap"):
        pairs = pair_rows(suite, metric=metric)
        if len(pairs):
            lines += [f"### Pairs ({metric.upper()}, points, over the table x "
                      "split pairs; Wilcoxon, sign test under 6)", "",
                      markdown(pairs), ""]  # fmt: skip
    return lines


def rules_section(suite, confirmation):
    """Each rule of the protocol and its outcome on these runs."""
    lines = ["## The rules", ""]
    ranks, met = peers_rule(suite)
    lines += [
        "**Rule 1 (peers), development suite**: " + verdict(met) + ". Mean "
        "rank of honest ACSA among the oversamplers before HGB that ran on "
        "every table, with the median seconds of a run (generator fit plus "
        "HGB). " + na_count(suite, "TVAE+HGB"), "",
        markdown(ranks), "",
    ]  # fmt: skip
    if confirmation is not None:
        ranks, met = peers_rule(confirmation)
        lines += ["**Rule 1, the paper's tables**: " + verdict(met) + ".", "",
                  markdown(ranks), ""]  # fmt: skip
    lines += _round_lines(suite, confirmation)
    flag, row = default_rule(suite, confirmation)
    text = pvalue(row) if row and row["n"] else "no runs"
    lines += [f"**Rule 3 (the default's candidate)**: DO-T0.1-LA against "
              f"DO-T0.1 on the suite: {text}. DO-T0.1-LA replaces the "
              f"default: {verdict(flag)}.", ""]  # fmt: skip
    return lines


def _round_lines(suite, confirmation):
    pick, best, is_best, vs = round_rule(suite)
    if pick is None:
        return [
            "**Rule 2 (the round)**: no variant has runs on every table.",
            "",
        ]
    field_best, row = vs
    lines = [
        f"**Rule 2 (the round)**: the round's pick is `{pick}`; the best mean "
        f"rank of all is `{best}`. Against the field's best, `{field_best}`: "
        f"{pvalue(row)}. The pick has the best mean rank on the suite: "
        f"{verdict(is_best)}.",
    ]
    if confirmation is not None and is_best:
        ranks = rank_rows(confirmation, "acsa")
        holds = len(ranks) and ranks.index[0] == pick
        lines.append(f"In the confirmation: {verdict(bool(holds))}.")
    return lines + [""]


def round_page(suite, missing, confirmation, paper_missing):
    """docs/research/round5.md."""
    lines = [
        "# Issue 25: the strongest field, the game's peers, one round on "
        "the game", "",
        "Written by `python scripts/studies/round5/round5_summary.py` from "
        "the runs of "
        "`scripts/studies/round5/run_round5.py` under [round5_protocol.md]"
        "(round5_protocol.md) (3 splits, 60 epochs, the epoch chosen on "
        "validation; JAX; version 0.5.0). Scores are test means in percent; "
        "ranks are per table, averaged over the tables on which every "
        "ranked method ran. Times are seconds of a run, training and "
        "scoring, on two niced workers beside other work (not isolated "
        "timings).", "",
    ]  # fmt: skip
    lines += rules_section(suite, confirmation)
    lines += collection_section("Development suite (18 tables)", suite, missing)
    if confirmation is not None:
        lines += collection_section(
            "Confirmation: three of the paper's tables (Pima, Haberman, "
            "Yeast)", confirmation, paper_missing,
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv=None):
    """Read the caches; write the pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dev-dir",
        default=os.path.join(data_home(), "dev"),
    )
    parser.add_argument("--data-home", default=data_home())
    parser.add_argument("--runs", default=STUDY)
    parser.add_argument(
        "--out", default=ROOT, help="repository root to write under"
    )
    args = parser.parse_args(argv)
    tables = read_suite(args.dev_dir)
    suite, missing = cached_suite(
        tables, os.path.join(args.runs, "dev_suite_v05")
    )
    paper = run_round5.paper_tables(args.data_home)
    paper, paper_missing = cached_suite(
        {t: paper[t] for t in run_round5.CONFIRMATION_TABLES},
        os.path.join(args.runs, "paper_v05"),
    )
    docs = os.path.join(args.out, "docs")
    io.write_text(os.path.join(docs, "research", "round5.md"),
                  round_page(suite, missing, paper, paper_missing))  # fmt: skip
    print(
        f"{len(missing)} suite runs and {len(paper_missing)} paper runs missing"
    )


if __name__ == "__main__":
    main()
