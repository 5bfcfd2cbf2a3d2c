"""Reading tables from files: the one reader of the command line.

`read_table` reads CSV, TSV (also compressed: `.gz`, `.bz2`, `.zip`,
`.xz`), parquet and Excel files, or standard input (`-`). The separator of
a text table is sniffed, and so is a decimal comma (`14,23`) in a table
that is not comma-separated; both can be given instead (`sep`, `decimal`).
What cannot be read is refused with a message that says what to do.

`split_label` splits a table into its feature columns and labels
(`aos_keras.tables.split_table`) and refuses infinite cells, naming the
column and the data rows as a user counts them (data row 1 is the first
row after the header). A label column of a text table keeps its spelling
(`label_values`): `01`, `1` and `2` are three classes, `007` stays `007`.
"""

import bz2
import csv
import gzip
import importlib.util
import io
import lzma
import os
import re
import sys
import warnings
import zipfile

import numpy as np
import pandas as pd

SEPARATORS = (",", ";", "\t", "|")
# The bytes of a text table that are looked at to sniff its layout.
HEAD = 65536
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
# The first bytes of a gzip, bzip2 and xz stream.
MAGIC = {
    re.compile(b"\x1f\x8b"): gzip,
    re.compile(b"BZh[1-9]1AY&SY"): bz2,
    re.compile(b"\xfd7zXZ\x00"): lzma,
}
EXCEL = (".xlsx", ".xlsm", ".xls")
PARQUET = (".parquet", ".pq")
# A number written with a decimal comma: `14,23`, `-0,5`.
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")


def read_table(path, *, sep=None, decimal=None):
    """Read a table file into a DataFrame, or say what is wrong.

    Args:
        path: str. A CSV or TSV file (compressed as `.gz`, `.bz2`, `.zip`
            or `.xz` too), a parquet file, an Excel workbook (its first
            sheet; needs openpyxl), or `-` for standard input (text).
        sep: str or None. The separator of a text table; None sniffs it
            from the first lines (comma, semicolon, tab or pipe).
        decimal: str or None. The decimal mark of a text table; None reads
            `,` when the separator is not a comma and the numbers are
            written `14,23`, else `.`.

    Returns:
        A DataFrame, with at least one row.

    Raises:
        ValueError: no such file; empty, binary or non-UTF-8 text; a
            header without rows; duplicate column names; a format that
            needs a missing package (the message says which to install).

    Example:
    >>> frame = read_table("data.csv.gz")
    >>> frame = read_table("export.csv", sep=";", decimal=",")
    """
    name = "standard input" if path == "-" else path
    if path != "-" and not os.path.exists(path):
        raise ValueError(f"no such file: {path}")
    lower = path.lower()
    if lower.endswith(PARQUET):
        frame = _read_parquet(path)
    elif lower.endswith(EXCEL):
        frame = _read_excel(path)
    else:
        frame = _read_text(path, name, sep, decimal)
    if frame.empty:
        raise ValueError(f"{name} has a header but no rows")
    return frame


def _read_parquet(path):
    try:
        return pd.read_parquet(path)
    except ImportError as err:
        raise ValueError(
            f"reading parquet needs pyarrow (pip install "
            f"'aos_keras[parquet]'): {err}"
        ) from None


def _read_excel(path):
    if importlib.util.find_spec("openpyxl") is None:
        raise ValueError(
            f"{path} is an Excel workbook: reading it needs openpyxl "
            "(pip install openpyxl, or pip install 'aos_keras[excel]'), or "
            "save the sheet as CSV"
        )
    frame = pd.read_excel(path)
    _refuse_duplicates(path, [str(c) for c in frame.columns])
    return frame


def _read_text(path, name, sep, decimal):
    """A CSV/TSV file (maybe compressed) or standard input."""
    data = _stdin() if path == "-" else None
    head = data[:HEAD] if data is not None else _head(path)
    text = _decode(head, name)
    default = "\t" if ".tsv" in path.lower() else ","
    sep = sep or sniff_separator(text, default)
    decimal = decimal or sniff_decimal(text, sep)
    _refuse_duplicates(name, next(csv.reader(io.StringIO(text), delimiter=sep)))
    source = TextSource(data if data is not None else path, sep, decimal)
    frame = source.read()
    frame.attrs[TEXT_SOURCE] = source
    return frame


