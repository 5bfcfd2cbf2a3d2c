"""The result of the shared-rows study, from its runs, by its selection rule.

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/shared_rows`.

Reads the run files of `$STUDY/dev_suite_v02.sh` (one JSON per table, method
and split), pairs `AO` with `AO-shared` and `DO` with `DO-shared` on each
table x split, and writes below the results marker of
`docs/research/shared_rows.md` (the protocol above it is left as it is):
the mean honest ACSA of each, the mean paired difference, wins/ties/losses,
a two-sided Wilcoxon signed-rank test (scipy), the mean seconds per run and
the decision the protocol's rule gives. Every table x split pair where both
runs are done is used; missing pairs are counted and listed.

    python $STUDY/shared_rows_summary.py [--cache-dir $STUDY/]
        [--doc docs/research/shared_rows.md]

The names are those of the study's runs: `AO` and `DO` were then the paper's
step (`q_generated_rows="fresh"`) and `AO-shared` / `DO-shared` the option.
The rule passed and 0.2 made `"critic"` the default, so the package's `AO`
and `DO` are now the study's shared variants, and `AO-fresh` / `DO-fresh`
are the paper's step.
"""

import argparse
import glob
import json
import os
import sys

import numpy as np

STUDY = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(STUDY)))
PAIRS = (("AO", "AO-shared"), ("DO", "DO-shared"))
MARKER = (
    "<!-- results: written by "
    "scripts/studies/shared_rows/shared_rows_summary.py -->"
)
# The protocol's rule: at most this many ACSA points lost on average, and
# no significant loss at this level.
MAX_LOSS, ALPHA = 0.5, 0.05


def load_runs(cache_dir):
    """`{(table, method, split seed): run}` of the finished runs."""
    runs = {}
    for path in glob.glob(os.path.join(cache_dir, "*", "*.json")):
        with open(path, encoding="utf-8") as f:
            run = json.load(f)
        if run.get("status") != "ok":
            continue
        table = os.path.basename(os.path.dirname(path))
        runs[table, run["method"], run["repeat_seed"]] = run
    return runs


def compare_pair(runs, fresh, shared, base_runs=None):
    """Paired statistics of `shared` against `fresh` over table x split.

    `fresh` is read from `base_runs` when given (another cache), else from
    `runs`.
    """
    from scipy.stats import wilcoxon

    base = runs if base_runs is None else base_runs
    keys = sorted({(t, s) for t, m, s in runs if m == shared})
    keys += sorted({(t, s) for t, m, s in base if m == fresh} - set(keys))
    a, b, sa, sb, missing = [], [], [], [], []
    for table, seed in keys:
        x, y = base.get((table, fresh, seed)), runs.get((table, shared, seed))
        if x is None or y is None:
            missing.append(f"{table}/{seed}")
            continue
        a.append(100 * x["honest"]["acsa"])
        b.append(100 * y["honest"]["acsa"])
        sa.append(x["seconds"])
        sb.append(y["seconds"])
    a, b = np.array(a), np.array(b)
    diff = b - a
    p = float("nan")
    if len(diff) and np.any(diff != 0):
        p = float(wilcoxon(b, a).pvalue)
    return {
        "pairs": len(diff),
        "fresh": float(a.mean()) if len(a) else float("nan"),
        "shared": float(b.mean()) if len(b) else float("nan"),
        "diff": float(diff.mean()) if len(diff) else float("nan"),
        "wins": int((diff > 0).sum()),
        "ties": int((diff == 0).sum()),
        "losses": int((diff < 0).sum()),
        "p": p,
        "seconds_fresh": float(np.mean(sa)) if sa else float("nan"),
        "seconds_shared": float(np.mean(sb)) if sb else float("nan"),
        "missing": missing,
    }


def passes(stats):
    """The protocol's rule for one pair."""
    worse = stats["diff"] < 0 and stats["p"] < ALPHA
    return stats["diff"] >= -MAX_LOSS and not worse


def version_text(versions):
    """The same methods on 0.1 and 0.2 (a check of the 0.2 changes)."""
    lines = [
        "",
        "The same check for the version change itself (not part of the rule): "
        "`AO` and `DO` of version 0.2 (these runs) against version 0.1 (the "
        "runs of `scripts/studies/dev_suite_100ep/`, same protocol and "
        "splits; their "
        "seconds were measured under another load, `--jobs 2`).",
        "",
        "| method | pairs | 0.1 ACSA | 0.2 ACSA | 0.2 - 0.1 | wins / ties / "
        "losses | Wilcoxon p | s per run 0.1 | s per run 0.2 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for method, s in versions.items():
        lines.append(
            f"| {method} | {s['pairs']} | {s['fresh']:.2f} | {s['shared']:.2f} "
            f"| {s['diff']:+.2f} | {s['wins']} / {s['ties']} / {s['losses']} "
            f"| {s['p']:.3f} | {s['seconds_fresh']:.1f} | "
            f"{s['seconds_shared']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def result_text(stats, command):
    lines = [
        f"Written by `{command}` from the runs in "
        f"`scripts/studies/shared_rows/`.",
        "",
        "| pair | table x split pairs | fresh ACSA | shared ACSA | shared - "
        "fresh | wins / ties / losses | Wilcoxon p | s per run fresh | s per "
        "run shared | rule |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (fresh, shared), s in stats.items():
        lines.append(
            f"| {shared} vs {fresh} | {s['pairs']} | {s['fresh']:.2f} | "
            f"{s['shared']:.2f} | {s['diff']:+.2f} | {s['wins']} / "
            f"{s['ties']} / {s['losses']} | {s['p']:.3f} | "
            f"{s['seconds_fresh']:.1f} | {s['seconds_shared']:.1f} | "
            f"{'passes' if passes(s) else 'fails'} |"
        )
    missing = [m for s in stats.values() for m in s["missing"]]
    if missing:
        lines += ["", f"Pairs without both runs: {', '.join(missing)}."]
    complete = all(s["pairs"] == 54 for s in stats.values())
    decided = all(passes(s) for s in stats.values())
    lines += [
        "",
        "**Decision:** "
        + (
            "not yet: the study is incomplete."
            if not complete
            else (
                '`q_generated_rows="critic"` passes the rule for AO and '
                "DO; it may become the default."
                if decided
                else "the rule is not met for both AO and DO; the default "
                'stays `q_generated_rows="fresh"` and `"critic"` remains '
                "an option for speed."
            )
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", default=STUDY)
    parser.add_argument(
        "--base-cache-dir",
        default=os.path.join(STUDY, "..", "dev_suite_100ep"),
        help="the version 0.1 runs of AO and DO",
    )
    parser.add_argument(
        "--doc",
        default=os.path.join(ROOT, "docs", "research", "shared_rows.md"),
    )
    args = parser.parse_args(argv)
    from aos_keras.saving import io

    runs = load_runs(args.cache_dir)
    stats = {pair: compare_pair(runs, *pair) for pair in PAIRS}
    old = load_runs(args.base_cache_dir)
    versions = {
        m: compare_pair(runs, m, m, base_runs=old) for m in ("AO", "DO")
    }
    command = (
        "python scripts/studies/shared_rows/shared_rows_summary.py "
        + " ".join(sys.argv[1:] if argv is None else argv)
    )
    with open(args.doc, encoding="utf-8") as f:
        text = f.read()
    # Everything up to the marker (the protocol) is kept as it is.
    head = text[: text.index(MARKER) + len(MARKER)]
    body = result_text(stats, command.strip()) + version_text(versions)
    io.write_text(args.doc, head + "\n\n" + body)
    print(body)


if __name__ == "__main__":
    main()
