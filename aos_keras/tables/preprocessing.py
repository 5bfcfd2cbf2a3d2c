"""`TablePreprocessor`: a table's columns, encoding and classes, one object.

What turns a user's table into the model's rows and the model's outputs
back into the user's labels: the column names (matched by name, so a
DataFrame with its columns in another order gives the same rows), each
column's encoding (an `aos_keras.TableEncoder`'s JSON spec: imputation,
standardisation, one-hot categories, or the identity for rows already in
model space), and the class labels. It is JSON-serialisable
(`get_config`/`from_config`), so a saved model, a model folder and an
exported SavedModel carry the same object.

The model (`AdversarialOversampler.preprocessor`), both wrappers
(`AOSClassifier.preprocessor_`, `AOSSampler.preprocessor_`), the command
line's model folder and the export all use it the same way:
`transform(X)` for rows, `encode_labels(y)` for labels, `decode(proba)`
for predicted labels, `inverse_transform(Z)` for generated rows.

Example:
>>> prep = TablePreprocessor.fit(frame, labels)
>>> x = prep.transform(frame[list(reversed(frame.columns))])  # by name
>>> codes = prep.encode_labels(labels)
>>> prep.decode(model.predict(x))
"""

import warnings

import numpy as np
import pandas as pd

from aos_keras.tables import checks
from aos_keras.tables.encoder import SpecEncoder, TableEncoder, is_mixed_table
from aos_keras.tables.labels import (
    check_classes,
    check_labels,
    check_target,
    encode_labels,
    strip_labels,
)
from aos_keras.tables.spec_encoder import check_numbers


