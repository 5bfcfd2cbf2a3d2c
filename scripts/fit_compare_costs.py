"""Fit compare's cost model from the committed run records; print its module.

Usage (from the repository root; writes the module compare reads):

    python scripts/fit_compare_costs.py > aos_keras/evaluation/cost_table.py

For each method, least squares with non-negative coefficients (scipy's
`nnls`) of a run's `seconds` on `[1, work]`: `work` is the fitting rows in
thousands times the epochs it trained for a method that trains epochs
(`aos_keras.evaluation.costs.trains_epochs`), the fitting rows in thousands
otherwise. The runs, newest protocol first, each method from the first
source that has it:

- scripts/studies/early_stopping/runs.csv (patience 10, 60 epochs at most;
  `epochs_run` is the epochs trained, but for the blends and the two-stage
  methods, whose `epochs_run` counts their one scoring: they are counted
  for the median epochs the other methods trained);
- scripts/studies/round5/dev_suite_v05/runs.csv (version 0.5, 60 epochs);
- scripts/studies/dev_suite_100ep/runs.csv (an older version, 100 epochs;
  the methods of neither of the others).

`STOP_EPOCHS`: the median `epochs_run` of each method that trains epochs
in the early-stopping runs (patience 10), and of them all (`None`). Two
workers ran the runs on the machine's two cores, with light work beside
them: the seconds are upper bounds of a quiet machine's.
"""

import os

import numpy as np
import pandas as pd
from scipy.optimize import nnls

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = (
    "scripts/studies/early_stopping/runs.csv",
    "scripts/studies/round5/dev_suite_v05/runs.csv",
    "scripts/studies/dev_suite_100ep/runs.csv",
)


def main():
    from aos_keras.baselines import available_methods, method_spec
    from aos_keras.evaluation.costs import trains_epochs

    epochs_of = {m: trains_epochs(method_spec(m)) for m in available_methods()}
    runs = _runs(epochs_of)
    coefficients, stops = {}, {}
    for method, group in runs.groupby("method", sort=True):
        if epochs_of[method] and (group["source"] == SOURCES[0]).any():
            stopped = group[group["epochs_run"] > 1]
            if len(stopped):
                stops[method] = float(stopped["epochs_run"].median())
    stops[None] = float(np.median(list(stops.values())))
    single = (runs["source"] == SOURCES[0]) & (runs["epochs_run"] <= 1)
    runs.loc[single & runs["method"].map(epochs_of), "epochs_trained"] = stops[
        None
    ]
    for method, group in runs.groupby("method", sort=True):
        rows = group["rows_fit"].to_numpy(float) / 1000
        work = rows * group["epochs_trained"].to_numpy(float)
        x = np.column_stack([np.ones(len(group)), work])
        coef, _ = nnls(x, group["seconds"].to_numpy(float))
        coefficients[method] = (round(coef[0], 4), round(coef[1], 5))
    fitted = list(coefficients)
    fallback = {
        flag: tuple(
            round(float(np.median([coefficients[m][i] for m in fitted
                                   if epochs_of[m] == flag])), 5)
            for i in (0, 1)
        )
        for flag in (True, False)
    }  # fmt: skip
    _print(coefficients, stops, fallback, runs)


def _runs(epochs_of):
    frames, seen = [], set()
    for source in SOURCES:
        frame = pd.read_csv(os.path.join(ROOT, source))
        frame = frame[
            (frame["status"] == "ok") & frame["method"].isin(epochs_of)
        ]
        frame = frame[~frame["method"].isin(seen)]
        seen.update(frame["method"])
        trained = frame.get("epochs_run", frame["epochs"])
        flags = frame["method"].map(epochs_of)
        frames.append(frame.assign(
            epochs_trained=np.where(flags, trained, 1).astype(float),
            source=source,
        ))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _print(coefficients, stops, fallback, runs):
    print('"""compare\'s cost model: typical seconds of one run, per method.')
    print()
    print("Written by `python scripts/fit_compare_costs.py >")
    print("aos_keras/evaluation/cost_table.py` (see the script for the fit and")
    print("the run records); not edited by hand.")
    print('"""')
    print()
    print("# method -> (seconds, seconds per 1000 fitting rows x epochs")
    print("# trained; x 1 for a method without epochs); runs fitted")
    print("COSTS = {")
    for method, (a, b) in coefficients.items():
        n = int((runs["method"] == method).sum())
        print(f'    "{method}": ({a}, {b}),  # {n} runs')
    print("}")
    print("# epochs a method trains with patience 10 (median; None: all)")
    print("STOP_EPOCHS = {")
    for method, value in stops.items():
        key = "None" if method is None else f'"{method}"'
        print(f"    {key}: {value},")
    print("}")
    print("# a method not fitted: the median coefficients, by trains_epochs")
    print(f"FALLBACK = {fallback!r}")
    print(f"# runs: {len(runs)} from {runs['source'].nunique()} files")
    _print_check(coefficients, runs)


def _print_check(coefficients, runs):
    """Per source: the runs' measured seconds and the model's, summed."""
    a = runs["method"].map(lambda m: coefficients[m][0])
    b = runs["method"].map(lambda m: coefficients[m][1])
    work = runs["rows_fit"] / 1000 * runs["epochs_trained"]
    runs = runs.assign(model=a + b * work)
    for source, group in runs.groupby("source", sort=False):
        print(f"# {source}:")
        print(
            f"#   measured {group['seconds'].sum():.0f} s, model "
            f"{group['model'].sum():.0f} s in-sample ({len(group)} runs)"
        )


if __name__ == "__main__":
    main()
