"""A table's columns: choosing the features, matching them by name, and
saying what a column that cannot be encoded looks like.

`split_table` splits a table into feature columns and labels;
`select_columns` takes a model's columns from a DataFrame by name (a
missing or extra column is an error that names it); `check_categories`
refuses a nominal column with too many values, saying whether it looks
like dates, mixed types, or an ID.
"""

import warnings

import pandas as pd

from aos_keras.tables.labels import regression_reason

# How a duration column becomes numbers (its seconds), in messages.
SECONDS = "column.dt.total_seconds()"


def select_columns(frame, columns, name="X"):
    """The columns of `frame` named `columns`, in that order (by name).

    Names are compared as strings (a column `0` is the column `"0"` of a
    saved model). Extra columns are an error, as in scikit-learn: a model
    is not silently given a table it was not trained on.

    Args:
        frame: DataFrame.
        columns: list of the expected column names, in model order.
        name: str. The argument's name in messages.

    Returns:
        DataFrame with the columns `columns` (in that order).

    Raises:
        ValueError: a column missing from `frame`, or one it has that the
            model was not trained on; the message names them.
    """
    by_name = {str(c): c for c in frame.columns}
    wanted = [str(c) for c in columns]
    missing = [c for c in wanted if c not in by_name]
    if missing:
        raise ValueError(
            f"{name} lacks the columns {missing[:20]} the model was trained "
            f"on (expected {wanted[:20]}{' ...' if len(wanted) > 20 else ''}"
            ")."
        )
    extra = [c for c in by_name if c not in set(wanted)]
    if extra:
        raise ValueError(
            f"{name} has columns {extra[:20]} the model was not trained on; "
            "drop them (is one the label column?)."
        )
    out = frame[[by_name[c] for c in wanted]]
    return (
        out
        if list(out.columns) == list(columns)
        else out.set_axis(list(columns), axis=1)
    )


def check_categories(values, column, max_categories):
    """Refuse a nominal column with too many categories, saying why.

    Dates, durations, columns mixing numbers and text, and ID or
    free-text columns each get their own message and what to do.

    Raises:
        ValueError: more than `max_categories` distinct values.
    """
    n = values.nunique(dropna=True)
    if n <= max_categories:
        return
    kind = text_kind(values)
    advice = {
        "date": "it looks like a date column: convert it to numbers (for "
        "example days since a reference date, or year and month columns) "
        "or drop it",
        "duration": "it looks like a duration (timedelta) column: convert "
        f"it to numbers (for example its seconds: {SECONDS} in pandas, "
        "pandas.to_timedelta(column).dt.total_seconds() for text) or drop "
        "it",
        "mixed types": "it has mixed types, numbers and text in one column "
        "(for example 'n/a' or '?' among numbers): clean those cells (leave "
        "them empty to impute them) or drop the column",
        "text": "an ID or free-text column? Drop it",
    }[kind]
    raise ValueError(
        f"Nominal column {column!r} has {n} distinct values (more than "
        f"`max_categories`={max_categories}): {advice}, or raise "
        "`max_categories`."
    )


def text_kind(values):
    """`"date"`, `"duration"`, `"mixed types"` or `"text"`: what a nominal
    column holds."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_timedelta64_dtype(values):
        return "duration"
    sample = values.dropna().astype(str).head(500)
    if len(sample) and pd.to_numeric(sample, errors="coerce").notna().any():
        return "mixed types"
    if _share(sample, pd.to_timedelta) > 0.8:  # before dates: "01:30:00"
        return "duration"
    return (
        "date"
        if _share(sample, pd.to_datetime, format="mixed") > 0.8
        else "text"
    )


def _share(sample, parse, **options):
    """The share of `sample`'s cells that `parse` reads (0 when none)."""
    if not len(sample):
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = parse(sample, errors="coerce", **options)
        except (TypeError, ValueError, OverflowError):
            return 0.0
    return float(parsed.notna().mean())


