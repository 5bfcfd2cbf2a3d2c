"""Checks of class labels, shared by every entry point.

`check_target` is the one check of training labels (the model's
`from_data`, both wrappers, the command line and `compare` call it):
labels checked (`check_labels`), surrounding spaces stripped with a
warning (`strip_labels`), a regression-like target refused
(`regression_reason`) and a single class refused with one wording
(`one_class_message`). Its result is a `CheckedLabels` array, which the
checks return as it is (its length aside): an entry point checks its labels
once and passes them on, and the layers below it neither check again nor
warn twice. `check_classes` and `encode_labels` map labels to class
indices. The checks of features and arguments are in
`aos_keras.tables.checks`.
"""

import numbers
import warnings

import numpy as np
import pandas as pd


class CheckedLabels(np.ndarray):
    """A 1-D array of labels that passed `check_target`.

    A plain `numpy.ndarray` in every other respect; indexing it (a split's
    rows) keeps the mark. `check_labels`, `strip_labels` and
    `check_target` return it as it is, so the labels an entry point
    checked are not checked again (nor warned about again) below it.
    """


def _checked(y, num_rows, name):
    """`y` as it is when `check_target` passed it (its length checked)."""
    if num_rows is not None and y.shape[0] != num_rows:
        raise ValueError(
            f"X has {num_rows} rows but {name} has {y.shape[0]} labels; "
            "they must match (one label per row)."
        )
    return y


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
    if isinstance(y, CheckedLabels):
        return _checked(y, num_rows, name)
    y = _label_array(y, name)
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


def _label_array(y, name):
    """Labels as a numpy array (a one-column DataFrame, a nullable Series)."""
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
            return y.to_numpy(dtype=dtype)  # nullable Int64/boolean/Float64
        return y.to_numpy()
    return np.asarray(y)


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
    if isinstance(y, CheckedLabels):
        return y
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
    warnings.warn(
        f"{name} has labels that differ only by surrounding spaces; they "
        f"are stripped (merged): {_merges(values, padded)}. Strip them in "
        "the data to silence this warning.",
        UserWarning,
        stacklevel=3,
    )
    out = np.array([padded.get(v, v) for v in y.tolist()], dtype=object)
    return out.astype(y.dtype) if y.dtype.kind in "US" else out


