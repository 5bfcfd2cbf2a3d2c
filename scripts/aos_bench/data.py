"""Synthetic imbalanced data for the benchmarks."""

import numpy as np


def synthetic(counts, features, seed=0):
    """Gaussian classes with the given counts; the minority ones shifted.

    Args:
        counts: tuple of int. Rows of each class (class 0 unshifted, the
            others shifted by 0.5 in every feature).
        features: int. Number of features.
        seed: int. Seed of the rows and of their order.

    Returns:
        (x, y): float32 `(N, features)` and int64 `(N,)`, rows shuffled.
    """
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    x = rng.normal(size=(len(y), features)).astype("float32")
    x[y > 0] += 0.5
    order = rng.permutation(len(y))
    return x[order], y[order].astype("int64")


def two_gaussians(rows, features, ratio, seed):
    """Two Gaussian classes, minority:majority = 1:ratio, float32.

    Made without a float64 copy of the rows, for large `rows`.

    Args:
        rows: int. Number of rows.
        features: int. Number of features; the minority is shifted by 0.5
            in the first half of them.
        ratio: int. Majority rows per minority row.
        seed: int.

    Returns:
        (x, y): float32 `(rows, features)` and int64 `(rows,)`.
    """
    rng = np.random.default_rng(seed)
    minority = int(round(rows / (ratio + 1)))
    x = rng.standard_normal((rows, features), dtype=np.float32)
    y = np.zeros(rows, dtype=np.int64)
    y[rng.choice(rows, minority, replace=False)] = 1
    x[y == 1, : features // 2] += 0.5
    return x, y
