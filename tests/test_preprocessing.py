"""`TablePreprocessor`: a table's columns, encoding and classes, as JSON."""

import json

import numpy as np
import pandas as pd
import pytest

from aos_keras.tables.preprocessing import TablePreprocessor

pytestmark = pytest.mark.backend_independent


def table(n=40, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "dose": rng.normal(3.0, 2.0, n),
            "age": rng.integers(18, 90, n),
            "colour": rng.choice(["red", "green", "blue"], n),
        }
    )
    frame.loc[1, "dose"] = np.nan
    return frame, np.array(["no", "yes"] * (n // 2))


def test_json_round_trip_gives_the_same_rows_labels_and_tables():
    frame, y = table()
    prep = TablePreprocessor.fit(frame, y)
    again = TablePreprocessor.from_config(
        json.loads(json.dumps(prep.get_config()))
    )
    x = prep.transform(frame)
    np.testing.assert_array_equal(again.transform(frame), x)
    np.testing.assert_array_equal(again.encode_labels(y), prep.encode_labels(y))
    assert again.classes_.tolist() == ["no", "yes"]
    assert again.decode(np.array([[0.9, 0.1], [0.2, 0.8]])).tolist() == [
        "no",
        "yes",
    ]
    back = again.inverse_transform(x)
    assert list(back.columns) == list(frame.columns)
    assert back.dtypes.equals(frame.dtypes)


def test_columns_by_name_and_the_whole_file_selection():
    frame, y = table()
    prep = TablePreprocessor.fit(frame, y)
    x = prep.transform(frame)
    np.testing.assert_array_equal(prep.transform(frame[frame.columns[::-1]]), x)
    whole = frame.assign(label=y, row_id=range(len(y)))
    np.testing.assert_array_equal(prep.transform(prep.select(whole)), x)
    with pytest.raises(ValueError, match=r"columns \['label', 'row_id'\]"):
        prep.transform(whole)
    with pytest.raises(
        ValueError, match=r"lacks the model's feature columns \['age'\]"
    ):
        prep.select(whole.drop(columns="age"))


def test_numbers_taken_as_they_are_keep_their_names():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(10, 3)), columns=["u", "v", "w"])
    y = np.array([0, 1] * 5)
    prep = TablePreprocessor.fit(frame, y)
    assert prep.identity and prep.named and prep.columns_ == ["u", "v", "w"]
    np.testing.assert_array_equal(
        prep.transform(frame[["w", "u", "v"]]), frame.to_numpy("float32")
    )
    array = TablePreprocessor.fit(frame.to_numpy(), y)
    assert array.identity and not array.named
    # Rows from an array: any 2-D input is taken by position.
    np.testing.assert_array_equal(
        array.transform(frame[["w", "u", "v"]]),
        frame[["w", "u", "v"]].to_numpy("float32"),
    )
    assert TablePreprocessor.identity(3, [0, 1]).get_config()["named"] is False


def test_unknown_categories_error_from_the_config():
    frame, y = table()
    prep = TablePreprocessor.fit(frame, y, unknown="error")
    again = TablePreprocessor.from_config(
        json.loads(json.dumps(prep.get_config()))
    )
    new = frame.assign(colour="pink")
    with pytest.raises(ValueError, match="'colour'.*'pink'"):
        again.transform(new)


def test_a_feature_column_holding_the_labels_is_flagged():
    frame, y = table()
    with pytest.warns(UserWarning, match="'label' holds the labels"):
        TablePreprocessor.fit(frame.assign(label=y), y)
