"""What a compare will cost, and the methods it can run.

`run_seconds` is the cost model: a method's typical seconds for one run,
`a + b * work`, where `work` is the fitting rows in thousands times the
epochs it trains (a method without epochs: the rows alone). The
coefficients (`cost_table`) were fitted on the committed run records by
`scripts/fit_compare_costs.py`; with early stopping, a method is counted
for the epochs it typically trained with patience 10 (`STOP_EPOCHS`),
shifted by the patience asked for. `estimate_line` is the line compare logs
before its first run; `list_methods` the table of `aos-keras compare
--list-methods`.
"""

import pandas as pd

from aos_keras.baselines import METHODS, available_methods, method_spec
from aos_keras.baselines.trees import EstimatorMethod, OversampledHGBMethod
from aos_keras.evaluation.cost_table import COSTS, FALLBACK, STOP_EPOCHS
from aos_keras.evaluation.protocol import DEFAULT_FIELD
from aos_keras.stopping import PATIENCE

# The module of a method's class -> its family.
FAMILIES = {
    "base": "neural (Q)",
    "losses": "neural (Q)",
    "cot": "neural (Q)",
    "resampling": "resampling + Q",
    "oversampler": "game (AO/DO)",
    "gamo": "GAN (GAMO)",
    "trees": "scikit-learn",
    "ensembles": "undersampling ensemble",
    "blends": "blend",
    "peers": "generative peer",
}
# Families whose methods train for compare's epochs.
EPOCH_FAMILIES = {
    "neural (Q)", "resampling + Q", "game (AO/DO)", "GAN (GAMO)", "blend"
}  # fmt: skip


def _base(spec):
    return getattr(spec.factory, "func", spec.factory)


def method_family(spec):
    """The family of a `MethodSpec` (or a registered name): one of
    `FAMILIES`' values, `"oversampling + HGB"` (a two-stage method), or
    `"estimator"` (one passed to `compare(estimators=...)`).

    Example:
    >>> method_family("LA-CE"), method_family("SMOTE+HGB")
    ('neural (Q)', 'oversampling + HGB')
    """
    spec = method_spec(spec)
    base = _base(spec)
    if issubclass(base, EstimatorMethod):
        return "estimator"
    module = base.__module__.rsplit(".", 1)[-1]
    if module != "peers" and issubclass(base, OversampledHGBMethod):
        return "oversampling + HGB"
    return FAMILIES.get(module, "other")


def trains_epochs(spec):
    """Whether a method trains for compare's epochs (a two-stage method:
    whether its sampler does; a peer + Q: Q does).

    Example:
    >>> trains_epochs("LR"), trains_epochs("DO-T0.1+HGB")
    (False, True)
    """
    spec = method_spec(spec)
    base = _base(spec)
    keywords = getattr(spec.factory, "keywords", {})
    if "sampler" in keywords:
        return trains_epochs(keywords["sampler"])
    if method_family(spec) == "generative peer":
        return not issubclass(base, OversampledHGBMethod)
    return method_family(spec) in EPOCH_FAMILIES


def description(spec):
    """One line: what the method is (a preset's note, else the first line
    of its class's docstring, without the name in front)."""
    spec = method_spec(spec)
    keywords = getattr(spec.factory, "keywords", {})
    if "sampler" in keywords:
        return f"{keywords['sampler'].name}'s rows, to full balance, then HGB"
    if "neural" in keywords:
        return (
            f"the mean of {keywords['neural'].name}'s and HGB's class "
            "probabilities"
        )
    if "estimator" in keywords:
        return repr(keywords["estimator"]).splitlines()[0]
    preset = keywords.get("preset")
    if preset is not None and preset.doc:
        return preset.doc
    lines = (_base(spec).__doc__ or "").strip().splitlines()
    if not lines:  # a method registered without a docstring
        return ""
    return lines[0].removeprefix(f"{spec.name}: ").strip()


