"""The Table 2 tables: a summary of the result files, in CSV and Markdown.

`summarize` reads the records of `aos_bench.table2.load_results` into one
row per (dataset, method); `write_tables` writes the CSV and the Markdown
report (with the paper's numbers, the winners line and our methods against
Q and the best other method).
"""

import os
import platform

import keras
import numpy as np
import pandas as pd

from aos_bench.table2 import ABLATIONS, PAPER_TABLE2, PRESETS
from aos_keras import backend
from aos_keras.saving import io


def summarize(records, datasets, methods, seeds):
    """One row per (dataset, method): mean and std over seeds, in %.

    Where some seeds are done for every method of a dataset (ablations
    aside), every cell of that dataset uses exactly those seeds (an
    ablation's cell, those of them it has), so methods are compared on the
    same splits; otherwise (a partial grid) each cell uses the seeds it has
    and `common_seeds` is 0.
    """
    rows = []
    for dataset in datasets:
        here = [r for r in records if r["dataset"] == dataset]
        common = _common_seeds(here, methods, seeds)
        for method in methods:
            runs = [
                r
                for r in here
                if r["method"] == method and r["seed"] in (common or seeds)
            ]
            row = _row(dataset, method, runs)
            row.update(seeds_planned=len(seeds), common_seeds=len(common))
            rows.append(_ordered(row))
    return pd.DataFrame(rows)


def _common_seeds(records, methods, seeds):
    """The seeds every method but the ablations has run on one dataset.

    The ablations do not hold the comparison back: a cell of one uses the
    common seeds it has.
    """
    done = {(r["method"], r["seed"]) for r in records}
    main = [m for m in methods if m not in ABLATIONS] or methods
    return [s for s in seeds if all((m, s) in done for m in main)]


def _row(dataset, method, runs):
    """The summary of one cell's runs (but the seed counts of the grid)."""
    ok = [r for r in runs if r["status"] == "ok"]
    row = {
        "dataset": dataset,
        "method": method,
        "seeds_done": len(ok),
        "na_reason": next(
            (r["reason"] for r in runs if r["status"] == "na"), ""
        ),
    }
    for protocol in ("honest", "last", "paper"):
        for metric in ("acsa", "gm"):
            values = [100 * r[protocol][metric] for r in ok]
            key = f"{protocol}_{metric}"
            row[f"{key}_mean"] = np.mean(values) if values else np.nan
            row[f"{key}_std"] = np.std(values) if values else np.nan
    epochs = [r["honest"]["epoch"] + 1 for r in ok]
    row["honest_epoch_mean"] = np.mean(epochs) if ok else np.nan
    seconds = [r["seconds"] for r in ok]
    row["seconds_mean"] = np.mean(seconds) if ok else np.nan
    paper = PAPER_TABLE2.get(dataset, {}).get(method, (None, None))
    row["paper_table2_acsa"], row["paper_table2_gm"] = paper
    return row


# The summary's columns in the order of the CSV.
_FIRST = ("dataset", "method", "seeds_done", "seeds_planned", "common_seeds")


def _ordered(row):
    """`row` with the CSV's column order."""
    return {**{k: row[k] for k in _FIRST}, **row}


def _cell(row, key):
    mean, std = row[f"{key}_mean"], row[f"{key}_std"]
    if np.isnan(mean):
        return "NA" if row["na_reason"] else "missing"
    return f"{mean:.2f} ± {std:.2f}"


def _seeds_note(rows):
    common = int(rows["common_seeds"].iloc[0])
    if common:
        return (
            f"Every cell: the {common} seed(s) done for all methods "
            f"(of {int(rows['seeds_planned'].iloc[0])} planned)."
        )
    return (
        "No seed is done for every method yet: each cell uses the seeds it "
        "has (column `seeds`), so cells are not on the same splits."
    )


def _paper(value):
    return "NA" if value is None or pd.isna(value) else f"{value:.2f}"


def markdown_table(table, config, header=""):
    """The Markdown report of a summary table."""
    lines = [header] if header else []
    for dataset, rows in table.groupby("dataset", sort=False):
        lines += _dataset_lines(dataset, rows, config.for_dataset(dataset))
    lines += ["", winners_line(table), "", *comparison_lines(table)]
    return "\n".join(lines) + "\n"


