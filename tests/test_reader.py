"""`aos_keras.reader`: the one reader of tables (no Keras needed)."""

import bz2
import gzip
import io
import lzma
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest

from aos_keras.tables import reader

pytestmark = pytest.mark.backend_independent

FRAME = pd.DataFrame(
    {"age": [71, 58, 33], "dose": [14.23, -0.5, 2.0], "label": ["a", "b", "a"]}
)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is empty"),
        (b"a,b,label\n", "has a header but no rows"),
        (b"a,label,label\n1,x,y\n", "duplicate column names ['label']"),
        (b"\x7fELF\x02\x01\x00\x00binary", "looks binary"),
        (b"PK\x03\x04\x14\x00\x00", "zip archive (an Excel workbook?)"),
        (b"a,label\n1,\xe9t\xe9\n", "is not UTF-8 text"),
    ],
)
def test_unreadable_tables_get_a_message_that_says_why(tmp_path, content,
                                                       words):  # fmt: skip
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError) as info:
        reader.read_table(str(path))
    assert words in str(info.value)


def test_the_separator_is_sniffed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b;label\n1.5;2;x\n3.5;4;y\n")
    frame = reader.read_table(str(path))
    assert list(frame.columns) == ["a", "b", "label"] and len(frame) == 2
    assert frame["a"].tolist() == [1.5, 3.5]


def test_decimal_commas_of_a_semicolon_table_are_numbers(tmp_path):
    # Issue 24 item 2: `14,23` was a category, one-hot encoded.
    path = tmp_path / "t.csv"
    FRAME.to_csv(path, sep=";", decimal=",", index=False)
    assert "14,23" in path.read_text()
    frame = reader.read_table(str(path))
    pd.testing.assert_frame_equal(frame, FRAME)
    path.write_text("x;label\n1,5;a\n2;b\n")  # an integer beside 1,5
    assert reader.read_table(str(path))["x"].tolist() == [1.5, 2.0]


def test_sep_and_decimal_can_be_given(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("x|label\n1,5|a\n2,5|b\n")
    frame = reader.read_table(str(path), sep="|", decimal=",")
    assert frame["x"].tolist() == [1.5, 2.5]
    frame = reader.read_table(str(path), sep="|", decimal=".")
    assert frame["x"].tolist() == ["1,5", "2,5"]  # as asked


@pytest.mark.parametrize(
    "suffix, opener",
    [(".csv.gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)],
)
def test_compressed_tables_are_read(tmp_path, suffix, opener):
    path = tmp_path / f"t{suffix}"
    with opener(path, "wt") as f:
        FRAME.to_csv(f, sep=";", decimal=",", index=False)
    pd.testing.assert_frame_equal(reader.read_table(str(path)), FRAME)


def test_a_zipped_table_is_read(tmp_path):
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("t.csv", FRAME.to_csv(index=False))
    pd.testing.assert_frame_equal(reader.read_table(str(path)), FRAME)


def test_standard_input_is_read_also_compressed(monkeypatch):
    text = FRAME.to_csv(index=False).encode()
    for data in (text, gzip.compress(text)):
        stdin = io.TextIOWrapper(io.BytesIO(data))
        monkeypatch.setattr(sys, "stdin", stdin)
        pd.testing.assert_frame_equal(reader.read_table("-"), FRAME)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(ValueError, match="standard input is empty"):
        reader.read_table("-")


def test_excel_without_openpyxl_says_what_to_do(tmp_path, monkeypatch):
    import importlib.util

    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "openpyxl" else real(name, *a),
    )
    with pytest.raises(ValueError) as info:
        reader.read_table(str(path))
    message = str(info.value)
    assert (
        "pip install openpyxl" in message and "save the sheet as CSV" in message
    )


def test_excel_is_read_with_openpyxl(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "t.xlsx"
    FRAME.to_excel(path, index=False)
    pd.testing.assert_frame_equal(reader.read_table(str(path)), FRAME)


def test_infinite_cells_are_named_by_column_and_data_row():
    # Issue 24 item 10: data row 1 is the first row after the header.
    frame = pd.DataFrame(
        {"x": np.arange(80.0), "y": ["a", "b"] * 40, "id": np.arange(80)}
    )
    frame.loc[[2, 49, 76], "x"] = [np.inf, -np.inf, np.inf]
    with pytest.raises(ValueError) as info:
        reader.split_label(frame, "y")
    assert "column 'x' has infinite values on data rows 3, 50, 77" in str(
        info.value
    )
    x, y, notes = reader.split_label(frame, "y", drop=["x"])
    assert list(x.columns) == ["id"] and len(y) == 80
    assert notes and "'id' has a different value in every row" in notes[0]


def test_sniffing_helpers():
    assert reader.sniff_separator("a\tb\n1\t2\n") == "\t"
    assert reader.sniff_separator("a,b\n1,2\n") == ","
    assert reader.sniff_separator("x\n1\n", default=";") == ";"
    assert reader.sniff_decimal("a;b\n14,23;1\n", ";") == ","
    assert reader.sniff_decimal("a;b\n14.23;1,5\n", ";") == "."
    assert reader.sniff_decimal("a,b\n14,23\n", ",") == "."