def stop_epochs(method, epochs, patience):
    """The epochs a method is counted for: `epochs`, or with `patience`
    its typical stop (`STOP_EPOCHS`, patience 10) shifted by
    `patience - 10`, at most `epochs`."""
    if patience is None:
        return epochs
    typical = STOP_EPOCHS.get(method, STOP_EPOCHS[None]) - 10 + patience
    return max(1.0, min(float(epochs), typical))


def run_seconds(method, rows, epochs, patience=PATIENCE):
    """Typical seconds of one run of `method` (the cost model).

    Args:
        method: str or `MethodSpec`. A method not in the fitted records
            (a study's, a user's estimator) gets the median coefficients
            of the methods alike (`FALLBACK`).
        rows: int. Fitting rows of the split.
        epochs: int. The protocol's epochs (a ceiling with `patience`).
        patience: int or None. The protocol's patience.

    Returns:
        float, seconds on one core of the machine that ran the records.

    Example:
    >>> round(run_seconds("LR", 1000, 100), 2) == round(sum(COSTS["LR"]), 2)
    True
    """
    spec = method_spec(method)
    by_epochs = trains_epochs(spec)
    a, b = COSTS.get(spec.name, FALLBACK[by_epochs])
    work = rows / 1000
    if by_epochs:
        work *= stop_epochs(spec.name, epochs, patience)
    return a + b * work


def estimate_seconds(runs, workers):
    """Wall seconds of `runs` (`RunSpec`s) over `workers` workers: their
    summed `run_seconds` divided over the workers, at least the longest
    run."""
    costs = [
        run_seconds(r.method, len(r.split["fit"]), r.protocol.epochs,
                    r.protocol.patience)
        for r in runs
    ]  # fmt: skip
    if not costs:
        return 0.0
    workers = max(1, min(int(workers), len(costs)))
    return max(sum(costs) / workers, max(costs))


def estimate_line(runs, workers):
    """The line compare logs before its first run.

    Args:
        runs: list of `RunSpec`, the runs to do (cached ones excluded).
        workers: int. Workers that run them.

    Returns:
        str, e.g. `"Estimate: 7 runs to do, about 42 s on 2 workers (...)"`.
    """
    workers = max(1, min(int(workers), len(runs)))
    seconds = estimate_seconds(runs, workers)
    when = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
    plural = "worker" if workers == 1 else "workers"
    return (
        f"Estimate: {len(runs)} runs to do, about {when} on {workers} "
        f"{plural} (each method's typical seconds at these rows and "
        "epochs, aos_keras.evaluation.costs; worker start-up not counted)."
    )


def list_methods(rows=1000, epochs=100, patience=PATIENCE, methods=None):
    """The methods compare can run: name, family, typical cost, note.

    Args:
        rows: int. Fitting rows at which `seconds` is given. Defaults to
            `1000`.
        epochs: int. Epochs (a ceiling with `patience`). Defaults to `100`.
        patience: int or None. Defaults to `30` (compare's,
            `aos_keras.stopping.PATIENCE`).
        methods: list of str or None. Defaults to every registered method
            (`aos_keras.baselines.available_methods()`).

    Returns:
        DataFrame indexed by `method`: `family`, `seconds` (typical
        seconds of one run, `run_seconds`), `default` (in compare's
        default field), `public` (in `METHODS`), `description`.

    Example:
    >>> table = aos_keras.evaluation.list_methods()
    >>> table.loc["LA-CE", "family"]
    'neural (Q)'
    """
    names = list(methods or available_methods())
    default = set(DEFAULT_FIELD)
    rows_out = [
        {
            "method": name,
            "family": method_family(name),
            "seconds": round(run_seconds(name, rows, epochs, patience), 2),
            "default": name in default,
            "public": name in METHODS,
            "description": description(name),
        }
        for name in names
    ]
    return pd.DataFrame(rows_out).set_index("method")
