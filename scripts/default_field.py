"""The ranks and seconds behind compare's default field (DEFAULT_FIELD).

Usage (from the repository root):

    python scripts/default_field.py

The development suite's runs (18 tables x 3 splits): round 5's
(scripts/studies/round5/dev_suite_v05/runs.csv, 60 epochs), with the
methods rerun with early stopping (patience 10) taken from
scripts/studies/early_stopping/runs.csv instead; the public methods
(`aos_keras.baselines.METHODS`) that ran there. Per table, the methods are
ranked by their mean honest ACSA over the splits (1 = best); printed: the
mean rank over the tables, the mean seconds of a run, and the typical
seconds of one run at 1000 fitting rows of the cost model
(`aos_keras.evaluation.run_seconds`, 100 epochs at most, patience 10).
"""

import os

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDIES = os.path.join(ROOT, "scripts", "studies")


def main():
    from aos_keras.baselines import METHODS
    from aos_keras.evaluation import DEFAULT_FIELD, run_seconds

    old = pd.read_csv(os.path.join(STUDIES, "round5/dev_suite_v05/runs.csv"))
    new = pd.read_csv(os.path.join(STUDIES, "early_stopping/runs.csv"))
    runs = pd.concat([old[~old["method"].isin(new["method"])], new])
    runs = runs[runs["method"].isin(METHODS)]
    means = runs.pivot_table(index="table", columns="method", values="acsa")
    table = pd.DataFrame(
        {
            "mean_rank": means.rank(axis=1, ascending=False).mean(),
            "mean_seconds": runs.groupby("method")["seconds"].mean(),
        }
    ).sort_values("mean_rank")
    table["model_seconds_1000_rows"] = [
        run_seconds(m, 1000, 100, 10) for m in table.index
    ]
    table["default"] = table.index.isin(DEFAULT_FIELD)
    print(f"{means.shape[0]} tables, {len(table)} methods")
    print(table.round(2).to_string())


if __name__ == "__main__":
    main()
