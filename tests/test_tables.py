"""`TableEncoder`: mixed tables to model space and back, exactly."""

import json

import numpy as np
import pandas as pd
import pytest

from aos_keras.tables.encoder import SpecEncoder, TableEncoder, split_table

pytestmark = pytest.mark.backend_independent


def mixed_frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "dose": rng.normal(3.0, 2.0, n),
            "age": rng.integers(18, 90, n),
            "colour": rng.choice(["red", "green", "blue"], n),
            "smoker": rng.integers(0, 2, n).astype(bool),
            "grade": pd.Categorical(rng.choice(["a", "b"], n)),
        }
    )
    return frame


def test_round_trip_keeps_values_and_dtypes():
    frame = mixed_frame()
    enc = TableEncoder().fit(frame)
    back = enc.inverse_transform(enc.transform(frame))
    assert list(back.columns) == list(frame.columns)
    assert back.dtypes.equals(frame.dtypes)
    np.testing.assert_allclose(back["dose"], frame["dose"], rtol=1e-5)
    assert (back["age"] == frame["age"]).all()
    for c in ("colour", "smoker", "grade"):
        assert (back[c] == frame[c]).all()


def test_layout_numeric_first_then_one_hot_blocks():
    frame = mixed_frame()
    enc = TableEncoder().fit(frame)
    assert enc.numeric_ == ["dose", "age", "smoker"]  # booleans are 0/1
    assert enc.nominal_ == ["colour", "grade"]
    assert enc.nominal_blocks_ == [(3, 6), (6, 8)]
    z = enc.transform(frame)
    assert z.shape == (60, 8) and z.dtype == np.float32
    for a, b in enc.nominal_blocks_:
        np.testing.assert_array_equal(z[:, a:b].sum(axis=1), 1.0)


def test_convex_combination_decodes_to_the_largest_vote():
    frame = mixed_frame()
    enc = TableEncoder().fit(frame)
    z = enc.transform(frame.iloc[:3])
    mix = 0.5 * z[0] + 0.3 * z[1] + 0.2 * z[2]
    row = enc.inverse_transform(mix[None])
    votes = {}
    for w, colour in zip((0.5, 0.3, 0.2), frame["colour"].iloc[:3]):
        votes[colour] = votes.get(colour, 0) + w
    assert row["colour"].iloc[0] == max(votes, key=votes.get)
    assert row["age"].dtype == frame["age"].dtype


def test_missing_cells_are_imputed_from_training_rows_only():
    frame = mixed_frame()
    frame.loc[[0, 1], "dose"] = np.nan
    frame.loc[[2], "colour"] = None
    train, test = frame.iloc[:40], frame.iloc[40:].copy()
    test["dose"] = 1e6  # a leak would move the training statistics
    enc = TableEncoder().fit(train)
    scaler = enc.transformer_.named_transformers_["numeric"]["scale"]
    assert scaler.mean_[0] == pytest.approx(
        np.nanmedian(train["dose"]) * 2 / 40 + train["dose"].sum() / 40
    )
    z = enc.transform(frame.iloc[:3])
    assert np.isfinite(z).all()
    mode = train["colour"].mode().iloc[0]
    assert enc.inverse_transform(z)["colour"].iloc[2] == mode


def test_unseen_category_policy():
    frame = mixed_frame()
    new = frame.iloc[:2].copy()
    new["colour"] = "purple"
    z = TableEncoder().fit(frame).transform(new)
    np.testing.assert_array_equal(z[:, 3:6], 0.0)
    with pytest.raises(ValueError, match="unknown="):
        TableEncoder(unknown="error").fit(frame).transform(new)


def test_clear_errors():
    frame = mixed_frame()
    with pytest.raises(ValueError, match="entirely missing"):
        TableEncoder().fit(frame.assign(empty=np.nan))
    ids = frame.assign(id=[f"p{i}" for i in range(len(frame))])
    with pytest.raises(ValueError, match="'id' has 60 distinct"):
        TableEncoder(max_categories=50).fit(ids)
    dup = pd.concat([frame, frame[["age"]]], axis=1)
    with pytest.raises(ValueError, match="duplicate column"):
        TableEncoder().fit(dup)
    enc = TableEncoder().fit(frame)
    with pytest.raises(ValueError, match="lacks the columns \\['age'\\]"):
        enc.transform(frame.drop(columns=["age"]))
    with pytest.raises(ValueError, match="columns \\['label'\\] the model"):
        enc.transform(frame.assign(label=1))