# The key of `DataFrame.attrs` under which `read_table` leaves the
# `TextSource` of a text table (its columns can be read again as text).
TEXT_SOURCE = "aos_keras.text_source"


class TextSource:
    """A text table's file (or standard input's bytes) and its layout.

    Args:
        source: str (a path) or bytes (standard input).
        sep: str. The separator.
        decimal: str. The decimal mark.
    """

    def __init__(self, source, sep, decimal):
        self.source, self.sep, self.decimal = source, sep, decimal

    def read(self, **kwargs):
        """`pandas.read_csv` of the table; `kwargs` are its arguments."""
        data = self.source
        data = io.BytesIO(data) if isinstance(data, bytes) else data
        return pd.read_csv(data, sep=self.sep, decimal=self.decimal, **kwargs)

    def text(self, column):
        """One column's cells as written (str; empty and `NA` cells NaN)."""
        return self.read(usecols=[column], dtype=str)[column]

    def __deepcopy__(self, memo):  # pandas copies `attrs` with each frame
        return self


def _stdin():
    """Standard input's bytes, decompressed when gzip, bzip2 or xz."""
    data = sys.stdin.buffer.read()
    for magic, module in MAGIC.items():
        if re.match(magic, data):
            try:
                return module.decompress(data)
            except (OSError, EOFError, lzma.LZMAError) as err:
                raise ValueError(
                    f"standard input cannot be decompressed ({err})"
                ) from None
    return data


def _head(path):
    """The first `HEAD` bytes of a file, decompressed."""
    ext = os.path.splitext(path.lower())[1]
    try:
        if ext == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                if len(names) != 1:
                    raise ValueError(
                        f"{path} holds {len(names)} files; pandas reads a "
                        "zip archive of one table only"
                    )
                with archive.open(names[0]) as f:
                    return f.read(HEAD)
        with COMPRESSED.get(ext, open)(path, "rb") as f:
            return f.read(HEAD)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path} cannot be decompressed ({err})") from None


def _decode(head, name):
    """The text of a table's first bytes, or a message why it is none."""
    if not head.strip():
        raise ValueError(f"{name} is empty")
    if head.startswith(b"PK\x03\x04"):
        raise ValueError(
            f"{name} is a zip archive (an Excel workbook?): name it .xlsx "
            "or .zip, or save the sheet as CSV"
        )
    if b"\x00" in head:
        raise ValueError(
            f"{name} looks binary, not a CSV/TSV text file (tables are read "
            "from CSV/TSV, .gz/.bz2/.zip/.xz, parquet or .xlsx files)"
        )
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as err:
        if len(head) < HEAD or err.start < len(head) - 4:
            raise ValueError(
                f"{name} is not UTF-8 text ({err.reason} at byte "
                f"{err.start}); save it as a UTF-8 CSV"
            ) from None
        return head[: err.start].decode("utf-8")  # a character cut at HEAD


def _refuse_duplicates(name, header):
    """pandas would rename a second `label` column `label.1` and keep it."""
    seen, twice = set(), []
    for column in header:
        if column in seen and column not in twice:
            twice.append(column)
        seen.add(column)
    if twice:
        raise ValueError(
            f"{name}: duplicate column names {twice}; rename them (a copy "
            "of the label would be used as a feature)"
        )


