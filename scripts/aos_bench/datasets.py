"""The paper's six datasets: the three bundled ones and three read from disk.

Haberman, Pima and Yeast come from the package (`aos_keras.load_dataset`).
SECOM, Wafer and Give Me Some Credit are read from a data folder,
`data_home`: the argument, else the environment variable `AOS_KERAS_DATA`,
else `~/aos_keras_data`, laid out as

```
<data_home>/secom/secom.data
<data_home>/secom/secom_labels.data
<data_home>/wafer/Wafer_TRAIN.tsv
<data_home>/wafer/Wafer_TEST.tsv          (or Wafer_TEST_6163.tsv.gz)
<data_home>/credit/cs-training.csv.gz     (or cs-training.csv)
```

Nothing is downloaded. Their files, readers and provenance are in
`datasets.json` beside this module.
"""

import functools
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from aos_keras import datasets as bundled
from aos_keras.datasets import Dataset, check_shape, read_csv

DATASETS = ("secom", "pima", "haberman", "wafer", "credit", "yeast")
"""The paper's datasets, in the order of its Table 1."""

DATA_HOME_ENV = "AOS_KERAS_DATA"
_DEFAULT_HOME = "~/aos_keras_data"


def load_dataset(name, data_home=None):
    """Load one of the paper's six datasets in its original form.

    Args:
        name: str. One of `DATASETS`, in any case.
        data_home: str, `os.PathLike` or None. The folder holding one
            sub-folder per external dataset (see the module docstring).
            Defaults to `AOS_KERAS_DATA`, else `~/aos_keras_data`. Unused
            for the bundled datasets.

    Returns:
        An `aos_keras.datasets.Dataset` (Wafer: with UCR's TEST rows as
        `predefined_split`).

    Raises:
        ValueError: for an unknown name.
        FileNotFoundError: when a file is missing; the message names it
            and says where to get it.
    """
    if not isinstance(name, str):
        raise TypeError(f"Dataset name must be a str; got {name!r}.")
    key = name.strip().lower()
    if key in bundled.DATASETS:
        return bundled.load_dataset(key)
    entries = _entries()
    if key not in entries:
        raise ValueError(
            f"Unknown dataset {name!r}. Valid names: {', '.join(DATASETS)}."
        )
    entry = entries[key]
    paths = _locate(key, entry, data_home)
    X, y, names, is_test = _READERS[entry["reader"]](paths)
    return Dataset(
        name=key,
        X=np.ascontiguousarray(X, dtype=np.float64),
        y=y,
        feature_names=list(names),
        predefined_split=is_test,
        source=entry["source"],
        citation=entry["citation"],
        license=entry["license"],
        files=tuple(str(p) for p in paths),
    )


def load_tables(names, data_home=None):
    """`{name: (X, y)}` of some of the paper's datasets (`load_dataset`),
    as `aos_keras.compare_suite` takes them.

    Example:
    >>> tables = load_tables(("pima", "haberman"))
    """
    tables = {}
    for name in names:
        data = load_dataset(name, data_home=data_home)
        tables[name] = (data.X, data.y)
    return tables


def data_home(path=None):
    """The data folder that `load_dataset` reads.

    Args:
        path: str, `os.PathLike` or None. The folder, if given.

    Returns:
        str: `path`, else the environment variable `AOS_KERAS_DATA`, else
        `~/aos_keras_data`, with `~` expanded.
    """
    return str(_data_home(path)[0])


def _data_home(data_home):
    """The data folder and where its value came from."""
    if data_home is not None:
        return Path(data_home).expanduser(), "the data_home argument"
    env = os.environ.get(DATA_HOME_ENV)
    if env:
        return Path(env).expanduser(), f"${DATA_HOME_ENV}"
    return Path(_DEFAULT_HOME).expanduser(), f"the default {_DEFAULT_HOME}"


def _locate(name, entry, data_home):
    """The path of each required file (first alternative that exists)."""
    home, origin = _data_home(data_home)
    found = [_first_existing(home, alts) for alts in entry["files"]]
    if all(p is not None for p in found):
        return found
    missing = [alts for alts, p in zip(entry["files"], found) if p is None]
    wanted = " or ".join(str(home / a) for a in missing[0])
    layout = ", ".join(f"<data_home>/{alts[0]}" for alts in entry["files"])
    raise FileNotFoundError(
        f"Dataset {name!r}: file not found: {wanted}. Searched the "
        f"folder {home} (from {origin}). Put the files there as {layout}, "
        f"or point load_dataset(..., data_home=...) or the {DATA_HOME_ENV} "
        f"environment variable to a folder that has them. The data comes "
        f"from: {entry['source']}."
    )


def _first_existing(home, alternatives):
    for rel in alternatives:
        path = home / rel
        if path.is_file():
            return path
    return None


def _read_secom(paths):
    data = read_csv(paths[0], sep=" ", header=None)
    labels = read_csv(paths[1], sep=" ", header=None)
    X = data.to_numpy(dtype=np.float64, na_value=np.nan)
    check_shape("secom", X, 1567, 590)
    y = labels[0].to_numpy(dtype=np.int64)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"secom: {paths[1]} has {y.shape[0]} labels for {X.shape[0]} rows."
        )
    return X, y, [f"f{i:03d}" for i in range(X.shape[1])], None


def _read_wafer(paths):
    train = read_csv(paths[0], sep="\t", header=None)
    test = read_csv(paths[1], sep="\t", header=None)
    frame = pd.concat([train, test], ignore_index=True)
    X = frame.iloc[:, 1:].to_numpy(dtype=np.float64)
    if X.shape[1] != 152 or len(train) != 1000:
        raise ValueError(
            f"wafer: expected 1000 TRAIN rows and 152 features; read "
            f"{len(train)} TRAIN rows and {X.shape[1]} features."
        )
    y = np.rint(frame.iloc[:, 0].to_numpy(dtype=np.float64)).astype(np.int64)
    is_test = np.arange(len(frame)) >= len(train)
    return X, y, [f"t{i:03d}" for i in range(X.shape[1])], is_test


def _read_credit(paths):
    frame = read_csv(paths[0], index_col=0)
    y = frame.pop("SeriousDlqin2yrs").to_numpy(dtype=np.int64)
    X = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    check_shape("credit", X, 150000, 10)
    return X, y, [str(c) for c in frame.columns], None


_READERS = {"secom": _read_secom, "wafer": _read_wafer, "credit": _read_credit}


@functools.cache
def _entries():
    """Each external dataset's entry of `datasets.json`, read once."""
    path = os.path.join(os.path.dirname(__file__), "datasets.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)["datasets"]