def _dataset_lines(dataset, rows, settings):
    """One dataset's heading, seeds note, table and NA reasons."""
    lines = [
        "",
        f"### {dataset} (epochs {settings.epochs}, batch size "
        f"{settings.batch_size}, max_anchors "
        f"{settings.max_anchors or 'all'})",
        "",
        _seeds_note(rows),
        "",
        "| method | honest ACSA | honest GM | last-epoch ACSA | "
        "last-epoch GM | best-test ACSA (optimistic) | best-test GM "
        "(optimistic) | paper ACSA | paper GM | seeds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    best = rows.loc[~rows["method"].isin(ABLATIONS), "honest_acsa_mean"].max()
    lines += [_table_line(row, best) for _, row in rows.iterrows()]
    for _, row in rows[rows["na_reason"] != ""].iterrows():
        reason = row["na_reason"]
        prefix = f"{row['method']}: "
        if reason.startswith(prefix):  # the method's own message
            reason = reason[len(prefix) :]
        lines.append(f"\nNA {row['method']}: {reason}")
    return lines


def _table_line(row, best):
    """One method's line; its honest ACSA in bold where it is `best`."""
    honest = _cell(row, "honest_acsa")
    if row["honest_acsa_mean"] == best:
        honest = f"**{honest}**"
    return (
        f"| {row['method']} | {honest} | {_cell(row, 'honest_gm')} "
        f"| {_cell(row, 'last_acsa')} | {_cell(row, 'last_gm')} "
        f"| {_cell(row, 'paper_acsa')} | {_cell(row, 'paper_gm')} "
        f"| {_paper(row['paper_table2_acsa'])} "
        f"| {_paper(row['paper_table2_gm'])} "
        f"| {row['seeds_done']}/{row['seeds_planned']} |"
    )


def comparison_lines(table, ours=PRESETS + ABLATIONS):
    """Generated summary: each of our methods against Q and the best other.

    Differences of mean honest ACSA in percentage points, per dataset, over
    the seeds done for each cell.
    """
    lines = [
        "| dataset | method | honest ACSA − Q | honest ACSA − best other "
        "(which) | seeds |",
        "|---|---|---|---|---|",
    ]
    for dataset, rows in table.groupby("dataset", sort=False):
        scores = rows.set_index("method")["honest_acsa_mean"].dropna()
        others = scores.drop([m for m in ours if m in scores.index])
        for method in ours:
            if method not in scores.index:
                continue
            seeds = int(
                rows.loc[rows["method"] == method, "seeds_done"].iloc[0]
            )
            vs_q = (
                f"{scores[method] - scores['Q']:+.2f}"
                if "Q" in scores.index
                else "n/a"
            )
            if others.empty:
                vs_best = "n/a"
            else:
                best = others.idxmax()
                vs_best = f"{scores[method] - others[best]:+.2f} ({best})"
            lines.append(
                f"| {dataset} | {method} | {vs_q} | {vs_best} | {seeds} |"
            )
    return lines


def winners_line(table):
    """Which method has the best mean honest ACSA on each dataset.

    Counts the datasets where AO or DO (the presets) is best among all
    methods but the ablations, and separately where an ablation of ours
    would be best among all methods.
    """
    parts, wins, ablation_wins = [], 0, []
    for dataset, rows in table.groupby("dataset", sort=False):
        rows = rows.dropna(subset=["honest_acsa_mean"])
        if rows.empty:
            continue
        main = rows[~rows["method"].isin(ABLATIONS)]
        if not main.empty:
            top = main.loc[main["honest_acsa_mean"].idxmax()]
            wins += top["method"] in PRESETS
            parts.append(f"{dataset}: {top['method']}")
        overall = rows.loc[rows["honest_acsa_mean"].idxmax()]
        if overall["method"] in ABLATIONS:
            ablation_wins.append(f"{dataset} ({overall['method']})")
    line = (
        "Best mean honest ACSA per dataset (ablations aside): "
        + (", ".join(parts) or "none")
        + f". AO or DO best on {wins} of {len(parts)} datasets."
    )
    if ablation_wins:
        line += " An ablation would be best on: " + ", ".join(ablation_wins)
        line += "."
    return line


def environment():
    """Hardware and software of this run, for the table's footer."""
    import sklearn

    return (
        f"{platform.machine()} {platform.processor() or ''}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"keras {keras.__version__} ({backend.BACKEND} backend), "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}"
    )


def write_tables(table, config, out_dir, stem, command, seconds):
    """Write `{stem}.csv` and `{stem}.md` into `out_dir` (atomically)."""
    io.write_text(
        os.path.join(out_dir, f"{stem}.csv"), table.to_csv(index=False)
    )
    header = (
        "# Table 2 reproduction\n\n"
        "Runs made by `python scripts/reproduce_table2.py` (run in parts; "
        "each run is a JSON file in `scripts/studies/table2/`); this table "
        "rebuilt "
        f"from them by `{command}`.\n\n"
        "Scores are test-split ACSA and GM in %, mean ± std over seeds. "
        "**honest**: epoch chosen by validation ACSA (20% of the training "
        "split); **last-epoch**: the final epoch; **best-test**: the epoch "
        "with the best test ACSA, the paper's protocol, optimistic because "
        "the test split picks the epoch. *paper*: the paper's Table 2 "
        "(best-test protocol). Bold: best honest ACSA on the dataset among "
        f"all methods but the ablations ({', '.join(ABLATIONS)}).\n\n"
        f"Environment: {environment()}. Mean run time per method is in the "
        f"CSV (`seconds_mean`); this table's runs took {seconds / 60:.1f} "
        "min of compute in total."
    )
    io.write_text(
        os.path.join(out_dir, f"{stem}.md"),
        markdown_table(table, config, header),
    )