def _merges(values, padded):
    """`' a', 'a ', 'a' -> 'a'; ...`: the labels each stripped label joins."""
    merged = {}
    for v in values:
        merged.setdefault(padded.get(v, v), []).append(v)
    groups = [
        f"{', '.join(sorted(map(repr, vs)))} -> {k!r}"
        for k, vs in merged.items()
        if any(v in padded for v in vs)
    ]
    return "; ".join(groups[:10])


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
        1-D `CheckedLabels` array of labels (given one, it is returned as
        it is: labels are checked once).

    Raises:
        ValueError: see `check_labels`; a regression-like target; a
            single class.
        TypeError: labels of types that cannot be compared (1 and "1").

    Example:
    >>> y = check_target(["a", "b ", "b"])  # warns: 'b ' stripped
    >>> y.tolist(), check_target(y) is y  # checked once
    (['a', 'b', 'b'], True)
    """
    if isinstance(y, CheckedLabels):
        return _checked(y, num_rows, name)
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
        raise ValueError(one_class_message(label_key(values[0]), name))
    check_comparable(values, name)
    return y.view(CheckedLabels)


def check_comparable(y, name="y"):
    """Refuse labels of types that cannot be sorted together (1 and "1").

    Raises:
        TypeError: naming the types and what to do.
    """
    try:
        np.unique(y)
    except TypeError as err:
        raise TypeError(
            f"{name} mixes labels of types that cannot be compared ({err}). "
            "Use labels of one type, for example all str or all int."
        ) from err


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
    check_comparable(y)
    classes, codes, counts = np.unique(
        y, return_inverse=True, return_counts=True
    )
    if len(classes) < 2:
        raise ValueError(one_class_message(label_key(classes[0])))
    small = [
        (label_key(c), int(n)) for c, n in zip(classes, counts) if n < min_rows
    ]
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
    lookup = {label_key(c): i for i, c in enumerate(classes)}
    try:  # map each distinct label once: fast for a million rows
        values, inverse = np.unique(y, return_inverse=True)
    except TypeError:  # labels of mixed types: map them one by one
        values, inverse = y, np.arange(len(y))
    mapped = np.array(
        [lookup.get(label_key(v), -1) for v in values], dtype=np.int64
    )
    unseen = {v for v, code in zip(values, mapped) if code < 0}
    if unseen:
        known = [label_key(c) for c in list(classes)[:20]]
        raise ValueError(
            f"{name} has labels {sorted(map(str, unseen))[:10]} that were not "
            f"seen in training (known classes: {known}). Drop "
            "those rows, or rebuild the model from training data that has "
            "every class."
        )
    return mapped[inverse.reshape(-1)]


def as_written(text, parsed):
    """Labels read from a text file: numbers only when written as numbers.

    A label column is text in a file; a reader that parses it as numbers
    merges `01` with `1` (and `1` with `1.0`) and shows `007` as `7`. The
    parsed values are kept when every label is written exactly as Python
    writes the value it was parsed to (`1`, `-2`, `10` in a column of
    integers; `1.0`, `2.5` in a column of floats; `True`; spaces around it
    aside), otherwise the text (`01`, `007`, `1.50`, `+1`, `1e3`, `-0`,
    `true`, and `1` beside `1.0`), so ordinary integer labels keep their
    class order and cache keys.

    Args:
        text: 1-D object array of str, the labels as written (no missing).
        parsed: 1-D array, the same labels as the reader parsed them.

    Returns:
        `parsed`, or `text` when some label is not its value's own spelling.

    Example:
    >>> as_written(np.array(["01", "1"], dtype=object), np.array([1, 1]))
    array(['01', '1'], dtype=object)
    >>> as_written(np.array(["1", "1.0"], dtype=object), np.array([1.0, 1.0]))
    array(['1', '1.0'], dtype=object)
    """
    pairs = pd.unique(pd.Series(list(zip(text, np.asarray(parsed).tolist()))))
    if all(_spelling(value) == t.strip() for t, value in pairs):
        return parsed
    return text


def _spelling(value):
    """How Python writes a parsed label (`repr` of a float: `1.0`)."""
    return repr(value) if isinstance(value, float) else str(value)


def check_class_indices(y, classes, name="the dataset"):
    """Refuse labels of a batch that are not class indices `0..C-1`.

    Datasets and generators bypass the model's label mapping: their batches
    must carry class indices (whole numbers `0..C-1`, one per row, int or
    float), which a model cannot tell from raw labels `1, 2` by their type.

    Args:
        y: numpy array, the labels of one batch.
        classes: sequence, the model's classes (`model.classes_`).
        name: str. Where the labels come from, for the message.

    Raises:
        ValueError: one-hot or multi-column labels; labels that are not
            whole numbers in `0..C-1` (raw labels, strings), with how to
            encode them.

    Example:
    >>> check_class_indices(np.array([1, 2]), ["neg", "pos"])
    Traceback (most recent call last):
    ValueError: the labels of the dataset must be class indices 0..1, ...
    """
    y = np.asarray(y)
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(one_hot_message(y.shape, name))
    if y.dtype.kind in "biuf":
        c = len(classes)
        if np.all((y >= 0) & (y < c) & (np.floor(y) == y)):
            return
    got = pd.unique(y.reshape(-1))[:5].tolist()
    raise ValueError(class_index_message(classes, name, got))


def class_index_message(classes, name="the dataset", got=None):
    """What a dataset's labels must be, and how to encode raw labels."""
    shown = [label_key(c) for c in list(classes)[:10]]
    seen = f" (got {got})" if got is not None else ""
    return (
        f"the labels of {name} must be class indices 0..{len(classes) - 1}"
        f", one per row, in the order of model.classes_ {shown}{seen}. "
        "Encode raw labels with `model.encode_labels(y)`, or pass arrays "
        "or DataFrames and raw labels to fit/evaluate, which encode them."
    )


