"""Messages a user can act on (issue 29, items 13 and 14): a duration
column says how to convert it; text in a numeric column names every bad
cell (the first five) by its data row, counted from 1 as the docs count,
and a DataFrame's index label."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from aos_keras import AdversarialOversampler, TableEncoder, cli
from aos_keras.tables.columns import split_table
from aos_keras.tables.preprocessing import TablePreprocessor

TINY = dict(
    latent_dim=4,
    generator_units=(8, 4),
    critic_units=(8,),
    classifier_units=(8,),
)
DURATION = (
    "Nominal column 'wait' has 120 distinct values (more than "
    "`max_categories`=100): it looks like a duration (timedelta) column: "
    "convert it to numbers (for example its seconds: "
    "column.dt.total_seconds() in pandas, "
    "pandas.to_timedelta(column).dt.total_seconds() for text) or drop it, "
    "or raise `max_categories`."
)


def _waits(rows=120, distinct=120):
    seconds = np.arange(rows) % distinct * 37 + 5
    return pd.DataFrame(
        {
            "x": np.linspace(0.0, 1.0, rows),
            "wait": pd.to_timedelta(seconds, unit="s"),
        }
    )


@pytest.mark.backend_independent
def test_a_timedelta_column_says_how_to_convert_it(tmp_path):
    """Item 13: it was called 'an ID or free-text column'."""
    frame = _waits()
    with pytest.raises(ValueError, match=f"^{re.escape(DURATION)}$"):
        TableEncoder().fit(frame)
    path = tmp_path / "waits.csv"
    frame.to_csv(path, index=False)  # "0 days 00:00:05": text in the file
    text = pd.read_csv(path)
    assert not pd.api.types.is_timedelta64_dtype(text["wait"])
    with pytest.raises(ValueError, match=f"^{re.escape(DURATION)}$"):
        TableEncoder().fit(text)


@pytest.mark.backend_independent
def test_a_few_durations_are_named_when_the_table_is_split():
    """A duration column with few values is one-hot encoded: the split
    warns and says how to convert it, as it does for dates."""
    frame = _waits(rows=40, distinct=4).assign(y=["a"] * 30 + ["b"] * 10)
    note = (
        "column 'wait' looks like durations; it is used as a nominal "
        "feature (one category per duration, their order lost): convert it "
        "to numbers (for example its seconds: column.dt.total_seconds() in "
        "pandas) or name it in `drop`"
    )
    for table in (frame, frame.astype({"wait": str})):
        with pytest.warns(UserWarning, match=f"^{re.escape(note)}$"):
            split_table(table, "y")


def _text_cells(rows=40):
    """A numeric frame and a copy with text in 7 cells of column 'b'."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.normal(size=rows), "b": rng.normal(size=rows)}
    )
    bad = frame.astype({"b": object})
    words = ["abc", "unknown", "?", "x", "abc", "--", "high"]
    for row, word in zip([4, 9, 11, 12, 20, 30, 33], words):
        bad.loc[row, "b"] = word
    return frame, bad


TEXT = (
    "column 'b' was numeric in training but holds text in 7 cells: 'abc' "
    "on data row 5, 'unknown' on data row 10, '?' on data row 12, 'x' on data "
    "row 13, 'abc' on data row 21 and 2 more; replace them with numbers"
)


@pytest.mark.backend_independent
@pytest.mark.parametrize("missing", [False, True])
def test_text_in_a_numeric_column_names_every_bad_cell(missing):
    """Item 14: 'at position 4' (from 0) and only the first cell."""
    frame, bad = _text_cells()
    if missing:
        frame.loc[3, "a"] = np.nan  # an encoder that imputes
    y = np.array([0] * 30 + [1] * 10)
    prep = TablePreprocessor.fit(frame, y)
    assert prep.identity != missing
    expected = TEXT + (" (an empty cell is imputed)." if missing else ".")
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        prep.transform(bad)
    encoder = TableEncoder().fit(frame)
    imputed = TEXT + " (an empty cell is imputed)."
    with pytest.raises(ValueError, match=f"^{re.escape(imputed)}$"):
        encoder.transform(bad)


@pytest.mark.backend_independent
def test_text_cells_of_a_frame_name_their_index_label():
    frame = _text_cells()[0].head(10).copy()
    frame.loc[3, "a"] = np.nan
    prep = TablePreprocessor.fit(frame, np.array([0] * 7 + [1] * 3))
    bad = frame.astype({"b": object})
    bad.loc[4, "b"], bad.loc[9, "b"] = "abc", "unknown"
    bad.index = [f"r{i}" for i in range(10)]
    expected = (
        "column 'b' was numeric in training but holds text in 2 cells: "
        "'abc' on data row 5 (index 'r4'), 'unknown' on data row 10 "
        "(index 'r9'); replace them with numbers (an empty cell is imputed)."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        prep.transform(bad)
    bad.index = range(100, 110)
    bad.loc[104, "b"] = 1.0
    expected = (
        "column 'b' was numeric in training but holds text in 1 cell: "
        "'unknown' on data row 10 (index 109); replace them with numbers "
        "(an empty cell is imputed)."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        prep.transform(bad)


def test_predict_names_the_data_rows_of_text_cells(tmp_path, capsys):
    """`aos-keras predict` on a file with text in a numeric column."""
    frame, bad = _text_cells()
    frame.loc[3, "a"] = np.nan
    y = np.array(["p"] * 30 + ["q"] * 10)
    model = AdversarialOversampler.from_data(frame, y, seed=0, **TINY)
    folder = tmp_path / "run"
    folder.mkdir()
    model.save(folder / "model.keras")
    from aos_keras.cli import model_folder

    prep = model_folder.preprocessing(frame, "y", model.preprocessor)
    prep["classes"] = model.classes_.tolist()
    (folder / "preprocessing.json").write_text(json.dumps(prep))
    path = tmp_path / "new.csv"
    bad.to_csv(path, index=False)
    capsys.readouterr()
    argv = [
        "predict",
        str(folder),
        str(path),
        "--output",
        str(tmp_path / "p.csv"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert TEXT + " (an empty cell is imputed)." in err
