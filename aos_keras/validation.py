"""Input checks shared by every public entry point.

Each check raises `ValueError` (bad values) or `TypeError` (bad types) with
a message that says what is wrong and what to do about it.
"""

import numbers

import numpy as np
import pandas as pd


def check_features(x, num_features=None, name="X"):
    """Validate a feature matrix and return it as float32 numpy.

    Accepts numpy arrays, pandas DataFrames (numeric, bool and nullable
    dtypes without missing values) and nested lists.

    Args:
        x: array-like `(n, d)`.
        num_features: int or None. The expected `d` (the one seen at fit).
        name: str. The argument's name in messages.

    Returns:
        float32 array `(n, d)`.
    """
    columns = None
    if isinstance(x, pd.Series):
        x = x.to_frame()
    if isinstance(x, pd.DataFrame):
        columns = [str(c) for c in x.columns]
        bad = [
            str(c)
            for c, dtype in x.dtypes.items()
            if not (
                pd.api.types.is_numeric_dtype(dtype)
                or pd.api.types.is_bool_dtype(dtype)
            )
        ]
        if bad:
            raise TypeError(
                f"{name} has non-numeric columns {bad}. Encode them as "
                "numbers first (for example with "
                "sklearn.preprocessing.OneHotEncoder or OrdinalEncoder)."
            )
        x = x.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        try:
            x = np.asarray(x)
        except Exception as err:  # ragged lists and the like
            raise TypeError(f"{name} is not array-like: {err}") from err
        if x.dtype == object or not (
            np.issubdtype(x.dtype, np.number) or x.dtype == bool
        ):
            raise TypeError(
                f"{name} must be numeric; got dtype {x.dtype}. Encode "
                "categorical columns as numbers first."
            )
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (rows x features); got {x.ndim}-D with "
            f"shape {x.shape}. Reshape a single feature with x.reshape(-1, 1)."
        )
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has no rows.")
    if x.shape[1] == 0:
        raise ValueError(f"{name} has no feature columns.")
    if num_features is not None and x.shape[1] != num_features:
        raise ValueError(
            f"{name} has {x.shape[1]} features, but the model was fitted "
            f"with {num_features}."
        )
    x = x.astype(np.float64)
    finite = np.isfinite(x)
    if not finite.all():
        cols = np.flatnonzero(~finite.all(axis=0))
        names = [columns[i] for i in cols] if columns else cols.tolist()
        raise ValueError(
            f"{name} has NaN or infinite values in columns {names[:20]}"
            f"{' ...' if len(names) > 20 else ''}. Impute them first (for "
            "example sklearn.impute.SimpleImputer or KNNImputer)."
        )
    big = np.abs(x).max()
    if big > np.finfo(np.float32).max:
        raise ValueError(
            f"{name} has values up to {big:.3g}, beyond float32's range. "
            "Standardise or rescale the features."
        )
    return x.astype(np.float32)


def check_labels(y, num_rows=None, name="y"):
    """Validate labels and return them as a 1-D numpy array.

    Args:
        y: array-like `(n,)` or `(n, 1)` of hashable labels.
        num_rows: int or None. The number of rows of the features.
        name: str. The argument's name in messages.

    Returns:
        1-D numpy array.
    """
    if isinstance(y, (pd.Series, pd.DataFrame)):
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
            "they must match."
        )
    if pd.isna(y).any():
        raise ValueError(f"{name} has missing labels (NaN/None).")
    return y


def check_classes(y, min_rows=1):
    """Classes, their counts and the encoded labels of training labels.

    Args:
        y: 1-D array of labels (from `check_labels`).
        min_rows: int. Rows each class needs.

    Returns:
        `(classes, counts, codes)`: sorted unique labels, int counts and
        int64 codes `0..C-1`.
    """
    classes, codes, counts = np.unique(
        y, return_inverse=True, return_counts=True
    )
    if len(classes) < 2:
        raise ValueError(
            f"y has a single class ({classes[0]!r}); a classifier needs at "
            "least two."
        )
    small = [(c, int(n)) for c, n in zip(classes, counts) if n < min_rows]
    if small:
        raise ValueError(
            f"Classes {small} have fewer than {min_rows} rows; this method "
            f"needs at least {min_rows} per class. Drop or merge them."
        )
    return classes, counts.astype(np.int64), codes.astype(np.int64)


def encode_labels(y, classes, name="y"):
    """Map labels to indices into `classes`; unseen labels are an error."""
    y = check_labels(y, name=name)
    lookup = {_key(c): i for i, c in enumerate(classes)}
    codes = np.empty(len(y), dtype=np.int64)
    unseen = set()
    for i, label in enumerate(y):
        code = lookup.get(_key(label))
        if code is None:
            unseen.add(label)
            code = -1
        codes[i] = code
    if unseen:
        raise ValueError(
            f"{name} has labels {sorted(map(str, unseen))[:10]} that were not "
            f"seen in training (known classes: {list(classes)[:20]})."
        )
    return codes


def _key(label):
    """A dict key under which 1, 1.0 and np.int64(1) are the same label."""
    if isinstance(label, (numbers.Number, np.generic)):
        value = label.item() if isinstance(label, np.generic) else label
        return value
    return label


def check_seed(seed):
    if seed is None or isinstance(seed, (int, np.integer)):
        return None if seed is None else int(seed)
    raise TypeError(f"`seed` must be an int or None; got {seed!r}.")
