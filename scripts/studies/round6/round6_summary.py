"""Issue 33's results pages, from the cached runs (trains nothing).

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/round6`.

Reads the runs of `$STUDY/run_round6.py` (`$STUDY/collection`,
`$STUDY/paper`) and writes, under `docs/research/round6_protocol.md`:

- once every run is in: `docs/results/round6_collection.{csv,md}` and
  `_cd.png` (every run, every metric), and `docs/results/round6_paper.*`;
- `docs/research/round6.md`: mean ranks of honest ACSA and AP over the
  58 tables, wall time per method, the paired tests, the rule's outcome;
- `docs/which_method.md`: the guide, a statement per group of 15 tables
  or more with its paired test;
- the README's "Does it work?" block (between its two markers).

A run not in the cache is left out and listed (never trained here); while
runs are missing, the rule is "not decided", round6.md compares the
methods that ran on the tables where all of them ran, and the guide and
the README are not written.

    python $STUDY/round6_summary.py
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pandas as pd  # noqa: E402
import run_round6  # noqa: E402  (registers the round's variants)

from aos_bench import pages  # noqa: E402
from aos_bench.datasets import data_home  # noqa: E402
from aos_bench.pages import (  # noqa: E402
    markdown,
    missing_lines,
    table_shapes,
    verdict,
)
from aos_keras.evaluation.harness import read_suite  # noqa: E402
from aos_keras.evaluation.protocol import Protocol  # noqa: E402
from aos_keras.saving import io  # noqa: E402

STUDY = run_round6.STUDY
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(STUDY)))
METHODS = run_round6.FIELD + run_round6.PEERS + run_round6.ROUND
# The methods that train the game (the rule's candidates and their kin).
GAME = ("DO", "DO-T0.1", "DO-T0.1-LA", "DO-T0.1-LA/BRF", "DO-T0.1-LA+BRF")
VARIANTS = ("DO-T0.1-LA/BRF", "DO-T0.1-LA+BRF")
# (a, b, what the pair isolates): round6_protocol.md, "What is computed".
PAIRS = (
    ("DO-T0.1-LA/BRF", "LA-CE/BRF",
     "what the game's classifier adds to an average with BRF"),
    ("DO-T0.1-LA+BRF", "BRF", "BRF's trees topped up by the game's generator"),
    ("DO-T0.1-LA", "BRF", "the default game against BRF"),
    ("DO-T0.1-LA", "DO", "the default game against the paper's DO"),
)  # fmt: skip
# The guide's groups (round6_protocol.md, "The guide").
SMALL_ROWS, FEW_MINORITY, MIN_GROUP = 1500, 50, 15
LEVEL = 0.05


# ----------------------------------------------------------- the runs
def cached_suite(tables, cache_dir, methods=METHODS):
    """`(SuiteComparison of the tables with a run or None, [missing run
    tags])` (`aos_bench.pages.cached_suite` at this round's protocol)."""
    settings = run_round6.PROTOCOL
    protocol = Protocol(
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        patience=settings["patience"],
    ).check()
    return pages.cached_suite(
        tables, cache_dir, methods, protocol, found=BY_CONTENT,
        repeats=settings["repeats"], seed=settings["seed"],
        options={m: o for m, o in run_round6.OPTIONS.items() if m in methods},
    )  # fmt: skip


# The tags of the runs read by content (`aos_bench.pages.by_content`).
BY_CONTENT = []


def complete_tables(suite):
    """Tables on which every method with a run anywhere has its three
    splits (NA runs count as run): while a method has no run at all (the
    peers before their environment runs), the others are compared."""
    runs = suite.runs
    done = runs.groupby("table").size()
    want = 3 * runs.method.nunique()
    return [t for t in suite.comparisons if done.get(t, 0) == want]


# --------------------------------------------------------------- ranks
def rank_rows(suite, metric, tables):
    """Mean rank, mean score (%), tables scored and wall time per method.

    Per table, the methods with a score are ranked (1 best, ties share
    the mean rank); a method's mean rank is over the tables where it has
    a score (round6_protocol.md).
    """
    means = suite.means(metric).loc[list(tables)]
    means = means[[m for m in METHODS if m in means]]
    ranks = means.rank(axis=1, ascending=metric == "brier")
    runs = suite.runs[
        (suite.runs.status == "ok") & suite.runs.table.isin(tables)
    ]
    seconds = runs.groupby("method")["seconds"]
    out = pd.DataFrame({
        "mean rank": ranks.mean(),
        f"mean {metric}": means.mean(),
        "tables": means.notna().sum().astype(int),
        "median s/run": seconds.median().reindex(ranks.columns),
        "total min": seconds.sum().reindex(ranks.columns) / 60,
    }).dropna(subset=["mean rank"]).sort_values("mean rank")  # fmt: skip
    out["tables"] = out["tables"].astype(int).astype(str)
    out.index.name = "method"
    return out


def pair(suite, a, b, metric, tables):
    """`paired_row` over `tables`' per-table means of `a` and `b`."""
    sub = _restricted(suite, tables)
    return sub.head_to_head(a, b, metric)["tables"]


def _restricted(suite, tables):
    """The suite on `tables` only."""
    return type(suite)(
        {t: suite.comparisons[t] for t in tables}, suite.methods, suite.metric
    )


def pvalue(row):
    """`+0.42 points, 20 wins, 25 losses, p = 0.31` of a paired row."""
    if not row["n"]:
        return "no tables"
    return (
        f"{row['difference']:+.2f} points, {row['wins']} wins, "
        f"{row['losses']} losses, {row['test']} p = {row['p']:.3g}"
    )


def pair_rows(suite, metric, tables):
    """The protocol's pairs and each variant against the best method that
    does not train the game."""
    ranks = rank_rows(suite, "acsa", tables)
    best = next((m for m in ranks.index if m not in GAME), None)
    pairs = list(PAIRS)
    what = "the round's variant against the best method without the game"
    if best is not None:
        pairs += [(v, best, what) for v in VARIANTS]
    rows = []
    for a, b, what in pairs:
        if a not in ranks.index or b not in ranks.index:
            continue
        row = pair(suite, a, b, metric, tables)
        rows.append({
            "pair": f"{a} vs {b}", "what it isolates": what,
            "tables": row["n"], "difference": row["difference"],
            "wins": row["wins"], "losses": row["losses"],
            "test": row["test"], "p": f"{row['p']:.2g}",
        })  # fmt: skip
    out = pd.DataFrame(rows)
    return out.set_index("pair") if len(out) else out


# ---------------------------------------------------------------- rule
def rule(suite, tables, complete):
    """The protocol's rule: `(met or None, text)`."""
    ranks = rank_rows(suite, "acsa", tables)
    if not complete or not len(ranks):
        return None, "runs are missing"
    first = ranks.index[0]
    best = next(m for m in ranks.index if m not in GAME)
    if first not in VARIANTS:
        return False, (
            f"the first by mean ACSA rank is `{first}`, not a round variant"
        )
    row = pair(suite, first, best, "acsa", tables)
    met = row["difference"] > 0 and row["p"] < LEVEL
    return bool(met), (
        f"`{first}` is first; against `{best}`, the best method that does "
        f"not train the game: {pvalue(row)}"
    )


# --------------------------------------------------------------- pages
def collection_section(title, suite, missing, tables):
    """Ranks of ACSA and AP and the pairs of one collection."""
    ok = suite.runs[(suite.runs.status == "ok") & suite.runs.table.isin(tables)]
    na = suite.runs[(suite.runs.status != "ok") & suite.runs.table.isin(tables)]
    lines = [
        f"## {title}", "",
        f"{len(tables)} tables; {len(ok)} runs (NA runs: "
        f"{len(na)}); the runs' own seconds add up to "
        f"{ok.seconds.sum() / 3600:.2f} CPU-hours.", "",
        *missing_lines(missing, BY_CONTENT, suite.comparisons), "",
    ]  # fmt: skip
    for metric, label in (("acsa", "honest ACSA"), ("ap", "average precision")):
        lines += [f"### Mean rank of {label}", "",
                  markdown(rank_rows(suite, metric, tables)), ""]  # fmt: skip
    for metric in ("acsa", "ap"):
        rows = pair_rows(suite, metric, tables)
        if len(rows):
            lines += [f"### Pairs ({metric.upper()}, points, over tables' "
                      "means; Wilcoxon, sign test under 6)", "",
                      markdown(rows), ""]  # fmt: skip
    return lines


def round_page(suite, missing, tables, paper, paper_missing):
    """docs/research/round6.md."""
    complete = not missing
    met, text = rule(suite, tables, complete)
    lines = [
        "# Issue 33: the field on 58 tables, and the game beside BRF", "",
        "Written by `PYTHONPATH=scripts python scripts/studies/round6/"
        "round6_summary.py` from the runs of "
        "`scripts/studies/round6/run_round6.py` under "
        "[round6_protocol.md](round6_protocol.md) (3 splits, at most "
        f"60 epochs, patience {run_round6.PROTOCOL['patience']}, the epoch "
        "chosen on validation; JAX). Scores are test means in percent over "
        "a table's splits; ranks are per table among the methods with a "
        "score there, averaged over those tables.", "",
        "## The rule", "",
        f"A game variant first by mean ACSA rank and ahead of the best "
        f"method that does not train the game with p < {LEVEL}: "
        f"{verdict(met)} ({text}).", "",
    ]  # fmt: skip
    lines += collection_section(
        f"The development collection ({len(tables)} of 58 tables)",
        suite, missing, tables,
    )  # fmt: skip
    if paper is not None:
        # Every table with a run: a method missing on a table is ranked
        # over the tables where it ran (round6_protocol.md, change 4).
        lines += collection_section(
            "Confirmation: the paper's tables", paper, paper_missing,
            sorted(paper.comparisons),
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def groups(shapes):
    """The guide's groups: `{title: mask}` (round6_protocol.md)."""
    small = shapes.rows < SMALL_ROWS
    few = shapes.smallest < FEW_MINORITY
    nominal = shapes.nominal > 0
    binary = shapes.classes == 2
    return {
        f"Under {SMALL_ROWS} rows": small,
        f"{SMALL_ROWS} rows or more": ~small,
        f"Under {FEW_MINORITY} minority rows": few,
        f"{FEW_MINORITY} minority rows or more": ~few,
        "With nominal columns": nominal,
        "Numeric only": ~nominal,
        "Binary": binary,
        "Multi-class": ~binary,
    }


def ahead(row):
    """ "ahead" or "level" of a paired row, at LEVEL."""
    if row["n"] and row["difference"] > 0 and row["p"] < LEVEL:
        return f"ahead at p < {LEVEL}"
    return f"level (not ahead at p < {LEVEL})"


def level_with_leader(suite, metric, tables):
    """The leader by mean rank of `metric`, and the methods it is not
    ahead of at p < LEVEL (Wilcoxon over the tables' means, each pair
    tested alone, uncorrected): `(leader, DataFrame of those methods with
    their mean rank, median seconds per run and p, fastest first)`."""
    ranks = rank_rows(suite, metric, tables)
    leader = ranks.index[0]
    rows = {}
    for method in ranks.index[1:]:
        row = pair(suite, leader, method, metric, tables)
        if not (row["difference"] > 0 and row["p"] < LEVEL):
            rows[method] = {
                "mean rank": ranks.loc[method, "mean rank"],
                "median s/run": ranks.loc[method, "median s/run"],
                "p": row["p"],
            }
    level = pd.DataFrame(rows).T
    if len(level):
        level = level.sort_values("median s/run")
    return leader, level


def level_line(suite, metric, tables):
    """ "By honest ACSA `A` leads (6.22, 9.7 s a run); level with it ...":
    what a user can choose between without giving up the leader's place
    at this evidence."""
    label = {"acsa": "honest ACSA", "ap": "AP"}[metric]
    ranks = rank_rows(suite, metric, tables)
    leader, level = level_with_leader(suite, metric, tables)
    head = (
        f"By {label}: `{leader}` leads (mean rank "
        f"{ranks.loc[leader, 'mean rank']:.2f}, median "
        f"{ranks.loc[leader, 'median s/run']:.2f} s a run)"
    )
    if not len(level):
        return f"{head}, ahead of every other method at p < {LEVEL}."
    named = ", ".join(
        f"`{m}` ({r['mean rank']:.2f}, {r['median s/run']:.2f} s, p = "
        f"{r['p']:.2g})"
        for m, r in level.iterrows()
    )
    return (
        f"{head}; it is not ahead at p < {LEVEL} (Wilcoxon, each pair "
        f"alone) of {len(level)} methods, fastest first: {named}."
    )


def group_lines(suite, title, tables):
    """One group of the guide: a statement only at 15 tables or more."""
    head = [f"### {title}: {len(tables)} tables", ""]
    if len(tables) < MIN_GROUP:
        return head + [
            f"Fewer than {MIN_GROUP} tables: no statement is made.",
            "",
        ]
    lines = list(head)
    for metric, label in (("acsa", "honest ACSA"), ("ap", "AP")):
        ranks = rank_rows(suite, metric, tables)
        lead, second = ranks.index[0], ranks.index[1]
        row = pair(suite, lead, second, metric, tables)
        lines += [
            f"By {label}: `{lead}` leads (mean rank "
            f"{ranks.iloc[0, 0]:.2f}); against `{second}` (2nd): "
            f"{pvalue(row)}: {ahead(row)}.", "",
            markdown(ranks.head(5).iloc[:, :2]), "",
        ]  # fmt: skip
    return lines


def guide_page(suite, shapes, tables, complete, paper=None):
    """docs/which_method.md (the paper's tables, `paper`, as the
    confirmation)."""
    status = "" if complete else (
        " **Runs are missing: this page is partial** (see "
        "[round6.md](research/round6.md))."
    )  # fmt: skip
    lines = [
        "# Which method for which table", "",
        "Written by `PYTHONPATH=scripts python scripts/studies/round6/"
        "round6_summary.py` from issue 33's runs on the 58-table development "
        "collection ([protocol](research/round6_protocol.md), [all "
        "results](research/round6.md), [the tables](research/"
        "dev_collection.md)): 3 splits each, the epoch chosen on "
        "validation, every method at its one fixed setting. A group is "
        f"described only where it holds {MIN_GROUP} tables or more, with "
        "the paired test of its leader against its second (Wilcoxon over "
        "the tables' means). A method's place on your table is best "
        "learned on your table: `aos-keras compare your.csv --label y` "
        f"runs the field there, with paired tests.{status}", "",
        f"## Every table ({len(tables)})", "",
        *[
            line
            for metric in ("acsa", "ap")
            for line in (level_line(suite, metric, tables), "")
        ],
        "## By group", "",
    ]  # fmt: skip
    for title, mask in groups(shapes.loc[list(tables)]).items():
        members = [t for t in tables if mask[t]]
        lines += group_lines(suite, title, members)
    if paper is not None:
        lines += [
            "## Confirmation: the paper's tables", "",
            f"Never used to choose: {confirmation(paper)}.", "",
        ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _lead_line(ranks):
    """ "`A` leads (3.10), then `B` (3.50) and `C` (4.00)"."""
    top = [f"`{m}` ({ranks.loc[m, 'mean rank']:.2f})" for m in ranks.index[:3]]
    return f"{top[0]} leads, then " + " and ".join(top[1:])


README_START = (
    "<!-- does-it-work:start (scripts/studies/round6/round6_summary.py) -->"
)
README_END = "<!-- does-it-work:end -->"


def _game_place(ranks):
    """ "the game's best is `X`, 4 of 19" (or that none of it ran)."""
    game = next((m for m in ranks.index if m in GAME), None)
    if game is None:
        return "no method of the game ran on these tables"
    place = list(ranks.index).index(game) + 1
    return f"the game's best is `{game}`, {place} of {len(ranks)}"


def readme_block(suite, tables, complete, paper=None):
    """The README's "Does it work?" summary, between its markers (the
    paper's tables, `paper`, as the confirmation)."""
    acsa, ap = rank_rows(suite, "acsa", tables), rank_rows(suite, "ap", tables)
    met, text = rule(suite, tables, complete)
    lines = [
        README_START,
        f"- **{len(tables)} development tables** ({len(acsa)} methods "
        f"ranked): by honest ACSA {_lead_line(acsa)}; {_game_place(acsa)}. "
        f"By average precision {_lead_line(ap)}.",
        f"- **The game beside or inside BRF** (round 6), first and ahead "
        f"of the best method without the game at p < {LEVEL}: "
        f"{verdict(met)} ({text}).",
        f"- **Choosing**: {level_line(suite, 'acsa', tables)}",
    ]
    if {"DO-T0.1-LA", "BRF", "DO"} <= set(acsa.index):
        alone = pair(suite, "DO-T0.1-LA", "BRF", "acsa", tables)
        paper_do = pair(suite, "DO-T0.1-LA", "DO", "acsa", tables)
        lines.insert(3, (
            f"- **The game alone**, the default `DO-T0.1-LA`, by honest "
            f"ACSA: against `BRF` {pvalue(alone)}; against the paper's "
            f"`DO` {pvalue(paper_do)}."
        ))  # fmt: skip
    if paper is not None:
        lines.append(f"- **Confirmation**: {confirmation(paper)}.")
    return "\n".join(lines + [README_END])


def confirmation(paper):
    """ "on N of the paper's tables, by honest ACSA `A` leads ...": one
    line of the confirmation's ranks (every table with a run)."""
    tables = sorted(paper.comparisons)
    acsa = rank_rows(paper, "acsa", tables)
    return (
        f"on {len(tables)} of the paper's tables ({', '.join(tables)}), by "
        f"honest ACSA {_lead_line(acsa)}; {_game_place(acsa)}"
    )


def write_readme(path, block):
    """Replace the README's "Does it work?" block (whichever round's
    summary wrote it) with `block`."""
    pages.write_block(path, block, "<!-- does-it-work:start", README_END)


def main(argv=None):
    """Read the caches; write the pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--collection", default=os.path.join(data_home(), "dev58")
    )
    parser.add_argument("--data-home", default=data_home())
    parser.add_argument("--runs", default=STUDY)
    parser.add_argument("--out", default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    tables = read_suite(args.collection)
    suite, missing = cached_suite(tables, os.path.join(args.runs, "collection"))
    if suite is None:
        print("no run in the cache yet")
        return
    done = complete_tables(suite)
    paper = run_round6.paper_tables(args.data_home)
    paper, paper_missing = cached_suite(paper, os.path.join(args.runs, "paper"))
    if not missing:  # the result files once every run is in
        results = os.path.join(args.out, "docs", "results")
        suite.save(results, stem="round6_collection")
        if paper is not None:
            paper.save(results, stem="round6_paper")
    docs = os.path.join(args.out, "docs")
    io.write_text(
        os.path.join(docs, "research", "round6.md"),
        round_page(suite, missing, done, paper, paper_missing),
    )
    if not missing:  # the guide and the README only from every run
        io.write_text(
            os.path.join(docs, "which_method.md"),
            guide_page(suite, table_shapes(tables), done, not missing, paper),
        )
        write_readme(
            os.path.join(args.out, "README.md"),
            readme_block(suite, done, not missing, paper),
        )
    print(f"{len(done)} complete tables; {len(missing)} runs missing")


if __name__ == "__main__":
    main()
