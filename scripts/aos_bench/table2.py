"""The Table 2 benchmark: methods x datasets x seeds, resumable.

`run_grid` trains every (dataset, method, seed) cell that has no result
file yet and writes one JSON file per run, atomically, so an interrupted
grid resumes where it stopped. `summarize` reads the result files and
`write_tables` writes the CSV and Markdown tables.

Every run uses the honest split (a stratified 20% validation split carved
from the training split) and records the test and validation scores of
every epoch, from which three numbers are read:

- `honest`: test scores at the epoch with the best validation ACSA;
- `last`: test scores at the last epoch;
- `paper`: test scores at the epoch with the best test ACSA, the paper's
  protocol (optimistic: the test split selects the epoch). It is read from
  the same runs, so its classifier saw the same 80% of the training split.
"""

import argparse
import dataclasses
import json
import os
import platform
import shlex
import sys
import time

import keras
import numpy as np
import pandas as pd

from aos_bench import variants  # noqa: F401  (registers the study variants)
from aos_bench.datasets import DATASETS
from aos_bench.splits import split_dataset
from aos_keras import backend, io
from aos_keras.baselines import available_methods
from aos_keras.evaluation import fit_and_score

# The grid's methods (the default of `--methods`): the public methods of
# version 0.3 before the scikit-learn ones, and the study variants.
METHODS = (
    "Q", "RO+Q", "COT", "SMOTE+Q", "B-SMOTE+Q", "ADASYN+Q", "GAMO",
    "CW-CE", "Focal", "LA-CE", "AO", "DO", "DO-complement", "AO-T0.1",
    "DO-T0.1", "DO-T0.1-LA", "DO-T0.1-D25", "DO-T0.1-hard", "AO-fresh",
    "DO-fresh",
)  # fmt: skip

# Settings that keep a dataset tractable, the same for every method.
DATASET_SETTINGS = {"credit": {"batch_size": 512, "max_anchors": 4096}}

