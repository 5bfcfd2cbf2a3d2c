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

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from aos_keras import validation

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

    Dates, columns mixing numbers and text, and ID or free-text columns
    each get their own message and what to do.

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
        "mixed types": "it has mixed types, numbers and text in one column "
        "(for example 'n/a' or '?' among numbers): clean those cells (leave "
        "them empty to impute them) or drop the column",
        "text": "an ID or free-text column? Drop it",
    }[kind]
    raise ValueError(
        f"Nominal column {column!r} has {n} distinct values (more than "
        f"max_categories={max_categories}): {advice}, or raise "
        "max_categories."
    )


def text_kind(values):
    """`"date"`, `"mixed types"` or `"text"`: what a nominal column holds."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    sample = values.dropna().astype(str).head(500)
    if len(sample) and pd.to_numeric(sample, errors="coerce").notna().any():
        return "mixed types"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dates = pd.to_datetime(sample, errors="coerce", format="mixed")
        except (TypeError, ValueError):
            return "text"
    return "date" if len(sample) and dates.notna().mean() > 0.8 else "text"


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
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"frame must be a pandas DataFrame; got {type(frame).__name__}."
        )
    columns = [str(c) for c in frame.columns]
    twice = list(dict.fromkeys(frame.columns[frame.columns.duplicated()]))
    if twice:
        raise ValueError(
            f"duplicate column names {twice}; rename them (a copy of the "
            "label would be used as a feature)"
        )
    if label not in frame.columns:
        raise ValueError(
            f"label column {label!r} not in the table; columns are "
            f"{columns[:30]}"
        )
    if features is not None and drop is not None:
        raise ValueError("give `features` or `drop`, not both")
    features = _names(features, "features")
    drop = _names(drop, "drop")
    absent = [c for c in [*features, *drop] if c not in frame.columns]
    if absent:
        raise ValueError(
            f"columns {absent} not in the table; columns are {columns[:30]}"
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


def _warn_about_columns(x, y, label):
    """The ID-column and regression-target warnings of `split_table`."""
    rows = len(x)
    if rows < 20:
        return
    for column in x.columns:
        values = x[column]
        exact = values.dtype.kind in "iuOSU" or str(values.dtype) in (
            "string",
            "category",
        )
        if exact and values.nunique() == rows:
            warnings.warn(
                f"column {column!r} has a different value in every row (an "
                "ID?); it is used as a feature unless `drop` names it",
                UserWarning,
                stacklevel=3,
            )
    distinct = y.nunique()
    if distinct > max(50, rows // 5):
        warnings.warn(
            f"the label {label!r} has {distinct} distinct values in {rows} "
            "rows; is it a regression target? AO/DO classify.",
            UserWarning,
            stacklevel=3,
        )


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
        frame = as_frame(X)
        if len(frame) == 0:
            raise ValueError("X has no rows.")
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
        numeric = Pipeline(
            [
                (
                    "impute",
                    SimpleImputer(
                        strategy=self.numeric_imputation, fill_value=0.0
                    ),
                ),
                (
                    "scale",
                    StandardScaler(
                        with_mean=bool(self.standardize),
                        with_std=bool(self.standardize),
                    ),
                ),
            ]
        )
        nominal_pipe = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                (
                    "onehot",
                    OneHotEncoder(
                        handle_unknown=self.unknown,
                        sparse_output=False,
                        dtype=np.float32,
                    ),
                ),
            ]
        )
        parts = []
        if self.numeric_:
            parts.append(("numeric", numeric, self.numeric_))
        if self.nominal_:
            parts.append(("nominal", nominal_pipe, self.nominal_))
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
            frame[c] = _restore_dtype(frame[c], self.dtypes_[c])
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
        columns = {}
        if self.numeric_:
            pipe = self.transformer_.named_transformers_["numeric"]
            fill = pipe.named_steps["impute"].statistics_
            scaler = pipe.named_steps["scale"]
            mean = getattr(scaler, "mean_", None)
            scale = getattr(scaler, "scale_", None)
            for j, c in enumerate(self.numeric_):
                columns[c] = {
                    "name": str(c),
                    "kind": "numeric",
                    "dtype": str(self.dtypes_[c]),
                    "fill": float(fill[j]),
                    "mean": 0.0 if mean is None else float(mean[j]),
                    "scale": 1.0 if scale is None else float(scale[j]),
                }
        if self.nominal_:
            pipe = self.transformer_.named_transformers_["nominal"]
            fill = pipe.named_steps["impute"].statistics_
            cats = pipe.named_steps["onehot"].categories_
            for j, c in enumerate(self.nominal_):
                columns[c] = {
                    "name": str(c),
                    "kind": "nominal",
                    "dtype": str(self.dtypes_[c]),
                    "categories": [str(v) for v in cats[j]],
                    "fill": str(fill[j]),
                }
        return {
            "columns": [columns[c] for c in self.columns_],
            "order": [str(c) for c in self.numeric_ + self.nominal_],
            "unknown": self.unknown,
            "limit": self._limit,
        }

    def get_feature_names_out(self, input_features=None):
        """Model-space column names (`num__x`, `nominal__x_category`)."""
        check_is_fitted(self, "transformer_")
        return self.transformer_.get_feature_names_out()

    @property
    def _limit(self):
        """Largest raw magnitude of a numeric column."""
        if self.standardize:
            return validation.MAX_ABS_RAW
        return validation.MAX_ABS_FEATURE

    def _prepared(self, frame):
        frame = frame.copy()
        for c in self.nominal_:
            column = frame[c].astype(object)
            frame[c] = column.where(column.notna(), np.nan)
        for c in self.numeric_:
            try:
                values = pd.to_numeric(frame[c], errors="raise")
            except (TypeError, ValueError) as err:
                raise ValueError(
                    f"Column {c!r} was numeric when the encoder was fitted "
                    f"but now holds non-numbers: {err}"
                ) from None
            values = values.astype(float)
            validation.check_column(values.to_numpy(), c, limit=self._limit)
            frame[c] = values
        return frame


class SpecEncoder:
    """A fitted `TableEncoder` rebuilt from its `serving_spec()` (JSON).

    What a saved model carries: the same `transform` and
    `inverse_transform` as the encoder it came from (numbers imputed and
    standardised, nominal columns one-hot against the training categories),
    computed with numpy from the spec, the numbers the served graph uses.
    Nominal values are compared as strings, as the served graph does.
    Columns are matched by name; the spec's `unknown` (`"ignore"` or
    `"error"`) says what an unseen category does. A numeric column whose
    `fill` is None refuses missing cells (it had none to learn from).

    Args:
        spec: dict from `TableEncoder.serving_spec()`.

    Example:
    >>> enc = SpecEncoder(TableEncoder().fit(frame).serving_spec())
    >>> enc.transform(frame).shape
    """

    def __init__(self, spec):
        self.spec = {"columns": list(spec["columns"]), "order": spec["order"]}
        for key in ("unknown", "limit"):
            if key in spec:
                self.spec[key] = spec[key]
        self.unknown = spec.get("unknown", "ignore")
        self.limit = float(spec.get("limit", validation.MAX_ABS_RAW))
        self.columns_ = [c["name"] for c in self.spec["columns"]]
        by_name = {c["name"]: c for c in self.spec["columns"]}
        self._order = [by_name[n] for n in self.spec["order"]]
        self.numeric_ = [
            c["name"] for c in self._order if c["kind"] == "numeric"
        ]
        self.nominal_ = [
            c["name"] for c in self._order if c["kind"] == "nominal"
        ]
        start, self.nominal_blocks_ = len(self.numeric_), []
        for c in self._order:
            if c["kind"] == "nominal":
                width = len(c["categories"])
                self.nominal_blocks_.append((start, start + width))
                start += width
        self.n_features_out_ = start

    @property
    def numeric_only(self):
        """True when every column is numeric."""
        return not self.nominal_

    def serving_spec(self):
        """The spec this encoder was built from."""
        return self.spec

    def frame(self, X, name="X"):
        """`X` as a DataFrame of the spec's columns, in their order.

        A DataFrame is matched by name (`select_columns`); an array is
        taken positionally (its width checked).
        """
        if isinstance(X, pd.DataFrame):
            return select_columns(X, self.columns_, name)
        array = np.asarray(X)
        if array.ndim != 2 or array.shape[1] != len(self.columns_):
            raise ValueError(
                f"{name} must have shape (n, {len(self.columns_)}) (the "
                f"columns {self.columns_[:20]}); got {array.shape}."
            )
        return pd.DataFrame(array, columns=self.columns_)

    def transform(self, X, name="X"):
        """Rows in model space, float32 (see `TableEncoder.transform`)."""
        frame = self.frame(X, name)
        parts = [self._encode(c, frame[c["name"]]) for c in self._order]
        return np.concatenate(parts, axis=1).astype(np.float32)

    def _encode(self, column, values):
        """One column in model space, `(n, width)`."""
        if column["kind"] == "numeric":
            return self._number(column, values)[:, None]
        fill = column["fill"]
        v = values.astype(object).where(values.notna(), fill).astype(str)
        v = v.to_numpy()[:, None]
        cats = np.asarray(column["categories"], dtype=object)
        onehot = v == cats
        if self.unknown == "error" and not onehot.any(axis=1).all():
            unseen = ~onehot.any(axis=1)
            raise ValueError(
                f"column {column['name']!r} has categories training never "
                f"saw: {sorted(set(v[unseen, 0]))[:10]} (data rows "
                f"{validation.data_rows(unseen)}); the model was trained "
                "with unknown categories as an error (unknown='error'). "
                "Fix those cells, or retrain with unknown='ignore' to give "
                "an unseen category no vote."
            )
        return onehot

    def _number(self, column, values):
        name = column["name"]
        try:
            v = pd.to_numeric(values, errors="raise").astype(float)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"column {name!r} was numeric in training but now holds "
                f"non-numbers: {err}"
            ) from None
        v = v.to_numpy()
        fill = column.get("fill")
        validation.check_column(
            v, name, limit=self.limit, allow_missing=fill is not None
        )
        if fill is not None:
            v = np.where(np.isnan(v), fill, v)
        return (v - column["mean"]) / column["scale"]

    def inverse_transform(self, Z):
        """Model-space rows back to the table's schema (dtypes restored)."""
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != self.n_features_out_:
            raise ValueError(
                f"Z must have shape (n, {self.n_features_out_}); got {Z.shape}."
            )
        data, j, blocks = {}, 0, iter(self.nominal_blocks_)
        for c in self._order:
            if c["kind"] == "numeric":
                data[c["name"]] = Z[:, j] * c["scale"] + c["mean"]
                j += 1
            else:
                a, b = next(blocks)
                cats = np.asarray(c["categories"], dtype=object)
                data[c["name"]] = cats[np.argmax(Z[:, a:b], axis=1)]
        frame = pd.DataFrame({n: data[n] for n in self.columns_})
        for c in self.spec["columns"]:
            dtype = _dtype(c.get("dtype", "float64"))
            frame[c["name"]] = _restore_dtype(frame[c["name"]], dtype)
        return frame


def _dtype(name):
    if name == "category":
        return "object"  # the categories are strings in the spec
    try:
        return pd.api.types.pandas_dtype(name)
    except TypeError:
        return np.dtype(object)


def _restore_dtype(column, dtype):
    if pd.api.types.is_bool_dtype(dtype):
        return (column.astype(float) >= 0.5).astype(dtype)
    if pd.api.types.is_integer_dtype(dtype):
        return np.round(column.astype(float)).astype(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(column, categories=dtype.categories)
    try:
        return column.astype(dtype)
    except (TypeError, ValueError):
        return column


__all__ = [
    "SpecEncoder",
    "TableEncoder",
    "as_frame",
    "is_mixed_table",
    "nominal_columns",
    "select_columns",
]
