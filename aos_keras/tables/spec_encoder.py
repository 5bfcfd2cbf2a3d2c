"""`SpecEncoder`: a fitted `TableEncoder` rebuilt from its JSON spec.

The encoding a saved model, a model folder and a SavedModel carry, applied
with numpy: numbers imputed and standardised, nominal columns one-hot
against the training categories, columns matched by name.
"""

import numpy as np
import pandas as pd

from aos_keras.tables import checks
from aos_keras.tables.columns import select_columns


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
        self.limit = float(spec.get("limit", checks.MAX_ABS_RAW))
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
                f"{checks.data_rows(unseen)}); the model was trained "
                "with unknown categories as an error (unknown='error'). "
                "Fix those cells, or retrain with unknown='ignore' to give "
                "an unseen category no vote."
            )
        return onehot

    def _number(self, column, values):
        name = column["name"]
        fill = column.get("fill")
        v = numbers(values, name, imputed=fill is not None).to_numpy()
        checks.check_column(
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
            frame[c["name"]] = restore_dtype(frame[c["name"]], dtype)
        return frame


def numbers(values, column, *, imputed=True, shown=5):
    """A numeric column's cells as floats, or an error naming its text.

    Args:
        values: Series, the column's cells (its index: the table's).
        column: the column's name (for the message).
        imputed: bool. Whether an empty cell is imputed (the message says
            so).
        shown: int. Most bad cells named.

    Returns:
        Series of float.

    Raises:
        ValueError: cells that are not numbers: the first `shown`, each
            with its data row (the first row = 1, as the file counts them)
            and, for a DataFrame of another index, its index label; "and N
            more".
    """
    try:
        return pd.to_numeric(values, errors="raise").astype(float)
    except (TypeError, ValueError) as err:
        bad = _text_cells(values)
        if not bad.any():
            raise ValueError(
                f"column {column!r} was numeric in training but now holds "
                f"non-numbers: {err}"
            ) from None
    count = int(bad.sum())
    cells = (
        f"{count} cell{'s' if count > 1 else ''}: {_cells(values, bad, shown)}"
    )
    empty = " (an empty cell is imputed)" if imputed else ""
    raise ValueError(
        f"column {column!r} was numeric in training but holds text in "
        f"{cells}; replace them with numbers{empty}."
    )


def check_numbers(frame, shown=5):
    """Refuse text in any column of `frame` (`numbers`' message, the first
    column with text)."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind not in "biufc" and _text_cells(values).any():
            numbers(values, column, imputed=False, shown=shown)


def _text_cells(values):
    """Boolean array: the cells that are there but are not numbers."""
    try:
        parsed = pd.to_numeric(values, errors="coerce")
    except (TypeError, ValueError):
        parsed = pd.Series(
            [_number_or_nan(v) for v in values], index=values.index
        )
    return (parsed.isna() & values.notna()).to_numpy()


def _number_or_nan(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _cells(values, bad, shown):
    """`'abc' on data row 5 (index 'r4'), ... and 2 more`."""
    rows = np.flatnonzero(bad)
    plain = isinstance(values.index, pd.RangeIndex) and values.index.equals(
        pd.RangeIndex(len(values))
    )
    labels, parts = values.index.tolist(), []  # Python scalars
    for row in rows[:shown]:
        where = "" if plain else f" (index {labels[row]!r})"
        cell = str(values.iloc[row])
        parts.append(f"{cell!r} on data row {row + 1}{where}")
    more = f" and {len(rows) - shown} more" if len(rows) > shown else ""
    return ", ".join(parts) + more


def _dtype(name):
    if name == "category":
        return "object"  # the categories are strings in the spec
    try:
        return pd.api.types.pandas_dtype(name)
    except TypeError:
        return np.dtype(object)


def restore_dtype(column, dtype):
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


__all__ = ["SpecEncoder", "check_numbers", "numbers", "restore_dtype"]
