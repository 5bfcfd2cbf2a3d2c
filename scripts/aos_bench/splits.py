"""The evaluation splits of the paper's Table 2 protocol.

`split_dataset` makes the train/validation/test split of one dataset and
seed and fits the preprocessing (KNN imputation, dropping constant
columns, standardisation) on the training rows only.
"""

import dataclasses
import typing

import numpy as np
from sklearn.pipeline import Pipeline

from aos_bench.datasets import load_dataset
from aos_bench.preprocess import fit_preprocessor
from aos_keras.datasets import Dataset, plain
from aos_keras.evaluation import stratified_split
from aos_keras.tables.checks import check_seed
from aos_keras.tables.labels import check_labels

__all__ = ["Split", "split_dataset"]

_PROTOCOLS = ("honest", "paper")

# The paper's test shares: half of Yeast, 30% of every other dataset.
TEST_SIZE = {"yeast": 0.5}
DEFAULT_TEST_SIZE = 0.3


@dataclasses.dataclass(frozen=True, eq=False)
class Split:
    """Preprocessed train/validation/test arrays of one dataset and seed.

    Features are float32 and standardised; labels are int64 class indices
    into `classes`.

    Attributes:
        name: str. The dataset's name.
        X_train: float32 array `(n_train, d)`. The rows the model is
            fitted on (for the honest protocol: after the validation
            carve-out). The preprocessing was fitted on these rows only.
        y_train: int64 array `(n_train,)`.
        X_val: float32 array `(n_val, d)` or None. The validation rows
            (None for the paper protocol).
        y_val: int64 array `(n_val,)` or None.
        X_test: float32 array `(n_test, d)`.
        y_test: int64 array `(n_test,)`.
        classes: array `(C,)`. The original labels, sorted as
            `np.unique`; `classes[k]` is the label of class index `k`.
        feature_names: list of str. The names of the `d` kept columns.
        preprocessor: `sklearn.pipeline.Pipeline`. The fitted steps
            `impute` (a `KNNImputer`, or `"passthrough"` when the dataset
            has no missing values), `drop_constant` (`VarianceThreshold`)
            and `scale` (`StandardScaler`). `preprocessor.transform` maps
            raw rows (all original columns, as in `Dataset.X`) to model
            inputs.
        preprocessing: dict. What was done, for reports.
        train_index: int64 array. Rows of `Dataset.X` in `X_train`.
        val_index: int64 array or None. Rows of `Dataset.X` in `X_val`.
        test_index: int64 array. Rows of `Dataset.X` in `X_test`.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    X_test: np.ndarray
    y_test: np.ndarray
    classes: np.ndarray
    feature_names: list
    preprocessor: Pipeline
    preprocessing: dict
    train_index: np.ndarray
    val_index: np.ndarray | None
    test_index: np.ndarray

    @property
    def num_classes(self):
        """The number of classes `C`."""
        return len(self.classes)

    @property
    def num_features(self):
        """The number of features `d` after preprocessing."""
        return self.X_train.shape[1]

    def __repr__(self):
        val = "None" if self.X_val is None else str(self.X_val.shape)
        return (
            f"Split(name={self.name!r}, protocol="
            f"{self.preprocessing.get('protocol')!r}, X_train="
            f"{self.X_train.shape}, X_val={val}, X_test={self.X_test.shape}, "
            f"classes={[plain(c) for c in self.classes]})"
        )


def split_dataset(
    dataset,
    *,
    seed,
    protocol="honest",
    test_size=None,
    val_size=0.2,
    knn_neighbors=2,
    max_knn_rows=2000,
    data_home=None,
):
    """Split a dataset and fit its preprocessing on the training rows only.

    The steps, all deterministic given `seed`:

    1. Train/test: stratified (70/30; Yeast 50/50), or the dataset's own
       split when it has one (Wafer: UCR's TRAIN/TEST).
    2. Honest protocol: a stratified `val_size` share of the training split
       becomes the validation split; the model is fitted on the rest. Paper
       protocol: no validation split (the paper picks the epoch on test).
    3. On the fitting rows only (`X_train`): a `KNNImputer` (only for
       datasets with missing values: SECOM, Credit), then dropping columns
       that are constant on those rows (`VarianceThreshold(0)`), then a
       `StandardScaler`. The fitted pipeline then transforms every split.

    Stratification needs at least 2 rows of a class in the rows being
    split; the rows of a class with fewer all go to the training side
    (listed in `preprocessing["rare_classes_kept_in_train"]`), so every
    class is present in `X_train`. A class can still miss the validation
    split (Yeast's ERL has 5 rows: 2 or 3 reach the training split and 0 or
    1 of those the validation split); the per-split class counts are in
    `preprocessing["class_counts"]`.

    KNN imputation: with more than `max_knn_rows` fitting rows (Credit),
    the imputer is fitted on a seeded random sample of `max_knn_rows` of
    the fitting rows that have no missing value (of all fitting rows when
    fewer are complete), so that it runs in seconds; below that (SECOM) it
    is fitted on all fitting rows, as in the paper. Pima's zeros are kept
    as values.

    Args:
        dataset: `Dataset` or str. A loaded dataset, or a name for
            `load_dataset`.
        seed: int. Seeds the splits and the imputer's sample. None draws
            a different split each call.
        protocol: str. `"honest"` (carve a validation split) or `"paper"`
            (no validation split). Defaults to `"honest"`.
        test_size: float or None. The test share of a random split.
            Defaults to 0.5 for Yeast and 0.3 otherwise; must be None for a
            dataset with a predefined split (to split Wafer at random, pass
            `dataclasses.replace(dataset, predefined_split=None)`).
        val_size: float. The validation share of the training split
            (honest protocol only). Defaults to 0.2.
        knn_neighbors: int. `n_neighbors` of the `KNNImputer`. Defaults
            to 2 (the paper).
        max_knn_rows: int or None. The most rows the `KNNImputer` is
            fitted on; None fits on all fitting rows. Defaults to 2000.
        data_home: str, `os.PathLike` or None. Passed to `load_dataset`
            when `dataset` is a name. Defaults to None.

    Returns:
        A `Split` with float32 features, int64 labels `0..C-1`, the
        original labels in `classes`, the fitted `preprocessor`, the row
        indices of each split and a `preprocessing` dict describing what
        was done.

    Example:
    >>> split = split_dataset("haberman", seed=0)
    >>> split.X_train.shape, split.X_val.shape, split.X_test.shape
    ((171, 3), (43, 3), (92, 3))
    >>> split.classes.tolist()
    [1, 2]
    """
    dataset = _as_dataset(dataset, data_home)
    seed = check_seed(seed)
    _check_options(protocol, test_size, val_size, knn_neighbors, max_knn_rows)
    X, codes, classes, names = _check_data(dataset)
    rows = _split_rows(
        dataset,
        codes,
        protocol=protocol,
        test_size=test_size,
        val_size=val_size,
        seed=seed,
    )
    preprocessor, x_train, info = fit_preprocessor(
        X[rows.train],
        has_missing=bool(np.isnan(X).any()),
        knn_neighbors=int(knn_neighbors),
        max_knn_rows=max_knn_rows,
        seed=seed,
    )
    return _assemble(
        dataset.name, X, codes, classes, names, rows, preprocessor, x_train,
        dict(info=info, protocol=protocol, seed=seed, val_size=val_size),
    )  # fmt: skip


def _assemble(name, X, codes, classes, names, rows, preprocessor, x_train,
              described):  # fmt: skip
    """The `Split`: every part transformed by the fitted preprocessor.

    `described` holds the keyword arguments of `_describe` but the rows,
    labels and dropped columns (`info`, `protocol`, `seed`, `val_size`).
    """
    kept = preprocessor.named_steps["drop_constant"].get_support()

    def transform(idx):
        if idx is None:
            return None
        return preprocessor.transform(X[idx]).astype(np.float32)

    def index(idx):
        return None if idx is None else idx.astype(np.int64)

    return Split(
        name=name,
        X_train=x_train.astype(np.float32),
        y_train=codes[rows.train],
        X_val=transform(rows.val),
        y_val=None if rows.val is None else codes[rows.val],
        X_test=transform(rows.test),
        y_test=codes[rows.test],
        classes=classes,
        feature_names=[n for n, keep in zip(names, kept) if keep],
        preprocessor=preprocessor,
        preprocessing=_describe(
            rows,
            codes,
            classes,
            dropped=[n for n, keep in zip(names, kept) if not keep],
            **described,
        ),  # fmt: skip
        train_index=index(rows.train),
        val_index=index(rows.val),
        test_index=index(rows.test),
    )


# --------------------------------------------------------------------------
# Checking the arguments of `split_dataset`.


def _as_dataset(dataset, data_home):
    """`dataset` itself, or the dataset of that name loaded."""
    if isinstance(dataset, str):
        dataset = load_dataset(dataset, data_home=data_home)
    if not isinstance(dataset, Dataset):
        raise TypeError(
            "`dataset` must be a Dataset (from load_dataset) or a dataset "
            f"name; got {type(dataset).__name__}."
        )
    return dataset


def _check_options(protocol, test_size, val_size, knn_neighbors, max_knn_rows):
    """Raise for an invalid option of `split_dataset`."""
    if protocol not in _PROTOCOLS:
        raise ValueError(
            f"`protocol` must be one of {_PROTOCOLS}; got {protocol!r}."
        )
    _check_fraction(val_size, "val_size")
    if test_size is not None:
        _check_fraction(test_size, "test_size")
    if not isinstance(knn_neighbors, (int, np.integer)) or knn_neighbors < 1:
        raise ValueError(
            f"`knn_neighbors` must be a positive int; got {knn_neighbors!r}."
        )
    if max_knn_rows is not None and (
        not isinstance(max_knn_rows, (int, np.integer))
        or max_knn_rows < knn_neighbors
    ):
        raise ValueError(
            "`max_knn_rows` must be None or an int >= knn_neighbors; got "
            f"{max_knn_rows!r}."
        )


def _check_fraction(value, name):
    if isinstance(value, bool) or not isinstance(value, (float, np.floating)):
        raise TypeError(f"`{name}` must be a float in (0, 1); got {value!r}.")
    if not 0.0 < value < 1.0:
        raise ValueError(f"`{name}` must be in (0, 1); got {value!r}.")


def _check_data(dataset):
    """Check a dataset's arrays.

    Returns:
        `(X, codes, classes, names)`: float64 features, int64 class indices
        into `classes` (the sorted unique labels) and the feature names as
        str.
    """
    X = np.asarray(dataset.X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(
            f"Dataset.X must be 2-D (rows, features); got shape {X.shape}. "
            "Reshape a single feature with X.reshape(-1, 1)."
        )
    if np.isinf(X).any():
        rows_bad = np.flatnonzero(np.isinf(X).any(axis=1))
        raise ValueError(
            f"Dataset.X has infinite values in {len(rows_bad)} row(s) (first: "
            f"{rows_bad[:5].tolist()}). Replace them with NaN (imputed on "
            "the training rows) or drop those rows."
        )
    y = check_labels(dataset.y, num_rows=X.shape[0], name="Dataset.y")
    classes, codes = np.unique(y, return_inverse=True)
    codes = codes.astype(np.int64)
    if len(classes) < 2:
        raise ValueError(
            f"The dataset has a single class ({classes.tolist()}); a "
            "classifier needs at least 2. Check the label column."
        )
    names = [str(n) for n in dataset.feature_names]
    if len(names) != X.shape[1]:
        raise ValueError(
            f"Dataset.feature_names has {len(names)} names for "
            f"{X.shape[1]} columns."
        )
    return X, codes, classes, names


# --------------------------------------------------------------------------
# Splitting and preprocessing.


class _Rows(typing.NamedTuple):
    """Row indices of the splits, into `Dataset.X`."""

    train: np.ndarray
    val: np.ndarray | None  # None for the paper protocol
    test: np.ndarray
    rare: list  # class indices kept in train only (too few to stratify)
    rule: str  # how train/test were split, for reports


def _split_rows(dataset, codes, *, protocol, test_size, val_size, seed):
    """Steps 1 and 2 of `split_dataset`: train/test, then validation.

    Returns:
        A `_Rows`.
    """
    rows = np.arange(len(codes))
    if dataset.predefined_split is not None:
        train, test = _predefined_split(dataset, rows, test_size)
        rare, rule = [], "predefined train/test split of the source"
    else:
        if test_size is None:
            key = str(dataset.name).lower()
            test_size = TEST_SIZE.get(key, DEFAULT_TEST_SIZE)
        train, test, rare = stratified_split(rows, codes, test_size, seed)
        rule = f"stratified, test_size={test_size}"
    val = None
    if protocol == "honest":
        train, val, rare_val = stratified_split(train, codes, val_size, seed)
        rare = sorted(set(rare) | set(rare_val))
    return _Rows(train, val, test, rare, rule)


def _predefined_split(dataset, rows, test_size):
    """`(train, test)` rows of the dataset's own split."""
    if test_size is not None:
        raise ValueError(
            f"{dataset.name!r} has a predefined train/test split, so "
            "`test_size` must be None. To split it at random instead, "
            "pass dataclasses.replace(dataset, predefined_split=None)."
        )
    is_test = np.asarray(dataset.predefined_split, dtype=bool)
    if is_test.shape != (len(rows),):
        raise ValueError(
            f"Dataset.predefined_split has shape {is_test.shape}; "
            f"expected ({len(rows)},)."
        )
    return rows[~is_test], rows[is_test]


def _describe(rows, codes, classes, *, dropped, info, protocol, seed, val_size):
    """The `preprocessing` dict of a `Split`: what was done, for reports."""

    def counts(idx):
        if idx is None:
            return None
        n = np.bincount(codes[idx], minlength=len(classes))
        return {plain(c): int(k) for c, k in zip(classes, n)}

    return {
        "protocol": protocol,
        "seed": seed,
        "split": rows.rule,
        "val_size": val_size if protocol == "honest" else None,
        "rare_classes_kept_in_train": [plain(classes[k]) for k in rows.rare],
        "fitted_on": f"X_train only ({len(rows.train)} rows)",
        **info,
        "dropped_constant_columns": dropped,
        "scaler": "StandardScaler()",
        "dtype": "float32",
        "class_counts": {
            "train": counts(rows.train),
            "val": counts(rows.val),
            "test": counts(rows.test),
        },
    }