def test_columns_are_matched_by_name():
    frame = mixed_frame()
    enc = TableEncoder().fit(frame)
    reordered = frame[list(reversed(frame.columns))]
    np.testing.assert_array_equal(
        enc.transform(reordered), enc.transform(frame)
    )
    spec = SpecEncoder(enc.serving_spec())
    np.testing.assert_array_equal(
        spec.transform(reordered), spec.transform(frame)
    )


def test_dates_mixed_types_and_huge_values_get_their_own_messages():
    frame = mixed_frame()
    n = len(frame)
    dates = pd.date_range("2020-01-01", periods=n).strftime("%Y-%m-%d")
    with pytest.raises(ValueError, match="max_categories`=10.*date column"):
        TableEncoder(max_categories=10).fit(frame.assign(when=dates))
    with pytest.raises(ValueError, match="date column"):
        TableEncoder(max_categories=10).fit(
            frame.assign(when=pd.to_datetime(dates))
        )
    mixed = [str(i) if i % 7 else "n/a" for i in range(n)]
    with pytest.raises(ValueError, match="mixed types"):
        TableEncoder(max_categories=10).fit(frame.assign(code=mixed))
    huge = frame.assign(dose=frame["dose"].where(frame.index != 4, 1e300))
    with pytest.raises(ValueError, match="'dose' has values too large.*rows 5"):
        TableEncoder().fit(huge)
    inf = frame.assign(dose=frame["dose"].where(frame.index != 2, np.inf))
    with pytest.raises(ValueError, match="'dose' has infinite.*data rows 3\\)"):
        TableEncoder().fit(inf)


def test_unknown_error_works_from_the_json_spec():
    frame = mixed_frame()
    enc = TableEncoder(unknown="error").fit(frame)
    spec = SpecEncoder(json.loads(json.dumps(enc.serving_spec())))
    new = frame.assign(colour=frame["colour"].where(frame.index != 1, "pink"))
    with pytest.raises(ValueError, match="'colour'.*'pink'.*data rows 2\\)"):
        spec.transform(new)


def test_arrays_get_generated_names():
    x = np.arange(12.0).reshape(6, 2)
    enc = TableEncoder().fit(x)
    assert enc.columns_ == ["f0", "f1"] and enc.nominal_blocks_ == []
    np.testing.assert_allclose(
        enc.inverse_transform(enc.transform(x)).to_numpy(), x, atol=1e-5
    )


def test_serving_spec_reproduces_transform():
    frame = mixed_frame()
    frame.loc[0, "dose"] = np.nan
    enc = TableEncoder().fit(frame)
    spec = enc.serving_spec()
    assert [c["name"] for c in spec["columns"]] == list(frame.columns)
    assert spec["order"] == ["dose", "age", "smoker", "colour", "grade"]
    parts = {}
    for col in spec["columns"]:
        values = frame[col["name"]]
        if col["kind"] == "numeric":
            v = values.astype(float).fillna(col["fill"]).to_numpy()
            parts[col["name"]] = ((v - col["mean"]) / col["scale"])[:, None]
        else:
            v = values.astype(str).to_numpy()[:, None]
            parts[col["name"]] = (v == np.array(col["categories"])) * 1.0
    manual = np.concatenate([parts[c] for c in spec["order"]], axis=1)
    np.testing.assert_allclose(manual, enc.transform(frame), atol=1e-5)


def test_infinite_and_non_numeric_cells_are_named():
    frame = mixed_frame()
    enc = TableEncoder().fit(frame)
    with pytest.raises(ValueError, match="'dose' has infinite"):
        enc.transform(frame.assign(dose=np.inf))
    with pytest.raises(ValueError, match="'age' was numeric"):
        enc.transform(frame.assign(age="old"))


def patient_table(n=40):
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "patient": [f"p{i:03d}" for i in range(n)],  # an ID
            "age": rng.integers(20, 30, n),  # repeats: not an ID
            "dose": rng.normal(size=n),  # floats: never an ID
            "outcome": ["ok"] * (n - 8) + ["relapse"] * 8,
        }
    )