def _lines(text, sep):
    """The cells of a table's first 20 non-empty lines (the last may be cut
    off at `HEAD`, so it is left out when there are more)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 2:
        lines = lines[:-1]
    return list(csv.reader(lines[:20], delimiter=sep))


def sniff_separator(text, default=","):
    """The separator of a text table, from its first lines.

    The candidate (comma, semicolon, tab, pipe) that splits the header into
    two or more cells and every line into as many wins; among several, the
    one giving the most cells. Otherwise `csv.Sniffer`'s guess, else
    `default`.

    Example:
    >>> sniff_separator("a;b;label\\n1,5;2;x\\n")
    ';'
    """
    counts = {}
    for sep in SEPARATORS:
        widths = {len(row) for row in _lines(text, sep)}
        if len(widths) == 1 and min(widths) > 1:
            counts[sep] = widths.pop()
    if counts:
        best = max(counts.values())
        tied = [s for s in SEPARATORS if counts.get(s) == best]
        return default if default in tied else tied[0]
    sample = "\n".join(text.splitlines()[:20])
    try:
        return (
            csv.Sniffer()
            .sniff(sample, delimiters="".join(SEPARATORS))
            .delimiter
        )
    except csv.Error:
        return default


def sniff_decimal(text, sep):
    """`,` when a table not separated by commas writes `14,23`, else `.`.

    Example:
    >>> sniff_decimal("a;b\\n14,23;1\\n", ";")
    ','
    """
    if sep == ",":
        return "."
    cells = [cell.strip() for row in _lines(text, sep)[1:] for cell in row]
    comma = any(_DECIMAL_COMMA.match(cell) for cell in cells)
    point = any(_DECIMAL_POINT.match(cell) for cell in cells)
    return "," if comma and not point else "."


def split_label(frame, label, features=None, drop=None):
    """The feature columns and labels of a table, checked.

    `aos_keras.tables.split_table`, whose warnings (a column that looks like
    an ID, a label that looks like a regression target) are returned rather
    than raised, then `check_finite` on the features.

    Args:
        frame: DataFrame, as `read_table` returns it.
        label: str. The label column.
        features: list of str or None. The feature columns.
        drop: list of str or None. Columns that are not features.

    Returns:
        `(features DataFrame, labels array, warnings)`, `warnings` a list of
        str.

    Raises:
        ValueError: `split_table`'s errors, or an infinite cell.
    """
    from aos_keras.tables.encoder import split_table

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x, y = split_table(frame, label, features=features, drop=drop)
    check_finite(x)
    return x, label_values(frame, label, y), [str(w.message) for w in caught]


def label_values(frame, label, parsed=None):
    """The labels of a table as written in its file.

    A text table's label column was parsed as numbers by `read_table` when
    every cell looks like one; its cells are read again as text and kept as
    text unless each is its number's own spelling
    (`aos_keras.labels.as_written`): `01`, `1` and `2` are three classes.
    Tables not read from text (parquet, Excel, a DataFrame), reordered since
    they were read, or with a missing label keep their parsed values.

    Args:
        frame: DataFrame, as `read_table` returns it.
        label: str. The label column.
        parsed: 1-D array or None. The column's values (default
            `frame[label]`).

    Returns:
        1-D numpy array of labels.
    """
    from aos_keras.tables.labels import as_written

    parsed = frame[label].to_numpy() if parsed is None else parsed
    source = frame.attrs.get(TEXT_SOURCE)
    as_read = frame.index.equals(pd.RangeIndex(len(frame)))
    if source is None or not as_read or frame[label].dtype.kind not in "biuf":
        return parsed
    text = source.text(label)
    if len(text) != len(parsed) or text.isna().any():
        return parsed
    return as_written(text.to_numpy(dtype=object), parsed)


def check_finite(frame, shown=5):
    """Refuse infinite cells, naming the column and its data rows.

    Data row 1 is the first row after the header (the frame's first row).

    Raises:
        ValueError: a numeric column holds `inf` or `-inf`.

    Example:
    >>> check_finite(pd.DataFrame({"x": [1.0, np.inf]}))
    Traceback (most recent call last):
    ValueError: column 'x' has infinite values on data row 2; ...
    """
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind != "f":
            continue
        rows = np.flatnonzero(np.isinf(values.to_numpy())) + 1
        if len(rows):
            listed = ", ".join(str(r) for r in rows[:shown])
            more = f" and {len(rows) - shown} more" if len(rows) > shown else ""
            word = "row" if len(rows) == 1 else "rows"
            raise ValueError(
                f"column {column!r} has infinite values on data {word} "
                f"{listed}{more}; replace them (an empty cell is imputed) or "
                "drop the column"
            )