class TablePreprocessor:
    """A table's columns, their encoding and the classes (serialisable).

    Args:
        spec: dict. The columns' encoding: `TableEncoder.serving_spec()`
            (`columns`, `order`, `unknown`, `limit`); `identity_spec` for
            rows already in model space.
        classes: list. The class labels, in index order.
        named: bool. Whether the column names are the user's (from a
            DataFrame): then a DataFrame is matched by name. Otherwise
            (rows from an array, names `f0..`) any 2-D input is taken
            positionally. Defaults to `True`.

    Attributes:
        classes_: array `(C,)`, the class labels.
        columns_: list of str, the input column names, in input order.
        n_features_in_: int, number of input columns.
        n_features_out_: int, width of model space.
        nominal_blocks_: list of `(start, stop)`, one-hot blocks.
        encoder: the `aos_keras.tables.SpecEncoder` of the spec.
        identity: bool, rows already in model space (numbers unchanged).

    Example:
    >>> prep = TablePreprocessor.fit(frame, y, standardize=True)
    >>> TablePreprocessor.from_config(prep.get_config()).transform(frame)
    """

    def __init__(self, spec, classes, *, named=True):
        self.encoder = SpecEncoder(spec)
        self.classes_ = np.asarray(classes)
        self.named = bool(named)
        columns = self.encoder.spec["columns"]
        self.identity = all(
            c["kind"] == "numeric"
            and c.get("fill") is None
            and c["mean"] == 0.0
            and c["scale"] == 1.0
            for c in columns
        ) and self.encoder.spec["order"] == [c["name"] for c in columns]

    # ------------------------------------------------------------ building
    @classmethod
    def fit(
        cls,
        X,
        y,
        *,
        encode=None,
        standardize=True,
        max_categories=100,
        unknown="ignore",
        numeric_imputation="median",
    ):
        """Learn the columns, their encoding and the classes of a table.

        Args:
            X: DataFrame or 2-D array, training rows only.
            y: array-like `(n,)`, training labels (checked with
                `aos_keras.tables.labels.check_target`).
            encode: bool or None. Fit a `TableEncoder` (impute,
                standardise when `standardize`, one-hot). Defaults to
                `None`: only for a DataFrame with nominal columns or
                missing cells; other rows are taken as they are.
            standardize: bool. Standardise numeric columns when encoding.
            max_categories: int. Most distinct values of a nominal column.
            unknown: str. `"ignore"` or `"error"` for unseen categories.
            numeric_imputation: str. `SimpleImputer` strategy.

        Returns:
            A `TablePreprocessor`.
        """
        y = check_target(y, num_rows=len(X))
        classes = check_classes(y)[0]
        named = isinstance(X, pd.DataFrame)
        if named:
            _warn_label_in_features(X, y)
        if encode is None:
            encode = is_mixed_table(X)
        if encode:
            spec = (
                TableEncoder(
                    standardize=standardize,
                    max_categories=max_categories,
                    unknown=unknown,
                    numeric_imputation=numeric_imputation,
                )
                .fit(X)
                .serving_spec()
            )
        else:
            x = checks.check_features(X)
            names = X.columns if named else [f"f{i}" for i in range(x.shape[1])]
            dtypes = X.dtypes.tolist() if named else [x.dtype] * x.shape[1]
            spec = identity_spec(names, dtypes)
        return cls(spec, classes.tolist(), named=named)

    @classmethod
    def identity(cls, num_features, classes):
        """Rows already in model space, columns `f0..`, taken by position."""
        names = [f"f{i}" for i in range(int(num_features))]
        return cls(identity_spec(names), list(classes), named=False)

    def get_config(self):
        """The JSON-able config (`from_config` rebuilds the object)."""
        return {
            "spec": self.encoder.spec,
            "classes": self.classes_.tolist(),
            "named": self.named,
        }

    @classmethod
    def from_config(cls, config):
        """The object of `get_config`."""
        return cls(**config)

    # --------------------------------------------------------- attributes
    @property
    def columns_(self):
        return self.encoder.columns_

    @property
    def n_features_in_(self):
        return len(self.encoder.columns_)

    @property
    def n_features_out_(self):
        return self.encoder.n_features_out_

    @property
    def nominal_blocks_(self):
        return self.encoder.nominal_blocks_

    @property
    def numeric_only(self):
        return self.encoder.numeric_only

    def serving_spec(self):
        """The columns' spec, as `TableEncoder.serving_spec()`."""
        return self.encoder.spec

    # ------------------------------------------------------------- tables
    def transform(self, X, name="X"):
        """Rows of a table in model space, float32 `(n, n_features_out_)`.

        A DataFrame is matched by column name when the names are the
        user's (`named`): the same rows whatever the columns' order. An
        array is taken positionally.

        Raises:
            ValueError: a missing column, an extra column (named), a bad
                cell (column and data row named), a wrong width.
        """
        if self.identity and not (self.named and _is_frame(X)):
            return checks.check_features(X, self.n_features_in_, name)
        if self.identity:  # the user's names: checked in their order
            frame = self.encoder.frame(X, name)
            check_numbers(frame)  # text cells named, with their rows
            return checks.check_features(frame, self.n_features_in_, name)
        if not self.named and _is_frame(X):
            X = X.to_numpy()
        x = self.encoder.transform(X, name)
        return checks.check_features(x, self.n_features_out_, name)

    def select(self, table, name="the table"):
        """The model's feature columns of a wider table (a whole file).

        For tables that also hold the label, IDs or other columns (the
        command line reads whole files): the columns the model needs are
        taken by name and the rest left out.

        Raises:
            ValueError: a feature column is missing (named).
        """
        by_name = {str(c): c for c in table.columns}
        missing = [c for c in self.columns_ if str(c) not in by_name]
        if missing:
            raise ValueError(
                f"{name} lacks the model's feature columns {missing[:20]}."
            )
        return table[[by_name[str(c)] for c in self.columns_]]

    def inverse_transform(self, Z):
        """Model-space rows back to a DataFrame of the table's schema."""
        return self.encoder.inverse_transform(Z)

    # ------------------------------------------------------------- labels
    def encode_labels(self, y, name="y"):
        """Labels to class indices `0..C-1` (spaces stripped, unseen: an
        error)."""
        y = strip_labels(check_labels(y, name=name))
        return encode_labels(y, self.classes_, name=name)

    def decode(self, values):
        """Labels of class indices `(n,)` or of probabilities `(n, C)`."""
        values = np.asarray(values)
        if values.ndim == 2:
            values = np.argmax(values, axis=-1)
        return self.classes_[values.astype(np.int64)]


def identity_spec(names, dtypes=None):
    """The spec of numeric columns taken as they are (no missing cells)."""
    dtypes = dtypes or ["float32"] * len(names)
    columns = [
        {
            "name": str(n),
            "kind": "numeric",
            "dtype": str(t),
            "fill": None,
            "mean": 0.0,
            "scale": 1.0,
        }
        for n, t in zip(names, dtypes)
    ]
    return {
        "columns": columns,
        "order": [c["name"] for c in columns],
        "limit": checks.MAX_ABS_FEATURE,
    }


def _warn_label_in_features(frame, y):
    """Warn when a feature column holds the labels (a leak)."""
    labels = pd.Series(y).astype(str).str.strip().to_numpy()

    def same(values, rows):  # as strings, on the first `rows` rows
        head = values.iloc[:rows].astype(str).str.strip().to_numpy()
        return (head == labels[:rows]).all()

    for column in frame.columns:
        values = frame[column]
        if same(values, 50) and same(values, len(labels)):
            warnings.warn(
                f"X's column {column!r} holds the labels y: is the label "
                "column left in the features? It leaks the label; drop it.",
                UserWarning,
                stacklevel=3,
            )


def _is_frame(X):
    return isinstance(X, pd.DataFrame)


__all__ = ["TablePreprocessor", "identity_spec"]
