"""Checks of features and arguments, shared by every public entry point.

The checks of class labels are in `aos_keras.tables.labels`. Each check
raises `ValueError` (bad values) or `TypeError` (bad types) with
a message that says what is wrong and what to do about it. The errors, their
causes and the fixes are listed in `docs/robustness.md`.

Accepted feature types: numpy arrays, nested lists, pandas DataFrames and
Series of bool, int, unsigned int or float dtype, pandas' nullable `Int*`,
`UInt*`, `Float*` and `boolean` dtypes (without missing values). Complex,
datetime, timedelta, string, categorical and object columns are rejected
with the names of the offending columns.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

# Largest feature magnitude accepted. Training squares gradients that scale
# with the features (Adam's second moment), and float32 overflows past
# ~3.4e38, i.e. for gradients past ~1.8e19: in a quick check features of
# 1e18 still trained finite while 1e20 turned every loss into NaN at the
# first step. 1e12 leaves a wide margin; standardised data is near 1.
MAX_ABS_FEATURE = 1e12

# dtype kinds accepted as features: bool, signed and unsigned int, float.
_NUMERIC_KINDS = "biuf"


def check_features(x, num_features=None, name="X", max_abs=MAX_ABS_FEATURE):
    """Validate a feature matrix and return it as float32 numpy.

    Args:
        x: array-like `(n, d)`: numpy array, nested list, pandas DataFrame
            or Series (numeric, bool and nullable dtypes without missing
            values).
        num_features: int or None. The expected `d` (the one seen at fit).
        name: str. The argument's name in messages.
        max_abs: float. Largest accepted magnitude. Defaults to
            `MAX_ABS_FEATURE` (1e12).

    Returns:
        float32 array `(n, d)`.

    Raises:
        TypeError: `x` is not array-like, is sparse, or has non-numeric
            columns (named in the message).
        ValueError: `x` is not 2-D, is empty, has a different number of
            features than `num_features`, has NaN/NA or infinite values
            (columns named) or values beyond `max_abs`.

    Example:
    >>> check_features(pd.DataFrame({"a": [1, 2], "b": [True, False]}))
    array([[1., 1.],
           [2., 0.]], dtype=float32)
    """
    if isinstance(x, pd.Series):
        x = x.to_frame()
    if isinstance(x, pd.DataFrame):
        columns = [str(c) for c in x.columns]
        x = _frame_values(x, name)
    else:
        columns = None
        x = _array_values(x, name)
    _check_shape(x, num_features, name)
    # Checked in the input's own dtype: no float64 copy of a large array.
    if x.dtype.kind == "f":
        finite = np.isfinite(x)
        if not finite.all():
            raise ValueError(_non_finite_message(x, finite, columns, name))
        del finite
    big = max(abs(float(x.max())), abs(float(x.min())))
    if big > max_abs:
        raise ValueError(_too_large_message(x, max_abs, columns, name))
    return x.astype(np.float32, copy=False)


# Largest raw magnitude a column may hold when it is standardised: its
# variance (a mean of squares, in float64) must stay finite.
MAX_ABS_RAW = 1e100


def check_column(values, column, *, limit=MAX_ABS_RAW, allow_missing=True):
    """Refuse infinite, too large (or missing) values of one raw column.

    Args:
        values: 1-D float array, the column's values.
        column: the column's name (for the message).
        limit: float. Largest accepted magnitude.
        allow_missing: bool. Whether NaN cells are accepted (imputed).

    Raises:
        ValueError: naming the column, the data rows (first row = 1) and
            what to do.
    """
    values = np.asarray(values, dtype=np.float64)
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(
            f"column {column!r} has infinite values (data rows "
            f"{data_rows(inf)}); replace them with a number or leave the "
            "cells empty (imputed)."
        )
    if not allow_missing and np.isnan(values).any():
        raise ValueError(
            f"column {column!r} has missing values (data rows "
            f"{data_rows(np.isnan(values))}) and had none in training; "
            "fill them in, or train on a table with missing cells in it."
        )
    big = np.abs(np.nan_to_num(values)) > limit
    if big.any():
        raise ValueError(
            f"column {column!r} has values too large (up to "
            f"{np.nanmax(np.abs(values)):.3g}, beyond {limit:.0e}; data rows "
            f"{data_rows(big)}); rescale the column (for example another "
            "unit or a logarithm) or drop it."
        )


def _frame_values(frame, name):
    """A numeric DataFrame's values, float64 (NA as NaN)."""
    bad = [
        f"{c} ({dtype})"
        for c, dtype in frame.dtypes.items()
        if getattr(dtype, "kind", "O") not in _NUMERIC_KINDS
    ]
    if bad:
        raise TypeError(
            f"{name} has non-numeric columns {bad[:20]}"
            f"{' ...' if len(bad) > 20 else ''}. Encode them as numbers "
            "first (for example with sklearn.preprocessing.OneHotEncoder "
            "or OrdinalEncoder) or drop them."
        )
    return frame.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)


def _array_values(x, name):
    """An array-like's values as a numeric numpy array (no copy)."""
    if hasattr(x, "toarray") and hasattr(x, "nnz"):  # scipy.sparse
        raise TypeError(
            f"{name} is a sparse matrix; pass a dense array ({name}.toarray())."
        )
    try:
        x = np.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise TypeError(
            f"{name} is not array-like ({err}). Pass a 2-D numpy array, "
            "a list of equal-length rows or a pandas DataFrame."
        ) from err
    if x.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold bool, int or float values; got dtype "
            f"{x.dtype}. Encode categorical or text columns as numbers "
            "first (for example with sklearn.preprocessing.OneHotEncoder)."
        )
    return x


