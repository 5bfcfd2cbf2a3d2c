"""Tables: a user's columns to model space and back, checked on the way.

- `encoder`: `TableEncoder` (numbers, categories, missing cells) and
  `split_table`.
- `preprocessing`: `TablePreprocessor`, the columns by name, the encoder's
  spec and the classes: one serialisable object used by the model, the
  wrappers, the command line and the export.
- `spec_encoder`: the encoder's JSON spec, applied without scikit-learn.
- `columns`: choosing and checking columns (dates, mixed types, IDs).
- `reader`: reading table files (separators, decimal marks, compressed
  files, `.xlsx`, standard input).
- `checks`: input checks of features and arguments that name columns and
  data rows; `labels`: the label checks and label encoding.

The encoder's names are importable from `aos_keras.tables` itself.
"""

from aos_keras.tables.encoder import (
    SpecEncoder,
    TableEncoder,
    as_frame,
    is_mixed_table,
    nominal_columns,
    select_columns,
    split_table,
)

__all__ = [
    "SpecEncoder",
    "TableEncoder",
    "as_frame",
    "is_mixed_table",
    "nominal_columns",
    "select_columns",
    "split_table",
]
