"""`TableEncoder`: a user's table (numbers, categories, missing cells) to
model space and back.

Built from scikit-learn pieces: a `ColumnTransformer` with, for numeric
columns, a `SimpleImputer` then a `StandardScaler`, and for nominal columns
(strings, `object`, pandas `category`), a `SimpleImputer` (most frequent
category) then a `OneHotEncoder`. Booleans are numeric 0/1 columns.
One-hot columns stay 0/1 (not standardised), so a convex combination of
rows, as the CWI generator makes, gives each nominal column a weighted
vote over its categories, and `inverse_transform` reads back the category
with the largest vote.

The encoder is fitted on training rows only: `fit` sees what it is given,
nothing else, and every later `transform` only applies what it learnt.

Example:
>>> enc = TableEncoder().fit(frame_train)
>>> z = enc.transform(frame_test)            # float32 (n, width)
>>> enc.inverse_transform(z).dtypes.equals(frame_test.dtypes)
True

References:
    scikit-learn's `ColumnTransformer`, `SimpleImputer`, `OneHotEncoder`.
    Chawla et al., SMOTE-NC (JAIR 2002) for the nominal-column handling of
    the SMOTE-type baselines, which use `nominal_blocks`.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from aos_keras.tables import checks
from aos_keras.tables.columns import (
    check_categories,
    select_columns,
    split_table,
)
from aos_keras.tables.spec_encoder import (
    SpecEncoder,
    numbers,
    restore_dtype,
)

NUMERIC_IMPUTATION = ("median", "mean", "constant")
UNKNOWN_POLICIES = ("ignore", "error")


def as_frame(X, name="X"):
    """`X` as a DataFrame; arrays get columns `f0..f{d-1}`."""
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise ValueError(
                f"{name} must be 2-D (rows, columns); got shape {array.shape}."
            )
        frame = pd.DataFrame(
            array, columns=[f"f{i}" for i in range(array.shape[1])]
        )
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise ValueError(
            f"{name} has duplicate column names {duplicated}; rename or drop "
            "them (a duplicate label column would leak the label)."
        )
    return frame


def nominal_columns(frame):
    """Names of the columns that are not numbers (strings, categories).

    Booleans count as numbers (0/1): a convex combination of them is a
    vote, read back as `True` at 0.5 or above.
    """
    return [
        c
        for c in frame.columns
        if not (
            pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_bool_dtype(frame[c])
        )
    ]


def is_mixed_table(X):
    """True for a DataFrame with nominal columns or missing cells.

    Such a table needs a `TableEncoder`; a numeric array or DataFrame
    without gaps goes to the model as it is.
    """
    if not isinstance(X, pd.DataFrame):
        return False
    if any(isinstance(t, pd.SparseDtype) for t in X.dtypes):
        return False
    return bool(nominal_columns(X)) or bool(X.isna().to_numpy().any())


class TableEncoder(TransformerMixin, BaseEstimator):
    """Encode a table for the model: impute, standardise, one-hot.

    Args:
        nominal: list of column names or None. Columns to treat as nominal
            besides those detected from their dtype (any non-numeric,
            non-boolean column). Defaults to `None`.
        numeric_imputation: str. `SimpleImputer` strategy for numeric
            columns: `"median"` (default), `"mean"` or `"constant"` (0).
        unknown: str. A category at `transform` that `fit` never saw:
            `"ignore"` (default: an all-zero block, no vote) or `"error"`.
        max_categories: int. A nominal column with more distinct values
            than this is refused (an ID column, most likely). Defaults to
            `100`.
        standardize: bool. Standardise numeric columns (`StandardScaler`);
            `False` keeps their values. Defaults to `True`.

    Attributes:
        columns_: list. The column names, in input order.
        dtypes_: `pandas.Series`. Each column's dtype at `fit`.
        numeric_: list. Numeric columns (model space: first, standardised).
        nominal_: list. Nominal columns (model space: one-hot, after them).
        nominal_blocks_: list of `(start, stop)`. Each nominal column's
            one-hot block in model space.
        n_features_out_: int. Width of model space.

    Example:
    >>> enc = TableEncoder().fit(train_frame)
    >>> enc.nominal_blocks_
    [(7, 11), (11, 14)]
    """

    def __init__(
        self,
        nominal=None,
        numeric_imputation="median",
        unknown="ignore",
        max_categories=100,
        standardize=True,
    ):
        self.nominal = nominal
        self.numeric_imputation = numeric_imputation
        self.unknown = unknown
        self.max_categories = max_categories
        self.standardize = standardize

    def fit(self, X, y=None):
        """Learn the columns' types, imputation values, scales, categories.

        Args:
            X: DataFrame or 2-D array, training rows only.
            y: ignored.

        Returns:
            `self`.

        Raises:
            ValueError: a column entirely missing, a nominal column with
                more than `max_categories` values, duplicate names, or a bad
                setting.
        """
        self._check_settings()
        frame = as_frame(X)
        if len(frame) == 0:
            raise ValueError("X has no rows.")
        self._learn_columns(frame)
        parts = []
        if self.numeric_:
            parts.append(("numeric", self._numeric_pipeline(), self.numeric_))
        if self.nominal_:
            parts.append(("nominal", self._nominal_pipeline(), self.nominal_))
        self.transformer_ = ColumnTransformer(parts, sparse_threshold=0.0)
        self.transformer_.fit(self._prepared(frame))
        start = len(self.numeric_)
        self.nominal_blocks_ = []
        if self.nominal_:
            onehot = self.transformer_.named_transformers_["nominal"]
            for cats in onehot.named_steps["onehot"].categories_:
                self.nominal_blocks_.append((start, start + len(cats)))
                start += len(cats)
        self.n_features_out_ = start
        return self

    def _check_settings(self):
        if self.numeric_imputation not in NUMERIC_IMPUTATION:
            raise ValueError(
                f"`numeric_imputation` must be one of {NUMERIC_IMPUTATION}; "
                f"got {self.numeric_imputation!r}."
            )
        if self.unknown not in UNKNOWN_POLICIES:
            raise ValueError(
                f"`unknown` must be one of {UNKNOWN_POLICIES}; got "
                f"{self.unknown!r}."
            )

    def _learn_columns(self, frame):
        """`columns_`, `dtypes_`, `nominal_`, `numeric_`, checked."""
        self.columns_ = list(frame.columns)
        self.dtypes_ = frame.dtypes
        extra = list(self.nominal or [])
        unknown_cols = [c for c in extra if c not in self.columns_]
        if unknown_cols:
            raise ValueError(
                f"`nominal` names columns {unknown_cols} that X does not "
                f"have; its columns: {self.columns_}."
            )
        nominal = set(nominal_columns(frame)) | set(extra)
        self.nominal_ = [c for c in self.columns_ if c in nominal]
        self.numeric_ = [c for c in self.columns_ if c not in nominal]
        empty = [c for c in self.columns_ if frame[c].isna().all()]
        if empty:
            raise ValueError(
                f"Column(s) {empty} are entirely missing in the training "
                "rows: nothing to learn from or impute with. Impute them "
                "yourself or drop them."
            )
        for c in self.nominal_:
            check_categories(frame[c], c, self.max_categories)

    def _numeric_pipeline(self):
        impute = SimpleImputer(strategy=self.numeric_imputation, fill_value=0.0)
        scale = StandardScaler(
            with_mean=bool(self.standardize), with_std=bool(self.standardize)
        )
        return Pipeline([("impute", impute), ("scale", scale)])

    def _nominal_pipeline(self):
        onehot = OneHotEncoder(
            handle_unknown=self.unknown, sparse_output=False, dtype=np.float32
        )
        impute = SimpleImputer(strategy="most_frequent")
        return Pipeline([("impute", impute), ("onehot", onehot)])

    def transform(self, X):
        """Rows in model space, float32 `(n, n_features_out_)`.

        Raises:
            ValueError: columns differ from `fit`'s, or (with
                `unknown="error"`) a category `fit` did not see.
        """
        check_is_fitted(self, "transformer_")
        frame = select_columns(as_frame(X), self.columns_)
        try:
            out = self.transformer_.transform(self._prepared(frame))
        except ValueError as err:
            if "unknown categor" in str(err).lower():
                raise ValueError(
                    f"{err} (unknown='error'; use unknown='ignore' to give "
                    "an unseen category no vote)"
                ) from err
            raise
        return np.asarray(out, dtype=np.float32)

    def inverse_transform(self, Z):
        """Model-space rows back to rows of the fitted table's schema.

        Numeric columns are unscaled (integer columns rounded, booleans and
        other dtypes restored); each nominal column takes the category with
        the largest value in its block (for a generated row: the largest
        weighted vote of its anchors).

        Args:
            Z: array `(n, n_features_out_)`.

        Returns:
            DataFrame with the fitted columns, in order, and their dtypes.
        """
        check_is_fitted(self, "transformer_")
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != self.n_features_out_:
            raise ValueError(
                f"Z must have shape (n, {self.n_features_out_}); got {Z.shape}."
            )
        data = {}
        if self.numeric_:
            scaler = self.transformer_.named_transformers_["numeric"]
            values = scaler.named_steps["scale"].inverse_transform(
                Z[:, : len(self.numeric_)]
            )
            for j, c in enumerate(self.numeric_):
                data[c] = values[:, j]
        if self.nominal_:
            onehot = self.transformer_.named_transformers_["nominal"]
            cats = onehot.named_steps["onehot"].categories_
            for c, (a, b), levels in zip(
                self.nominal_, self.nominal_blocks_, cats
            ):
                data[c] = levels[np.argmax(Z[:, a:b], axis=1)]
        frame = pd.DataFrame({c: data[c] for c in self.columns_})
        for c in self.columns_:
            frame[c] = restore_dtype(frame[c], self.dtypes_[c])
        return frame

    @property
    def numeric_only(self):
        """True when every column is numeric (no one-hot block)."""
        check_is_fitted(self, "transformer_")
        return not self.nominal_

    def serving_spec(self):
        """What the served graph needs to encode raw columns (JSON-able).

        Returns:
            dict: `columns`, one entry per input column in input order:
            numeric `{"name", "kind": "numeric", "fill", "mean", "scale"}`
            (model value `(x - mean) / scale`, a missing `x` replaced by
            `fill`), nominal `{"name", "kind": "nominal", "categories",
            "fill"}` (strings; one-hot in that order, an unseen or empty
            string gives `fill`'s block for empty, no vote for unseen);
            and `order`, the model-space order of the column names
            (numeric, then nominal).
        """
        check_is_fitted(self, "transformer_")
        columns = {**self._numeric_spec(), **self._nominal_spec()}
        return {
            "columns": [columns[c] for c in self.columns_],
            "order": [str(c) for c in self.numeric_ + self.nominal_],
            "unknown": self.unknown,
            "limit": self._limit,
        }

    def _numeric_spec(self):
        """Each numeric column's entry of `serving_spec`, by name."""
        if not self.numeric_:
            return {}
        pipe = self.transformer_.named_transformers_["numeric"]
        fill = pipe.named_steps["impute"].statistics_
        scaler = pipe.named_steps["scale"]
        mean = getattr(scaler, "mean_", None)
        scale = getattr(scaler, "scale_", None)
        return {
            c: {
                "name": str(c),
                "kind": "numeric",
                "dtype": str(self.dtypes_[c]),
                "fill": float(fill[j]),
                "mean": 0.0 if mean is None else float(mean[j]),
                "scale": 1.0 if scale is None else float(scale[j]),
            }
            for j, c in enumerate(self.numeric_)
        }

    def _nominal_spec(self):
        """Each nominal column's entry of `serving_spec`, by name."""
        if not self.nominal_:
            return {}
        pipe = self.transformer_.named_transformers_["nominal"]
        fill = pipe.named_steps["impute"].statistics_
        cats = pipe.named_steps["onehot"].categories_
        return {
            c: {
                "name": str(c),
                "kind": "nominal",
                "dtype": str(self.dtypes_[c]),
                "categories": [str(v) for v in cats[j]],
                "fill": str(fill[j]),
            }
            for j, c in enumerate(self.nominal_)
        }

    def get_feature_names_out(self, input_features=None):
        """Model-space column names (`num__x`, `nominal__x_category`)."""
        check_is_fitted(self, "transformer_")
        return self.transformer_.get_feature_names_out()

    @property
    def _limit(self):
        """Largest raw magnitude of a numeric column."""
        if self.standardize:
            return checks.MAX_ABS_RAW
        return checks.MAX_ABS_FEATURE

    def _prepared(self, frame):
        frame = frame.copy()
        for c in self.nominal_:
            column = frame[c].astype(object)
            frame[c] = column.where(column.notna(), np.nan)
        for c in self.numeric_:
            values = numbers(frame[c], c)
            checks.check_column(values.to_numpy(), c, limit=self._limit)
            frame[c] = values
        return frame


__all__ = [
    "SpecEncoder",
    "TableEncoder",
    "as_frame",
    "is_mixed_table",
    "nominal_columns",
    "select_columns",
    "split_table",
]