def test_split_table_flags_dates_and_numbers_read_as_text():
    """Dates read as text (10 distinct days, repeated), and numbers with a
    '?' among them, are categories: the split says so instead of one-hot
    encoding them without a word."""
    days = [f"{1 + i % 10:02d}/03/2020" for i in range(40)]
    frame = patient_table().assign(seen=days)
    with pytest.warns(UserWarning) as caught:
        split_table(frame, "outcome", drop=["patient"])
    assert [str(w.message) for w in caught] == [
        "column 'seen' looks like dates; it is used as a nominal feature "
        "(one category per date, their order lost): convert it to numbers "
        "(for example days since a reference date, or year and month "
        "columns) or name it in `drop`"
    ]
    dose = frame["dose"].round(2).astype(object)
    dose[[3, 7]] = "?"  # a missing-value marker: the numbers are text
    with pytest.warns(UserWarning, match=r"'dose' mixes numbers and text"):
        split_table(
            frame.assign(dose=dose), "outcome", drop=["patient", "seen"]
        )
    text = frame["dose"].astype(str)  # read with another decimal mark
    with pytest.warns(UserWarning, match=r"'dose' holds numbers read as text"):
        split_table(
            frame.assign(dose=text), "outcome", drop=["patient", "seen"]
        )


def test_split_table_chooses_the_columns():
    import warnings

    frame = patient_table()
    with pytest.warns(UserWarning) as caught:
        x, y = split_table(frame, "outcome")
    assert list(x.columns) == ["patient", "age", "dose"]
    assert [str(w.message) for w in caught] == [
        "column 'patient' has a different value in every row (an ID?); it "
        "is used as a feature unless `drop` names it"
    ]
    assert isinstance(y, np.ndarray) and y.tolist() == frame["outcome"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning once the ID is dropped
        x, _ = split_table(frame, "outcome", drop=["patient"])
        assert list(x.columns) == ["age", "dose"]
        x, _ = split_table(frame, "outcome", features=["dose", "age"])
        assert list(x.columns) == ["dose", "age"]  # in the order given
        x, _ = split_table(frame, "outcome", features="dose")  # one name
        assert list(x.columns) == ["dose"]
    x.loc[0, "dose"] = 99.0
    assert frame.loc[0, "dose"] != 99.0  # a copy


def test_split_table_asks_about_a_regression_target():
    frame = patient_table(100).assign(outcome=np.arange(100) * 0.5)
    with pytest.warns(UserWarning) as caught:
        split_table(frame, "outcome", drop="patient")
    assert [str(w.message) for w in caught] == [
        "the label 'outcome' looks like a regression target (non-integer "
        "numbers such as 0.5); AO/DO classify: bin it into classes or use a "
        "regression model."
    ]


def test_split_table_stays_quiet_on_small_tables():
    import warnings

    frame = patient_table(19).assign(outcome=np.arange(19.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, _ = split_table(frame, "outcome")
    assert list(x.columns) == ["patient", "age", "dose"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(label="nope"), "label column 'nope' not in the table; columns "
         "are ['patient', 'age', 'dose', 'outcome']; name the label column "
         "with `label`"),
        (dict(drop=["nope", "age"]), "columns ['nope'] not in the table"),
        (dict(features=["age", "outcome"]),
         "`features` names the label column 'outcome'"),
        (dict(features=["age", "age"]), "`features` names ['age'] more than "
         "once"),
        (dict(features=["age"], drop=["dose"]),
         "give `features` or `drop`, not both"),
        (dict(drop=["patient", "age", "dose"]),
         "no feature column left (see `features` / `drop`)"),
    ],
)  # fmt: skip
def test_split_table_errors(kwargs, message):
    kwargs = {"label": "outcome", **kwargs}
    with pytest.raises(ValueError) as info:
        split_table(patient_table(), **kwargs)
    assert str(info.value).startswith(message)


def test_split_table_refuses_duplicate_names():
    frame = pd.DataFrame([[1, "a", "b"]], columns=["x", "label", "label"])
    with pytest.raises(ValueError, match=r"duplicate column names \['label'\]"):
        split_table(frame, "label")
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        split_table(frame.to_numpy(), "label")