def _check_shape(x, num_features, name):
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (rows x features); got {x.ndim}-D with "
            f"shape {x.shape}. Reshape a single feature with "
            "x.reshape(-1, 1) and a single row with x.reshape(1, -1)."
        )
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has no rows. Pass at least one.")
    if x.shape[1] == 0:
        raise ValueError(
            f"{name} has no feature columns. Pass at least one feature."
        )
    if num_features is not None and x.shape[1] != num_features:
        raise ValueError(
            f"{name} has {x.shape[1]} features, but the model was fitted "
            f"with {num_features}. Pass the same columns, in the same order, "
            "as at fit."
        )


def data_rows(mask, limit=5):
    """The data rows (first row = 1, as a user counts them) where `mask`."""
    rows = (np.flatnonzero(mask) + 1).tolist()
    more = " ..." if len(rows) > limit else ""
    return ", ".join(map(str, rows[:limit])) + more


def _column_names(columns, cols):
    """Column names of a DataFrame, or indices of an array's columns."""
    if columns:
        return [columns[i] for i in cols]
    return [int(i) for i in cols]


def _column_label(columns, j):
    """`'income'` or `column 3`, for a message."""
    return repr(columns[j]) if columns else f"column {j}"


def _non_finite_message(x, finite, columns, name):
    """Which columns and data rows hold NaN or infinite values, and why."""
    cols = np.flatnonzero(~finite.all(axis=0))
    names = _column_names(columns, cols)
    kinds = []
    for kind, mask in (("infinite", np.isinf(x)), ("missing", np.isnan(x))):
        hit = mask.any(axis=0)
        for j in np.flatnonzero(hit)[:5]:
            kinds.append(
                f"{kind} values in {_column_label(columns, j)} (data rows "
                f"{data_rows(mask[:, j])})"
            )
    return (
        f"{name} has {int((~finite).sum())} missing (NaN/NA) or infinite "
        f"values in columns {names[:20]}{' ...' if len(names) > 20 else ''}"
        f": {'; '.join(kinds)}. Impute them first (for example "
        "sklearn.impute.SimpleImputer or KNNImputer) and replace "
        "infinities, or drop those rows."
    )


def _too_large_message(x, max_abs, columns, name):
    """Which columns and data rows hold values too large to train on."""
    mask = np.abs(x) > max_abs
    cols = np.flatnonzero(mask.any(axis=0))
    names = _column_names(columns, cols)
    big = max(abs(float(x.max())), abs(float(x.min())))
    first = _column_label(columns, cols[0])
    return (
        f"{name} has values too large (up to {big:.3g}) in columns "
        f"{names[:20]} (in {first}: data rows "
        f"{data_rows(mask[:, cols[0]])}); values beyond {max_abs:.0e} make "
        "training overflow float32 (NaN losses). Standardise the features "
        "(for example sklearn.preprocessing.StandardScaler) or rescale them."
    )


def check_seed(seed):
    """Return `seed` as an int or None.

    Args:
        seed: int, numpy integer or None.

    Returns:
        int or None.

    Raises:
        TypeError: any other type (bool and float included).
    """
    if seed is None:
        return None
    if isinstance(seed, (int, np.integer)) and not isinstance(
        seed, (bool, np.bool_)
    ):
        return int(seed)
    raise TypeError(f"`seed` must be an int or None; got {seed!r}.")


def check_positive_int(value, name, allow_none=False):
    """Return `value` as a positive int (or None when allowed).

    Args:
        value: the argument.
        name: str. The argument's name in messages.
        allow_none: bool. Whether None is accepted.

    Returns:
        int, or None.

    Raises:
        TypeError: not an int (bool and float included).
        ValueError: an int below 1.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, np.integer)
    ):
        kind = "a positive int or None" if allow_none else "a positive int"
        raise TypeError(f"`{name}` must be {kind}; got {value!r}.")
    if value < 1:
        raise ValueError(f"`{name}` must be at least 1; got {value}.")
    return int(value)


def check_counts(counts, name="counts"):
    """Validate a `{label: number of rows}` mapping (for `sample`).

    Args:
        counts: mapping from a class label to a non-negative int.
        name: str. The argument's name in messages.

    Returns:
        dict with the same keys and int values.

    Raises:
        TypeError: `counts` is not a mapping, or a count is not an int.
        ValueError: a count is negative.

    Example:
    >>> check_counts({"rare": 10, "common": np.int64(0)})
    {'rare': 10, 'common': 0}
    """
    if not isinstance(counts, Mapping):
        raise TypeError(
            f"`{name}` must be a dict mapping a class label to a number of "
            f"rows, for example {{label: 100}}; got {type(counts).__name__}."
        )
    out = {}
    for label, n in counts.items():
        if isinstance(n, (bool, np.bool_)) or not isinstance(
            n, (int, np.integer)
        ):
            raise TypeError(
                f"`{name}[{label!r}]` must be an int number of rows; got {n!r}."
            )
        if n < 0:
            raise ValueError(
                f"`{name}[{label!r}]` must be >= 0; got {n}. Ask for 0 or "
                "more rows."
            )
        out[label] = int(n)
    return out
