"""Class distributions for generated rows and the fractional rate f_s.

`p_real(c) = n_c / N`, `p_bal(c) = 1 / C`, `p_inv(c)` proportional to
`1 / n_c`, and `p_frac(c)` proportional to the deficit of class c below its
target `max(n_c, ceil(f_s * n_max))` (imbalanced-learn's `sampling_strategy`).
"""

import math
from numbers import Real

import numpy as np

DISTRIBUTIONS = ("real", "balanced", "inverse", "fraction")
# imbalanced-learn's named over-sampling strategies.
STRATEGY_NAMES = ("auto", "not majority", "all", "minority", "not minority")


def class_targets(counts, sampling_strategy="auto"):
    """Target size of each class after oversampling.

    Args:
        counts: sequence of int, `n_c` for classes `0..C-1`.
        sampling_strategy: imbalanced-learn's meaning: `"auto"` (=
            `"not majority"`, = `"all"`: every class up to `n_max`),
            `"minority"` (the smallest class only), `"not minority"` (every
            class but the smallest), a float f_s in `(0, 1]` (`target_c =
            max(n_c, ceil(f_s * n_max))`: 0.5 grows every class up to half
            the largest class; for two classes imbalanced-learn's
            minority/majority ratio), or a dict mapping class index to its
            target size (not below `n_c`).

    Returns:
        int array `(C,)`.

    Raises:
        ValueError: a `sampling_strategy` that `check_strategy` refuses, or
            a dict naming a class that is not there or asking for fewer
            rows than a class has.

    Example:
    >>> class_targets([10, 2], 0.5).tolist()  # up to half the largest class
    [10, 5]
    >>> class_targets([10, 2], "auto").tolist()
    [10, 10]
    """
    counts = np.asarray(counts, dtype=np.int64)
    strategy = check_strategy(sampling_strategy)
    if isinstance(strategy, str):
        return _named_targets(counts, strategy)
    if isinstance(strategy, dict):
        return _dict_targets(counts, strategy)
    floor = math.ceil(strategy * int(counts.max()) - 1e-9)
    return np.maximum(counts, floor)


def check_strategy(sampling_strategy):
    """A `sampling_strategy` checked: one of `STRATEGY_NAMES`, a float in
    `(0, 1]` or a dict (its classes and targets are checked against the
    class counts by `class_targets`).

    Args:
        sampling_strategy: the value to check.

    Returns:
        The name, the float or a copy of the dict.

    Raises:
        ValueError: any other value (one message, whatever the type).

    Example:
    >>> check_strategy(1)
    1.0
    >>> check_strategy("most")
    Traceback (most recent call last):
    ...
    ValueError: `sampling_strategy` must be one of ['auto', 'not majority', \
'all', 'minority', 'not minority'], a float in (0, 1] or a dict of class \
targets; got 'most'.
    """
    value = sampling_strategy
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str) and value in STRATEGY_NAMES:
        return value
    if isinstance(value, Real) and not isinstance(value, bool):
        if 0.0 < float(value) <= 1.0:
            return float(value)
    raise ValueError(
        f"`sampling_strategy` must be one of {list(STRATEGY_NAMES)}, a "
        f"float in (0, 1] or a dict of class targets; got {value!r}."
    )


def class_distribution(counts, kind, sampling_strategy="auto"):
    """A distribution over classes used to weigh generated rows.

    Args:
        counts: sequence of int, `n_c`.
        kind: one of `"real"`, `"balanced"`, `"inverse"`, `"fraction"`.
        sampling_strategy: used by `"fraction"`, see `class_targets`.

    Returns:
        float32 array `(C,)` summing to 1, or all zeros for `"fraction"`
        when no class has a deficit.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if kind == "real":
        p = counts
    elif kind == "balanced":
        p = np.ones_like(counts)
    elif kind == "inverse":
        p = 1.0 / counts
    elif kind == "fraction":
        p = class_deficits(counts, sampling_strategy).astype(np.float64)
        if p.sum() == 0:
            return np.zeros(len(counts), dtype=np.float32)
    else:
        raise ValueError(
            f"Unknown class distribution {kind!r}; use one of {DISTRIBUTIONS}."
        )
    return (p / p.sum()).astype(np.float32)


def class_deficits(counts, sampling_strategy="auto"):
    """`target_c - n_c` for each class (int array)."""
    counts = np.asarray(counts, dtype=np.int64)
    return class_targets(counts, sampling_strategy) - counts


def synthetic_weight(counts, sampling_strategy="auto"):
    """`alpha = sum_c deficit_c / N`, the weight of Q's generated-row term."""
    counts = np.asarray(counts, dtype=np.int64)
    return float(class_deficits(counts, sampling_strategy).sum() / counts.sum())


def _named_targets(counts, name):
    """Targets of one of imbalanced-learn's named strategies."""
    n_max = int(counts.max())
    targets = np.full_like(counts, n_max)
    smallest = int(np.argmin(counts))
    if name == "minority":
        targets = counts.copy()
        targets[smallest] = n_max
    elif name == "not minority":
        targets[smallest] = counts[smallest]
    return targets


def _dict_targets(counts, strategy):
    """Targets of a dict `class index -> target size` (others unchanged)."""
    targets = counts.copy()
    for c, target in strategy.items():
        c = int(c)
        if not 0 <= c < len(counts):
            raise ValueError(
                f"`sampling_strategy` names class index {c}, but there "
                f"are {len(counts)} classes (0..{len(counts) - 1})."
            )
        if target < counts[c]:
            raise ValueError(
                f"`sampling_strategy` asks for {target} rows of class "
                f"{c}, which has {counts[c]}; oversampling cannot remove "
                "rows."
            )
        targets[c] = int(target)
    return targets
