"""The small datasets bundled with the package, in their original form.

`load_dataset` reads one of `DATASETS` (Haberman, Pima, Yeast) from the
package data: raw features with their missing values, original labels,
feature names and provenance. Nothing is downloaded. Where each dataset
comes from, what to cite and its licence are in the package data file
`aos_keras/data/datasets.json` (and `aos_keras/data/README.md`).
"""

import dataclasses
import functools
import json
from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["DATASETS", "Dataset", "load_dataset"]

DATASETS = ("pima", "haberman", "yeast")
"""Names accepted by `load_dataset`: the datasets bundled with the package."""


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset in its original form.

    Attributes:
        name: str. The dataset's name, lower case.
        X: float64 array `(n, d)`. The raw features; `nan` where the
            source has a missing value.
        y: array `(n,)`. The original labels (for example 1/2 for
            Haberman, strings such as `"CYT"` for Yeast).
        feature_names: list of str. One name per column of `X`.
        predefined_split: bool array `(n,)` or None. For a dataset that
            comes with its own train/test split, True marks the test rows.
        source: str. Where the data comes from.
        citation: str. What to cite.
        license: str. The licence or terms of use.
        files: tuple of str. The files that were read.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: list
    predefined_split: np.ndarray | None = None
    source: str = ""
    citation: str = ""
    license: str = ""
    files: tuple = ()

    @property
    def classes(self):
        """The sorted unique labels (as `np.unique`)."""
        return np.unique(self.y)

    @property
    def class_counts(self):
        """`{label: rows}` in the order of `classes`."""
        classes, counts = np.unique(self.y, return_counts=True)
        return {plain(c): int(n) for c, n in zip(classes, counts)}

    def __repr__(self):
        split = "" if self.predefined_split is None else ", predefined_split"
        return (
            f"Dataset(name={self.name!r}, X={self.X.shape}, "
            f"classes={self.class_counts}{split})"
        )


def load_dataset(name):
    """Load one of the bundled datasets in its original form.

    Args:
        name: str. One of `DATASETS` (`"pima"`, `"haberman"`, `"yeast"`),
            in any case.

    Returns:
        A `Dataset`: float64 features with `nan` where values are missing,
        the original labels, feature names and provenance.

    Raises:
        ValueError: for an unknown name.
        TypeError: when `name` is not a str.

    Example:
    >>> ds = load_dataset("haberman")
    >>> ds.X.shape, ds.class_counts
    ((306, 3), {1: 225, 2: 81})
    """
    if not isinstance(name, str):
        raise TypeError(f"Dataset name must be a str; got {name!r}.")
    key = name.strip().lower()
    entries = _entries()
    if key not in entries:
        raise ValueError(
            f"Unknown dataset {name!r}. Valid names: {', '.join(DATASETS)}."
        )
    entry = entries[key]
    path = resources.files("aos_keras.data").joinpath(entry["bundled"][0])
    X, y, names = _READERS[entry["reader"]](key, path, entry)
    return Dataset(
        name=key,
        X=np.ascontiguousarray(X, dtype=np.float64),
        y=y,
        feature_names=list(names),
        source=entry["source"],
        citation=entry["citation"],
        license=entry["license"],
        files=(str(path),),
    )


def read_csv(path, **kwargs):
    """`pd.read_csv` for a filesystem path or a packaged resource."""
    with resources.as_file(path) as real:
        return pd.read_csv(real, **kwargs)


def check_shape(name, X, rows, cols):
    """Raise when a read table has not the expected `(rows, cols)`."""
    if X.shape != (rows, cols):
        raise ValueError(
            f"{name}: expected {rows} rows x {cols} features, read "
            f"{X.shape[0]} x {X.shape[1]}. Is the file complete?"
        )


def plain(label):
    """A numpy scalar label as a plain Python value (for dicts, reprs)."""
    return label.item() if isinstance(label, np.generic) else label


def _read_last_column_label(name, path, entry):
    """Comma-separated features, the label in the last column (no header)."""
    frame = read_csv(path, header=None)
    X = frame.iloc[:, :-1].to_numpy(dtype=np.float64)
    check_shape(name, X, entry["rows"], len(entry["columns"]))
    y = frame.iloc[:, -1].to_numpy(dtype=np.int64)
    return X, y, entry["columns"]


def _read_yeast(name, path, entry):
    """Yeast: a sequence name (dropped), 8 features, the class string."""
    frame = read_csv(path, sep=r"\s+", header=None)
    X = frame.iloc[:, 1:9].to_numpy(dtype=np.float64)
    check_shape(name, X, entry["rows"], len(entry["columns"]))
    y = frame.iloc[:, 9].to_numpy(dtype=str)
    return X, y, entry["columns"]


_READERS = {
    "last_column_label": _read_last_column_label,
    "yeast": _read_yeast,
}


@functools.cache
def _entries():
    """Each bundled dataset's entry of `data/datasets.json`, read once.

    An entry holds the packaged file (`bundled`), the reader (a key of
    `_READERS`), the feature names (`columns`), the row count and the
    provenance.
    """
    text = (
        resources.files("aos_keras.data")
        .joinpath("datasets.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)["datasets"]