# Table 2 of the paper (ACSA, GM in %), best test epoch (paper protocol).
PAPER_TABLE2 = {
    "secom": {
        "Q": (57.06, 42.82), "RO+Q": (58.99, 43.69), "COT": (60.51, 49.57),
        "SMOTE+Q": (55.57, 42.15), "B-SMOTE+Q": (55.08, 35.42),
        "ADASYN+Q": (59.12, 46.47), "GAMO": (61.17, 56.90),
        "AO": (65.82, 65.36), "DO": (68.84, 65.73),
    },
    "pima": {
        "Q": (76.89, 76.49), "RO+Q": (73.09, 73.09), "COT": (76.55, 76.53),
        "SMOTE+Q": (74.10, 71.94), "B-SMOTE+Q": (76.82, 75.34),
        "ADASYN+Q": (76.20, 75.16), "GAMO": (70.10, 68.78),
        "AO": (77.42, 77.00), "DO": (77.46, 77.45),
    },
    "haberman": {
        "Q": (65.00, 60.91), "RO+Q": (70.00, 69.48), "COT": (68.84, 67.93),
        "SMOTE+Q": (69.61, 69.48), "B-SMOTE+Q": (70.38, 70.20),
        "ADASYN+Q": (69.61, 69.48), "GAMO": (58.62, 50.46),
        "AO": (60.00, 58.38), "DO": (70.38, 70.20),
    },
    "wafer": {
        "Q": (98.82, 98.81), "RO+Q": (97.82, 97.81), "COT": (97.81, 97.80),
        "SMOTE+Q": (95.30, 95.22), "B-SMOTE+Q": (88.07, 87.27),
        "ADASYN+Q": (95.65, 95.57), "GAMO": (98.78, 98.77),
        "AO": (98.99, 98.99), "DO": (99.44, 99.44),
    },
    "credit": {
        "Q": (50.61, 11.51), "RO+Q": (50.04, 3.08), "COT": (51.84, 19.83),
        "SMOTE+Q": (50.00, 0.48), "B-SMOTE+Q": (50.00, 0.00),
        "ADASYN+Q": (50.00, 0.84), "GAMO": (61.46, 61.36),
        "AO": (61.65, 62.19), "DO": (75.55, 75.54),
    },
    "yeast": {
        "Q": (61.67, 0.00), "RO+Q": (60.20, 0.00), "COT": (57.17, 0.00),
        "SMOTE+Q": (57.27, 45.52), "B-SMOTE+Q": (55.85, 43.37),
        "ADASYN+Q": (None, None), "GAMO": (57.52, 0.00),
        "AO": (51.29, 0.00), "DO": (62.81, 53.77),
    },
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """What a run depends on besides (dataset, method, seed)."""

    epochs: int = 100
    batch_size: int = 32
    max_anchors: int = None

    def for_dataset(self, dataset):
        """This config with the dataset's tractability settings applied."""
        return dataclasses.replace(self, **DATASET_SETTINGS.get(dataset, {}))

    def tag(self):
        anchors = "all" if self.max_anchors is None else self.max_anchors
        return f"e{self.epochs}-b{self.batch_size}-a{anchors}"


def result_path(cache_dir, dataset, method, seed, config):
    """The result file of one run."""
    safe = method.replace("+", "plus")
    name = f"{dataset}__{safe}__seed{seed}__{config.tag()}.json"
    return os.path.join(cache_dir, name)


def run_one(
    dataset, method, seed, config, data_home=None, split=None, options=None
):
    """Train one method on one seed's split; return its result record.

    Args:
        dataset: str. A name of `DATASETS`.
        method: str. A registered method (`available_methods()`).
        seed: int. Seed of the split and of the method.
        config: `RunConfig`.
        data_home: str or None. Folder of the datasets.
        split: a `Split` to reuse, or None to make it.
        options: dict. Extra method options (e.g. `sampling_strategy`).

    Returns:
        dict: the run's record (scores per protocol, history, seconds), or
        `status="na"` with the reason.
    """
    config = config.for_dataset(dataset)
    split = split or split_dataset(dataset, seed=seed, data_home=data_home)
    record = {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "config": dataclasses.asdict(config),
        "backend": backend.BACKEND,
        "options": dict(options or {}),
        "status": "ok",
    }
    result = fit_and_score(
        method,
        (split.X_train, split.y_train),
        (split.X_val, split.y_val),
        (split.X_test, split.y_test),
        classes=list(range(split.num_classes)),
        seed=seed,
        epochs=config.epochs,
        batch_size=config.batch_size,
        taus=(0.0,),
        # Table 2 reproduces the paper's step: Q trains on a generator pass
        # of its own (the default before 0.2; the seeds must agree).
        options={
            "q_generated_rows": "fresh",
            **(options or {}),
            "max_anchors": config.max_anchors,
        },
    )
    if result["status"] != "ok":
        record.update(status="na", reason=result["reason"])
        return record
    record["seconds"] = result["seconds"]
    for protocol in ("honest", "last", "paper"):
        record[protocol] = _table2_scores(result[protocol])
    record["history"] = result["history"]
    return record


def _table2_scores(selection):
    """A `compare` selection in the Table 2 record format (0-based epoch)."""
    return {
        "epoch": selection["epoch"] - 1,
        "acsa": selection["acsa"],
        "gm": selection["gm"],
        "recall": [
            float("nan") if r is None else r
            for r in selection["recall"].values()
        ],
    }


def run_grid(
    datasets,
    methods,
    seeds,
    config,
    cache_dir,
    data_home=None,
    log=print,
):
    """Run every missing cell of the grid; return the number of runs made."""
    # Seed-major: a partial grid has every dataset and method on its first
    # seeds rather than all seeds of the first datasets.
    cells = [
        (d, m, s)
        for s in seeds
        for d in datasets
        for m in methods
        if not os.path.exists(
            result_path(cache_dir, d, m, s, config.for_dataset(d))
        )
    ]
    total = len(datasets) * len(methods) * len(seeds)
    log(f"{total - len(cells)} of {total} runs cached; {len(cells)} to run.")
    start = time.perf_counter()
    splits = {}
    for i, (dataset, method, seed) in enumerate(cells, 1):
        key = (dataset, seed)
        if key not in splits:
            splits.clear()
            splits[key] = split_dataset(dataset, seed=seed, data_home=data_home)
        record = run_one(dataset, method, seed, config, split=splits[key])
        path = result_path(
            cache_dir, dataset, method, seed, config.for_dataset(dataset)
        )
        io.write_json(path, record, strict=False)
        elapsed = time.perf_counter() - start
        eta = elapsed / i * (len(cells) - i)
        if record["status"] == "ok":
            h = record["honest"]
            what = (
                f"honest ACSA {100 * h['acsa']:6.2f} GM {100 * h['gm']:6.2f} "
                f"({record['seconds']:.0f} s)"
            )
        else:
            what = f"NA: {record['reason']}"
        log(
            f"[{i}/{len(cells)}] {dataset} {method} seed {seed}: {what}; "
            f"ETA {eta / 60:.0f} min"
        )
    return len(cells)


def load_results(cache_dir, config):
    """Every result record in `cache_dir` made with `config`."""
    records = []
    if not os.path.isdir(cache_dir):
        return records
    for name in sorted(os.listdir(cache_dir)):
        if not name.endswith(".json") or name.startswith("."):
            continue
        with open(os.path.join(cache_dir, name), encoding="utf-8") as f:
            record = json.load(f)
        expected = config.for_dataset(record["dataset"])
        if record["config"] == dataclasses.asdict(expected):
            records.append(record)
    return records


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
        # Compare methods on the same seeds: those every method has run.
        done = {
            (r["method"], r["seed"]) for r in records if r["dataset"] == dataset
        }
        # The ablations do not hold the comparison back: a cell of one uses
        # the common seeds it has.
        main = [m for m in methods if m not in ABLATIONS] or methods
        common = [s for s in seeds if all((m, s) in done for m in main)]
        for method in methods:
            runs = [
                r
                for r in records
                if r["dataset"] == dataset
                and r["method"] == method
                and r["seed"] in (common or seeds)
            ]
            ok = [r for r in runs if r["status"] == "ok"]
            row = {
                "dataset": dataset,
                "method": method,
                "seeds_done": len(ok),
                "seeds_planned": len(seeds),
                "common_seeds": len(common),
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
            row["honest_epoch_mean"] = (
                np.mean([r["honest"]["epoch"] + 1 for r in ok])
                if ok
                else np.nan
            )
            row["seconds_mean"] = (
                np.mean([r["seconds"] for r in ok]) if ok else np.nan
            )
            paper = PAPER_TABLE2.get(dataset, {}).get(method, (None, None))
            row["paper_table2_acsa"], row["paper_table2_gm"] = paper
            rows.append(row)
    return pd.DataFrame(rows)


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
        settings = config.for_dataset(dataset)
        lines += [
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
        best = rows.loc[
            ~rows["method"].isin(ABLATIONS), "honest_acsa_mean"
        ].max()
        for _, row in rows.iterrows():
            honest = _cell(row, "honest_acsa")
            if row["honest_acsa_mean"] == best:
                honest = f"**{honest}**"
            lines.append(
                f"| {row['method']} | {honest} | {_cell(row, 'honest_gm')} "
                f"| {_cell(row, 'last_acsa')} | {_cell(row, 'last_gm')} "
                f"| {_cell(row, 'paper_acsa')} | {_cell(row, 'paper_gm')} "
                f"| {_paper(row['paper_table2_acsa'])} "
                f"| {_paper(row['paper_table2_gm'])} "
                f"| {row['seeds_done']}/{row['seeds_planned']} |"
            )
        for _, row in rows[rows["na_reason"] != ""].iterrows():
            reason = row["na_reason"]
            prefix = f"{row['method']}: "
            if reason.startswith(prefix):  # the method's own message
                reason = reason[len(prefix) :]
            lines.append(f"\nNA {row['method']}: {reason}")
    lines += ["", winners_line(table), "", *comparison_lines(table)]
    return "\n".join(lines) + "\n"


# Our methods: the two presets, then the ablations (reported, not counted as
# the method's result).
PRESETS = ("AO", "DO")
ABLATIONS = (
    "DO-complement",
    "AO-T0.1",
    "DO-T0.1",
    "DO-T0.1-LA",
    "DO-T0.1-D25",
    "DO-T0.1-hard",
    "DO-T0.1+HGB",
    "AO-fresh",
    "DO-fresh",
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
        "each run is a JSON file in `runs/table2/`); this table rebuilt "
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


def parse_args(argv=None, *, data_home=None, cache_dir=None, out_dir=None):
    """Arguments of `main` (the `reproduce_table2.py` command line).

    The package assumes no folder layout: the caller gives the default
    folders (`scripts/reproduce_table2.py` gives the repository's).

    Args:
        argv: list of str. Command-line arguments (default `sys.argv[1:]`).
        data_home: str or None. Default of `--data-home` when the
            environment variable `AOS_KERAS_DATA` is unset (None:
            `aos_keras.datasets`'s own default).
        cache_dir: str or None. Default of `--cache-dir` (None: the option
            is required).
        out_dir: str or None. Default of `--out-dir` (None: the option is
            required).

    Returns:
        argparse.Namespace.
    """
    parser = argparse.ArgumentParser(
        prog="reproduce_table2",
        description="Reproduce the paper's Table 2: methods x datasets x "
        "seeds, resumable.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument(
        "--seeds", type=int, default=None, help="seeds 0..N-1 (default 5)"
    )
    parser.add_argument(
        "--epochs", type=int, default=None, help="default 100 (3 with --quick)"
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 3 epochs, 1 seed, tables named table2_quick",
    )
    parser.add_argument(
        "--data-home",
        default=os.environ.get("AOS_KERAS_DATA", data_home),
        help="folder of the datasets (AOS_KERAS_DATA, else the default)",
    )
    parser.add_argument(
        "--cache-dir",
        default=cache_dir,
        required=cache_dir is None,
        help="folder of the run files",
    )
    parser.add_argument(
        "--out-dir",
        default=out_dir,
        required=out_dir is None,
        help="folder of the tables",
    )
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="only rebuild the tables from cached runs",
    )
    args = parser.parse_args(argv)
    for name in args.datasets:
        if name not in DATASETS:
            parser.error(f"unknown dataset {name!r}: {DATASETS}")
    for name in args.methods:
        if name not in available_methods():
            parser.error(f"unknown method {name!r}: {available_methods()}")
    if args.epochs is None:
        args.epochs = 3 if args.quick else 100
    if args.seeds is None:
        args.seeds = 1 if args.quick else 5
    return args


def enable_jax_cache(cache_dir):
    """Reuse compiled XLA programs across runs (JAX only).

    Args:
        cache_dir: str. The persistent compilation cache folder.
    """
    backend.enable_compile_cache(cache_dir)


def main(
    argv=None,
    *,
    data_home=None,
    cache_dir=None,
    out_dir=None,
    jax_cache_dir=None,
):
    """Run the grid and write the tables (the `reproduce_table2` command).

    Args:
        argv: list of str. Command-line arguments (default `sys.argv[1:]`).
        data_home: str or None. Default folder of the datasets (see
            `parse_args`).
        cache_dir: str or None. Default folder of the run files (None:
            `--cache-dir` is required).
        out_dir: str or None. Default folder of the tables (None:
            `--out-dir` is required).
        jax_cache_dir: str or None. Folder of JAX's persistent compilation
            cache; None leaves JAX's setting alone.
    """
    args = parse_args(
        argv, data_home=data_home, cache_dir=cache_dir, out_dir=out_dir
    )
    if jax_cache_dir is not None:
        enable_jax_cache(jax_cache_dir)
    config = RunConfig(epochs=args.epochs, batch_size=args.batch_size)
    seeds = list(range(args.seeds))
    if not args.no_run:
        run_grid(
            args.datasets,
            args.methods,
            seeds,
            config,
            args.cache_dir,
            data_home=args.data_home,
        )
    records = load_results(args.cache_dir, config)
    table = summarize(records, args.datasets, args.methods, seeds)
    seconds = sum(
        r.get("seconds", 0.0)
        for r in records
        if r["dataset"] in args.datasets
        and r["method"] in args.methods
        and r["seed"] in seeds
    )
    command = "python scripts/reproduce_table2.py " + shlex.join(
        sys.argv[1:] if argv is None else list(argv)
    )
    stem = "table2_quick" if args.quick else "table2"
    write_tables(table, config, args.out_dir, stem, command, seconds)
    print(f"wrote {os.path.join(args.out_dir, stem)}.csv and .md")
    print(winners_line(table))


__all__ = [
    "DATASETS",
    "DATASET_SETTINGS",
    "METHODS",
    "PAPER_TABLE2",
    "RunConfig",
    "load_results",
    "main",
    "run_grid",
    "run_one",
    "summarize",
    "write_tables",
]
