"""Input checks shared by every public entry point.

Each check raises `ValueError` (bad values) or `TypeError` (bad types) with
a message that says what is wrong and what to do about it. The errors, their
causes and the fixes are listed in `docs/robustness.md`.

Accepted feature types: numpy arrays, nested lists, pandas DataFrames and
Series of bool, int, unsigned int or float dtype, pandas' nullable `Int*`,
`UInt*`, `Float*` and `boolean` dtypes (without missing values). Complex,
datetime, timedelta, string, categorical and object columns are rejected
with the names of the offending columns.
"""

import numbers
import warnings
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
    columns = None
    if isinstance(x, pd.Series):
        x = x.to_frame()
    if isinstance(x, pd.DataFrame):
        columns = [str(c) for c in x.columns]
        bad = [
            f"{c} ({dtype})"
            for c, dtype in x.dtypes.items()
            if getattr(dtype, "kind", "O") not in _NUMERIC_KINDS
        ]
        if bad:
            raise TypeError(
                f"{name} has non-numeric columns {bad[:20]}"
                f"{' ...' if len(bad) > 20 else ''}. Encode them as numbers "
                "first (for example with sklearn.preprocessing.OneHotEncoder "
                "or OrdinalEncoder) or drop them."
            )
        x = x.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        if hasattr(x, "toarray") and hasattr(x, "nnz"):  # scipy.sparse
            raise TypeError(
                f"{name} is a sparse matrix; pass a dense array "
                f"({name}.toarray())."
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


def check_labels(y, num_rows=None, name="y"):
    """Validate labels and return them as a 1-D numpy array.

    Args:
        y: array-like `(n,)` or `(n, 1)` of hashable labels (numpy array,
            list, pandas Series, nullable pandas dtypes without missing
            values).
        num_rows: int or None. The number of rows of the features.
        name: str. The argument's name in messages.

    Returns:
        1-D numpy array.

    Raises:
        ValueError: `y` is not 1-D (for example one-hot rows), is empty,
            has a different length than `num_rows`, or has missing labels.

    Example:
    >>> check_labels(pd.Series([1, 2], dtype="Int64")).tolist()
    [1, 2]
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"{name} must be one column of labels; got a DataFrame with "
                f"{y.shape[1]} columns. Pass a single column (df['label'])."
            )
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        dtype = getattr(y.dtype, "numpy_dtype", None)
        if dtype is not None and not y.isna().any() and dtype.kind in "biuf":
            y = y.to_numpy(dtype=dtype)  # nullable Int64/boolean/Float64
        else:
            y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one label per row); got shape {y.shape}. "
            "Pass class labels, not one-hot rows (use y.argmax(axis=1))."
        )
    if y.size == 0:
        raise ValueError(f"{name} is empty: it has no labels.")
    if num_rows is not None and y.shape[0] != num_rows:
        raise ValueError(
            f"X has {num_rows} rows but {name} has {y.shape[0]} labels; "
            "they must match (one label per row)."
        )
    if pd.isna(y).any():
        raise ValueError(
            f"{name} has {int(pd.isna(y).sum())} missing labels (NaN/None/"
            "NA). Drop those rows or fill in their labels."
        )
    return y


def strip_labels(y, name="y"):
    """Labels with surrounding spaces stripped, with a warning if any had.

    `"benign"`, `" benign"` and `"benign "` are one class: CSV files often
    pad labels with spaces. Non-string labels come back unchanged.

    Args:
        y: 1-D array of labels (from `check_labels`).
        name: str. The argument's name in messages.

    Returns:
        1-D numpy array, `y` itself when no label has surrounding spaces.

    Warns:
        UserWarning: listing each stripped label and what it merged with.

    Example:
    >>> strip_labels(np.array(["a", " a", "b"])).tolist()  # warns
    ['a', 'a', 'b']
    """
    y = np.asarray(y)
    if y.dtype.kind not in "OUS":
        return y
    values = pd.unique(y.reshape(-1))
    values = [str(v) if isinstance(v, np.str_) else v for v in values]
    padded = {
        v: v.strip() for v in values if isinstance(v, str) and v != v.strip()
    }
    if not padded:
        return y
    merged = {}
    for v in values:
        key = padded.get(v, v)
        merged.setdefault(key, []).append(v)
    groups = [
        f"{', '.join(sorted(map(repr, vs)))} -> {k!r}"
        for k, vs in merged.items()
        if any(v in padded for v in vs)
    ]
    warnings.warn(
        f"{name} has labels that differ only by surrounding spaces; they "
        f"are stripped (merged): {'; '.join(groups[:10])}. Strip them in "
        "the data to silence this warning.",
        UserWarning,
        stacklevel=3,
    )
    out = np.array([padded.get(v, v) for v in y.tolist()], dtype=object)
    return out.astype(y.dtype) if y.dtype.kind in "US" else out


# A label is a regression target, not classes, when it has more distinct
# values than this share of its rows and more than `REGRESSION_CLASSES`.
REGRESSION_SHARE = 0.5
REGRESSION_CLASSES = 20


def regression_reason(y):
    """Why labels `y` look like a regression target, or None.

    Float labels with non-integer values, or more than
    `REGRESSION_CLASSES` distinct values making up more than
    `REGRESSION_SHARE` of the rows.
    """
    y = np.asarray(y)
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        example = float(next(v for v in y if v % 1 != 0))
        return f"non-integer numbers such as {example:.6g}"
    distinct = len(pd.unique(y.reshape(-1)))
    if distinct > REGRESSION_CLASSES and distinct > REGRESSION_SHARE * len(y):
        return f"{distinct} distinct values in {len(y)} rows"
    return None


def one_class_message(label, name="y"):
    """The one wording, at every entry point, of a single-class target."""
    return (
        f"{name} has a single class ({label!r}); a classifier needs more "
        "than one class. Check that the labels hold every class (a filter "
        "or split may have dropped the others)."
    )


def check_target(y, num_rows=None, name="y"):
    """The one check of training labels at every entry point.

    `check_labels`, then surrounding spaces stripped with a warning
    (`strip_labels`), then refused when they look like a regression
    target (`regression_reason`) or hold a single class. The model's
    `from_data`, both wrappers, the command line and `compare` call it.

    Args:
        y: array-like `(n,)` of labels.
        num_rows: int or None. The number of rows of the features.
        name: str. The argument's name in messages.

    Returns:
        1-D numpy array of labels.

    Raises:
        ValueError: see `check_labels`; a regression-like target; a
            single class.

    Example:
    >>> check_target(["a", "b ", "b"]).tolist()  # warns: 'b ' stripped
    ['a', 'b', 'b']
    """
    y = strip_labels(check_labels(y, num_rows=num_rows, name=name), name)
    reason = regression_reason(y)
    if reason is not None:
        raise ValueError(
            f"{name} looks like a regression target ({reason}); AO/DO "
            "classify. Bin it into classes (for example pandas.qcut(y, 5)) "
            "or use a regression model."
        )
    values = pd.unique(y.reshape(-1))
    if len(values) < 2:
        raise ValueError(one_class_message(_key(values[0]), name))
    return y


def check_classes(y, min_rows=1):
    """Classes, their counts and the encoded labels of training labels.

    Args:
        y: 1-D array of labels (from `check_labels`).
        min_rows: int. Rows each class needs. AO/DO need 1 (a class's
            generator is a convex combination of its rows); k-NN
            over-samplers such as SMOTE need 2.

    Returns:
        `(classes, counts, codes)`: sorted unique labels, int counts and
        int64 codes `0..C-1`.

    Raises:
        TypeError: labels of types that cannot be compared (str and int).
        ValueError: fewer than two classes, or a class with fewer than
            `min_rows` rows.

    Example:
    >>> classes, counts, codes = check_classes(np.array(["b", "a", "b"]))
    >>> classes.tolist(), counts.tolist(), codes.tolist()
    (['a', 'b'], [1, 2], [1, 0, 1])
    """
    try:
        classes, codes, counts = np.unique(
            y, return_inverse=True, return_counts=True
        )
    except TypeError as err:
        raise TypeError(
            f"y mixes labels of types that cannot be compared ({err}). Use "
            "labels of one type, for example all str or all int."
        ) from err
    if len(classes) < 2:
        raise ValueError(one_class_message(_key(classes[0])))
    small = [(_key(c), int(n)) for c, n in zip(classes, counts) if n < min_rows]
    if small:
        raise ValueError(
            f"Classes {small} have fewer than {min_rows} rows; this method "
            f"needs at least {min_rows} per class. Collect more rows, drop "
            "or merge those classes."
        )
    return classes, counts.astype(np.int64), codes.reshape(-1).astype(np.int64)


def encode_labels(y, classes, name="y"):
    """Map labels to indices into `classes`; unseen labels are an error.

    Args:
        y: array-like of labels.
        classes: sequence of the known labels (`model.classes_`).
        name: str. The argument's name in messages.

    Returns:
        int64 array of indices `0..C-1`.

    Raises:
        ValueError: a label of `y` is not in `classes` (or see
            `check_labels`).

    Example:
    >>> encode_labels(["b", "a"], ["a", "b"]).tolist()
    [1, 0]
    """
    y = check_labels(y, name=name)
    lookup = {_key(c): i for i, c in enumerate(classes)}
    try:  # map each distinct label once: fast for a million rows
        values, inverse = np.unique(y, return_inverse=True)
    except TypeError:  # labels of mixed types: map them one by one
        values, inverse = y, np.arange(len(y))
    mapped = np.array([lookup.get(_key(v), -1) for v in values], dtype=np.int64)
    unseen = {v for v, code in zip(values, mapped) if code < 0}
    if unseen:
        raise ValueError(
            f"{name} has labels {sorted(map(str, unseen))[:10]} that were not "
            f"seen in training (known classes: {list(classes)[:20]}). Drop "
            "those rows, or rebuild the model from training data that has "
            "every class."
        )
    return mapped[inverse.reshape(-1)]


def _key(label):
    """A dict key under which 1, 1.0 and np.int64(1) are the same label."""
    if isinstance(label, (numbers.Number, np.generic)):
        value = label.item() if isinstance(label, np.generic) else label
        return value
    return label


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