def one_hot_message(shape, name="the dataset"):
    """One class index per row is expected, not one-hot rows."""
    return (
        f"the labels of {name} must be one class index per row, not one-hot "
        f"rows (shape {tuple(shape)}); use y.argmax(axis=-1)."
    )


def class_weight_by_index(class_weight, classes, name="class_weight"):
    """Keras' `class_weight`, keyed by class index, from one keyed by label.

    Keras reads `class_weight` by class index and ignores other keys, so
    `{"neg": 1, "pos": 5}` would train unweighted without a word. Keys that
    are all labels (values of `classes`) are mapped to their indices; keys
    that are all indices `0..C-1`, none of them a label, are kept.

    Args:
        class_weight: dict mapping a class label (or index) to a weight.
        classes: sequence, the model's classes (`model.classes_`).
        name: str. The argument's name in messages.

    Returns:
        dict mapping a class index to its weight (float).

    Raises:
        TypeError: `class_weight` is not a dict.
        ValueError: a key is neither a class nor an index `0..C-1`, or the
            keys mix labels and indices (classes `[1, 2]`, keys `{0, 1}`).

    Example:
    >>> class_weight_by_index({"pos": 5, "neg": 1}, ["neg", "pos"])
    {1: 5.0, 0: 1.0}
    """
    if not isinstance(class_weight, dict):
        raise TypeError(
            f"{name} must be a dict mapping a class label to a weight; got "
            f"{type(class_weight).__name__}."
        )
    lookup = {label_key(c): i for i, c in enumerate(classes)}
    keys = [label_key(k) for k in class_weight]
    labels = [k for k in keys if k in lookup]
    if len(labels) == len(keys):
        codes = [lookup[k] for k in keys]
    elif not labels and all(_is_index(k, len(classes)) for k in keys):
        codes = keys
    else:
        raise ValueError(_class_weight_message(keys, labels, classes, name))
    return {int(c): float(w) for c, w in zip(codes, class_weight.values())}


def _is_index(key, num_classes):
    return (
        isinstance(key, numbers.Integral)
        and not isinstance(key, bool)
        and 0 <= key < num_classes
    )


def _class_weight_message(keys, labels, classes, name):
    """Why `class_weight`'s keys cannot be read, with the classes."""
    shown = [label_key(c) for c in list(classes)[:20]]
    example = ", ".join(f"{c!r}: 1.0" for c in shown[:2])
    unknown = [k for k in keys if k not in labels]
    if all(_is_index(k, len(classes)) for k in unknown):
        return (
            f"{name} keys {keys} mix labels and class indices of the "
            f"model's classes {shown}: key every weight by class label, "
            f"for example {{{example}}}."
        )
    return (
        f"{name} has keys {unknown} that are not classes of the model; its "
        f"classes are {shown}. Key the weights by class label (for example "
        f"{{{example}}}) or by class index 0..{len(classes) - 1}."
    )


def label_key(label):
    """A dict key under which 1, 1.0 and np.int64(1) are the same label."""
    if isinstance(label, (numbers.Number, np.generic)):
        value = label.item() if isinstance(label, np.generic) else label
        return value
    return label


__all__ = [
    "CheckedLabels",
    "REGRESSION_CLASSES",
    "REGRESSION_SHARE",
    "as_written",
    "check_class_indices",
    "check_classes",
    "check_labels",
    "check_target",
    "class_index_message",
    "class_weight_by_index",
    "encode_labels",
    "label_key",
    "one_class_message",
    "one_hot_message",
    "regression_reason",
    "strip_labels",
]