def split_table(frame, label, *, features=None, drop=None):
    """The feature columns and the labels of a table, checked.

    Every column but the label is a feature, unless `features` names the
    feature columns or `drop` names columns that are not features (IDs,
    leaks, dates). The table's columns are refused when two share a name
    (a copy of the label would be a feature).

    Two `UserWarning`s point at likely mistakes, on tables of 20 rows or
    more: a feature column of integers, strings or categories with a
    different value in every row (an ID?), and a label with more distinct
    values than `max(50, rows // 5)` (a regression target?). Neither
    stops the split.

    Args:
        frame: DataFrame. The table, label column included.
        label: the name of the label column.
        features: list of column names, one name, or None. The feature
            columns, in this order. Defaults to every column but the label
            and `drop`.
        drop: list of column names, one name, or None. Columns that are
            not features.

    Returns:
        `(X, y)`: `X` a DataFrame of the feature columns (a copy), `y` a 1-D
        numpy array of the labels, rows in the table's order.

    Raises:
        TypeError: `frame` is not a DataFrame.
        ValueError: duplicate column names; `label`, or a column named in
            `features` or `drop`, not in the table; `features` and `drop`
            both given; a name given twice; `features` naming the label; no
            feature column left.

    Example:
    >>> frame = pd.DataFrame({"id": [1, 2], "age": [30, 41], "y": ["a", "b"]})
    >>> X, y = split_table(frame, "y", drop=["id"])
    >>> list(X.columns), y.tolist()
    (['age'], ['a', 'b'])
    """
    _check_table(frame, label)
    if features is not None and drop is not None:
        raise ValueError("give `features` or `drop`, not both")
    features = _names(features, "features")
    drop = _names(drop, "drop")
    absent = [c for c in [*features, *drop] if c not in frame.columns]
    if absent:
        raise ValueError(
            f"columns {absent} not in the table; columns are "
            f"{[str(c) for c in frame.columns][:30]}"
        )
    if label in features:
        raise ValueError(f"`features` names the label column {label!r}")
    chosen = features or [
        c for c in frame.columns if c != label and c not in drop
    ]
    if not chosen:
        raise ValueError("no feature column left (see `features` / `drop`)")
    x, y = frame[chosen].copy(), frame[label]
    _warn_about_columns(x, y, label)
    return x, y.to_numpy()


def _check_table(frame, label):
    """A DataFrame without duplicate names, holding the label column."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"frame must be a pandas DataFrame; got {type(frame).__name__}."
        )
    twice = list(dict.fromkeys(frame.columns[frame.columns.duplicated()]))
    if twice:
        raise ValueError(
            f"duplicate column names {twice}; rename them (a copy of the "
            "label would be used as a feature)"
        )
    if label not in frame.columns:
        raise ValueError(
            f"label column {label!r} not in the table; columns are "
            f"{[str(c) for c in frame.columns][:30]}; name the label column "
            "with `label`"
        )


def _names(names, argument):
    """`names` (None, one name or a list) as a list without repeats."""
    if names is None:
        return []
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        names = [names]
    names = list(names)
    twice = list(dict.fromkeys(c for c in names if names.count(c) > 1))
    if twice:
        raise ValueError(f"`{argument}` names {twice} more than once")
    return names


def _column_note(values, column, rows):
    """A date column read as text, or an ID column: what to do; else None."""
    text = values.dtype.kind in "OSU" or str(values.dtype) in (
        "string",
        "str",
        "category",
    )
    kind = text_kind(values) if text or values.dtype.kind == "m" else None
    if kind == "mixed types":
        return _mixed_note(values, column)
    if kind == "date":
        return (
            f"column {column!r} looks like dates; it is used as a nominal "
            "feature (one category per date, their order lost): convert it "
            "to numbers (for example days since a reference date, or year "
            "and month columns) or name it in `drop`"
        )
    if kind == "duration":
        return (
            f"column {column!r} looks like durations; it is used as a "
            "nominal feature (one category per duration, their order lost): "
            f"convert it to numbers (for example its seconds: {SECONDS} in "
            "pandas) or name it in `drop`"
        )
    if (text or values.dtype.kind in "iu") and values.nunique() == rows:
        return (
            f"column {column!r} has a different value in every row (an "
            "ID?); it is used as a feature unless `drop` names it"
        )
    return None


def _mixed_note(values, column):
    """What to do with a text column holding numbers (`'?'` among them)."""
    sample = values.dropna().astype(str)
    words = sample[pd.to_numeric(sample, errors="coerce").isna()].unique()
    if not len(words):
        return (
            f"column {column!r} holds numbers read as text (another decimal "
            "mark than the table's `decimal`?); it is used as a nominal "
            "feature (each number a category): read it as numbers "
            "(pandas.to_numeric) or name it in `drop`"
        )
    return (
        f"column {column!r} mixes numbers and text (such as "
        f"{[str(w) for w in words[:3]]}); it is used as a nominal feature "
        "(each number a category): clean those cells (leave them empty to "
        "impute them) or name it in `drop`"
    )


def _warn_about_columns(x, y, label):
    """The ID-column and regression-target warnings of `split_table`."""
    rows = len(x)
    if rows < 20:
        return
    for column in x.columns:
        note = _column_note(x[column], column, rows)
        if note:
            warnings.warn(note, UserWarning, stacklevel=3)
    reason = regression_reason(y.dropna().to_numpy())
    if reason is not None:
        warnings.warn(
            f"the label {label!r} looks like a regression target ({reason}); "
            "AO/DO classify: bin it into classes or use a regression model.",
            UserWarning,
            stacklevel=3,
        )


__all__ = ["check_categories", "select_columns", "split_table", "text_kind"]
