"""Bad input at every public entry: the error type and a message that says
what to do. Good input of every accepted type goes through."""

import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_imbalanced

from aos_keras import AdversarialOversampler
from aos_keras.baselines import MethodNotApplicable, make_method
from aos_keras.datasets import load_dataset
from aos_keras.tables import checks
from aos_keras.tables.labels import (
    check_classes,
    check_labels,
    check_target,
    encode_labels,
)


def _finite(model):
    return all(
        np.isfinite(keras.ops.convert_to_numpy(v)).all() for v in model.weights
    )


@pytest.fixture(scope="module")
def data():
    return make_imbalanced()


@pytest.fixture(scope="module")
def fitted(data):
    """A tiny model on string labels, fitted for one epoch."""
    x, y = data
    labels = np.where(y == 1, "rare", "common")
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, labels, seed=0, **TINY)
    model.compile()
    model.fit(x, labels, epochs=1, batch_size=16, verbose=0)
    return model


# ------------------------------------------------------------- features
FRAME = pd.DataFrame({"age": [1.0, 2.0, 3.0], "income": [4.0, 5.0, 6.0]})


@pytest.mark.parametrize(
    "x, error, match",
    [
        (
            FRAME.assign(income=[1.0, np.nan, 2.0]),
            ValueError,
            r"columns \['income'\].*Impute",
        ),
        (
            FRAME.assign(age=[np.inf, 1.0, 2.0]),
            ValueError,
            r"infinite values in columns \['age'\]",
        ),
        (
            FRAME.assign(age=pd.array([1, None, 3], dtype="Int64")),
            ValueError,
            r"NA.*\['age'\].*SimpleImputer",
        ),
        (
            FRAME.assign(city=["a", "b", "c"]),
            TypeError,
            r"non-numeric columns \['city \(.*\)'\].*OneHotEncoder",
        ),
        (
            FRAME.assign(city=pd.Categorical(["a", "b", "a"])),
            TypeError,
            r"city \(category\).*Encode",
        ),
        (
            FRAME.assign(when=pd.to_timedelta([1, 2, 3], unit="s")),
            TypeError,
            "when",
        ),
        (np.zeros(5), ValueError, r"2-D.*reshape\(-1, 1\)"),
        (np.zeros((2, 3, 4)), ValueError, "2-D"),
        (np.zeros((0, 3)), ValueError, "empty.*at least one"),
        (np.zeros((3, 0)), ValueError, "no feature columns"),
        (np.array([["a", "b"]]), TypeError, "Encode"),
        (np.ones((2, 2), dtype=complex), TypeError, "complex"),
        ([[1.0, 2.0], [3.0]], TypeError, "list of equal-length rows"),
        (np.full((2, 2), 1e30), ValueError, "1e\\+30.*Standardise"),
    ],
    ids=lambda v: None if not isinstance(v, type) else v.__name__,
)
def test_check_features_errors(x, error, match):
    with pytest.raises(error, match=match):
        checks.check_features(x)


def test_sparse_features_ask_for_a_dense_array():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match=r"toarray\(\)"):
        checks.check_features(sparse.csr_matrix(np.eye(3)))


@pytest.mark.parametrize(
    "x",
    [
        np.arange(6, dtype="float32").reshape(3, 2),
        np.arange(6, dtype="float64").reshape(3, 2),
        np.arange(6, dtype="int64").reshape(3, 2),
        np.arange(6, dtype="uint8").reshape(3, 2),
        [[0, 1], [2, 3], [4, 5]],
        pd.DataFrame(
            {
                "a": pd.array([0, 2, 4], dtype="Int64"),
                "b": pd.array([1.0, 3.0, 5.0], dtype="Float64"),
            }
        ),
    ],
)
def test_numeric_and_nullable_dtypes_are_accepted(x):
    got = checks.check_features(x)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.arange(6).reshape(3, 2))


def test_bool_features_are_accepted():
    frame = pd.DataFrame(
        {
            "flag": pd.array([True, False], dtype="boolean"),
            "raw": np.array([False, True]),
        }
    )
    np.testing.assert_array_equal(
        checks.check_features(frame), [[1, 0], [0, 1]]
    )


# --------------------------------------------------------------- labels
@pytest.mark.parametrize(
    "y, num_rows, error, match",
    [
        (np.eye(3), None, ValueError, r"one-hot.*argmax"),
        ([], None, ValueError, "empty"),
        ([0, 1], 3, ValueError, "3 rows but y has 2 labels"),
        ([0, np.nan, 1], None, ValueError, "missing labels.*Drop"),
        (pd.Series([1, None], dtype="Int64"), None, ValueError, "missing"),
        (pd.DataFrame({"a": [0], "b": [1]}), None, ValueError, "one column"),
    ],
)
def test_check_labels_errors(y, num_rows, error, match):
    with pytest.raises(error, match=match):
        check_labels(y, num_rows=num_rows)


def test_check_classes_errors():
    with pytest.raises(ValueError, match="single class.*every class"):
        check_classes(np.array([3, 3, 3]))
    with pytest.raises(TypeError, match="one type"):
        check_classes(np.array([1, "a"], dtype=object))
    with pytest.raises(ValueError, match=r"\[\(1, 1\)\].*at least 2"):
        check_classes(np.array([0, 0, 1]), min_rows=2)


def test_labels_of_mixed_types_have_one_message():
    """1 and "1" are refused by the one label check, so both wrappers say
    so instead of scikit-learn's "Unknown label type: unknown"."""
    from aos_keras import AOSClassifier, AOSSampler

    x = np.zeros((8, 2))
    y = np.array([0, 1, "1", 0] * 2, dtype=object)
    for call in (
        lambda: check_target(y),
        lambda: AOSClassifier(epochs=1).fit(x, y),
        lambda: AOSSampler(epochs=1).fit_resample(x, y),
    ):
        with pytest.raises(TypeError, match="y mixes labels.*one type"):
            call()


def test_unseen_labels_name_the_classes_plainly():
    with pytest.raises(ValueError, match=r"known classes: \['a', 'b'\]\)"):
        encode_labels(np.array(["c"]), np.array(["a", "b"]))


def test_nullable_labels_are_accepted():
    y = check_labels(pd.Series([2, 1, 2], dtype="Int64"))
    classes, counts, codes = check_classes(y)
    assert classes.tolist() == [1, 2] and codes.tolist() == [1, 0, 1]


# ---------------------------------------------------------- model entry
def test_from_data_errors(data):
    x, y = data
    bad = pd.DataFrame(x, columns=["a", "b", "c"]).assign(b=np.nan)
    with pytest.raises(ValueError, match=r"\['b'\].*Impute"):
        AdversarialOversampler.from_data(bad, y)
    with pytest.raises(ValueError, match="48 rows but y has 47"):
        AdversarialOversampler.from_data(x, y[:-1])
    with pytest.raises(ValueError, match="single class"):
        AdversarialOversampler.from_data(x, np.zeros(len(x)))
    with pytest.raises(ValueError, match="empty"):
        AdversarialOversampler.from_data(x[:0], y[:0])
    with pytest.raises(ValueError, match="one-hot"):
        AdversarialOversampler.from_data(x, np.eye(2)[y])
    # A DataFrame with a string column is a table to encode (issue 11,
    # tests/test_mixed_tables.py); a non-numeric array is still refused.
    with pytest.raises(TypeError, match="must hold bool, int or float"):
        AdversarialOversampler.from_data(np.array([["a"]] * len(x)), y)
    with pytest.raises(ValueError, match="Standardise"):
        AdversarialOversampler.from_data(x * 1e30, y)
    for bad_cap, error in [
        (0, ValueError),
        (1.5, TypeError),
        (True, TypeError),
    ]:
        with pytest.raises(error, match="max_anchors"):
            AdversarialOversampler.from_data(x, y, max_anchors=bad_cap)


def test_fit_predict_evaluate_errors(fitted, data):
    x, y = data
    labels = np.where(y == 1, "rare", "common")
    with pytest.raises(ValueError, match="2 features.*fitted with 3.*order"):
        fitted.predict(x[:, :2], verbose=0)
    with pytest.raises(ValueError, match="2 features.*fitted with 3"):
        fitted.fit(x[:, :2], labels, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="Impute"):
        fitted.predict(np.where(x > 1, np.nan, x), verbose=0)
    with pytest.raises(ValueError, match="2-D"):
        fitted.predict(x[0], verbose=0)
    with pytest.raises(ValueError, match="48 rows but y has 47"):
        fitted.fit(x, labels[:-1], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="fit needs labels"):
        fitted.fit(x, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"\['new'\].*not\s+seen.*Drop"):
        fitted.evaluate(x[:3], ["rare", "new", "common"], verbose=0)
    with pytest.raises(ValueError, match="not seen"):
        fitted.fit(
            x,
            labels,
            validation_data=(x[:2], ["new", "rare"]),
            epochs=1,
            verbose=0,
        )
    with pytest.raises(ValueError, match="empty"):
        fitted.predict(x[:0], verbose=0)


def test_sample_errors(fitted):
    with pytest.raises(TypeError, match="dict mapping a class label"):
        fitted.sample([("rare", 3)])
    with pytest.raises(ValueError, match=">= 0"):
        fitted.sample({"rare": -1})
    with pytest.raises(TypeError, match="int number of rows"):
        fitted.sample({"rare": 2.5})
    with pytest.raises(ValueError, match=r"counts has labels \['nope'\]"):
        fitted.sample({"nope": 2})
    with pytest.raises(TypeError, match="seed"):
        fitted.sample({"rare": 2}, seed="x")
    rows, labels = fitted.sample({"rare": 3, "common": 0}, seed=1)
    assert rows.shape == (3, 3) and labels.tolist() == ["rare"] * 3


def test_fit_accepts_pandas_nullable_input(fitted, data):
    x, y = data
    frame = pd.DataFrame(
        {
            "a": pd.array(np.round(x[:, 0] * 10).astype(int), dtype="Int64"),
            "b": pd.array(x[:, 1], dtype="Float64"),
            "c": pd.array(x[:, 2] > 0, dtype="boolean"),
        }
    )
    labels = pd.Series(np.where(y == 1, "rare", "common"), dtype="string")
    history = fitted.fit(frame, labels, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["q_loss"]).all()
    assert _finite(fitted)
    proba = fitted.predict(frame, verbose=0)
    assert proba.shape == (48, 2) and np.isfinite(proba).all()


def test_one_row_per_class_and_fewer_rows_than_the_batch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 3)).astype("float32")
    y = np.array([0] * 8 + [1, 2])  # classes 1 and 2 have one row each
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    model.compile()
    # 10 rows, batch size 32: one smaller batch.
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert np.isfinite(history.history["q_loss"]).all() and _finite(model)
    # A class with one anchor can only generate that row.
    rows, labels = model.sample({1: 2, 2: 1}, seed=0)
    np.testing.assert_allclose(rows, x[[8, 8, 9]], rtol=1e-6)
    assert labels.tolist() == [1, 1, 2]


def test_120_classes_build_and_train_one_epoch():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(120), 2)
    x = (rng.normal(size=(240, 3)) + y[:, None] / 60).astype("float32")
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x, y, seed=0, **TINY)
    # One step. The generator has one head per class, unrolled in the
    # step's graph: TensorFlow's graph optimisation of 120 heads takes
    # ~30 s on 2 cores, so TF runs this step eagerly.
    model.compile(run_eagerly=keras.backend.backend() == "tensorflow")
    history = model.fit(x, y, epochs=1, batch_size=240, verbose=0)
    assert np.isfinite(history.history["q_loss"]).all() and _finite(model)
    assert model.predict(x[:5], verbose=0).shape == (5, 120)


def test_values_near_1e6_train_finite(data):
    x, y = data
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(x * 1e6, y, seed=0, **TINY)
    model.compile()
    history = model.fit(x * 1e6, y, epochs=1, batch_size=16, verbose=0)
    for name in ("d_loss", "g_loss", "q_loss"):
        assert np.isfinite(history.history[name]).all(), name
    assert _finite(model)
    assert np.isfinite(model.predict(x * 1e6, verbose=0)).all()


# ------------------------------------------------------------ baselines
def test_baseline_entry_errors(data):
    x, y = data
    method = make_method("Q", num_classes=2, num_features=3, seed=0)
    with pytest.raises(ValueError, match="Impute"):
        method.fit(np.where(x > 1, np.inf, x), y, epochs=1)
    with pytest.raises(ValueError, match="48 rows but y has 47"):
        method.fit(x, y[:-1], epochs=1)
    with pytest.raises(ValueError, match="2-D"):
        method.fit(x[:, 0], y, epochs=1)
    with pytest.raises(ValueError, match="class indices 0..1"):
        method.fit(x, y + 5, epochs=1)
    with pytest.raises(ValueError, match="fitted with 3"):
        method.predict_proba(x[:, :2])
    with pytest.raises(TypeError, match="non-numeric"):
        method.predict_proba(pd.DataFrame({"s": ["a", "b"]}))
    smote = make_method("SMOTE+Q", num_classes=2, num_features=3, seed=0)
    with pytest.raises(MethodNotApplicable, match="at least 2 rows per class"):
        smote.fit(x[:41], y[:41], epochs=1)  # one minority row


# ------------------------------------------------------------- datasets
def test_dataset_argument_errors():
    # The Table 2 splits' errors: tests/scripts/test_splits.py.
    with pytest.raises(ValueError, match="pima, haberman"):
        load_dataset("adult")
    with pytest.raises(TypeError, match="str"):
        load_dataset(3)


# ------------------------------------- issue 24: messages that say where
def test_bad_cells_are_named_by_column_and_data_row():
    """Item 10: infinities named by column name and data row (first row =
    1), through the model, the wrapper and the table encoder alike."""
    from aos_keras import AOSClassifier

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    frame.loc[[2, 20], "b"] = np.inf  # data rows 3 and 21
    y = np.array([0, 1] * 20)
    where = r"infinite values in 'b' \(data rows 3, 21\)"
    with pytest.raises(ValueError, match=where):
        AdversarialOversampler.from_data(frame, y)
    with pytest.raises(
        ValueError, match=r"'b' has infinite values \(data rows 3, 21\)"
    ):
        AOSClassifier(epochs=1).fit(frame, y)
    mixed = frame.assign(colour=["red", "blue"] * 20)
    with pytest.raises(
        ValueError, match=r"'b' has infinite values \(data rows 3, 21\)"
    ):
        AdversarialOversampler.from_data(mixed, y)


def test_huge_values_are_too_large_not_missing():
    """Item 11: 1e300 is "too large" (column, data row), at every entry."""
    from aos_keras import AOSClassifier

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])
    frame.loc[4, "a"] = 1e300
    y = np.array([0, 1] * 20)
    for call in (
        lambda: AdversarialOversampler.from_data(frame, y),
        lambda: AOSClassifier(epochs=1).fit(frame, y),
        lambda: AOSClassifier(epochs=1).fit(frame.to_numpy(), y),
    ):
        with pytest.raises(ValueError, match="too large") as err:
            call()
        assert "missing" not in str(err.value)
        assert "data rows 5" in str(err.value)


def test_dates_and_mixed_types_say_so_and_max_categories_is_exposed():
    """Item 11: a date column and a numbers-and-text column get messages
    that say "date" / "mixed types"; `from_data(max_categories=...)`."""
    n = 40
    y = np.array([0, 1] * (n // 2))
    dates = pd.date_range("2021-01-01", periods=n).astype(str)
    frame = pd.DataFrame({"x": np.arange(n) * 0.1, "when": dates})
    with pytest.raises(ValueError, match="date column.*max_categories"):
        AdversarialOversampler.from_data(frame, y, max_categories=10)
    codes = [str(i) if i % 5 else "?" for i in range(n)]
    with pytest.raises(ValueError, match="mixed types"):
        AdversarialOversampler.from_data(
            frame.assign(when=codes), y, max_categories=10
        )
    model = AdversarialOversampler.from_data(
        frame, y, max_categories=n, latent_dim=2
    )
    assert model.num_features == 1 + n


@pytest.mark.backend_independent
def test_checked_labels_are_not_checked_again():
    from aos_keras.tables.labels import CheckedLabels, check_target

    with pytest.warns(UserWarning, match="surrounding spaces"):
        y = check_target(np.array(["a", " b", "b"]))
    assert isinstance(y, CheckedLabels) and isinstance(y[[0, 1]], CheckedLabels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning
        assert check_target(y) is y
    with pytest.raises(ValueError, match="X has 2 rows but y has 3 labels"):
        check_target(y, num_rows=2)


def test_an_entry_point_warns_about_its_labels_once():
    from aos_keras.training import train_table

    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.normal(size=30), "b": rng.normal(size=30)})
    y = np.array(["a"] * 20 + ["b"] * 9 + [" b"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        AdversarialOversampler.from_data(x, y, seed=0, **TINY)
        train_table(x, y, val_size=0.2, epochs=1, batch_size=16)
    stripped = [w for w in caught if "surrounding spaces" in str(w.message)]
    assert len(stripped) == 2  # one for each entry point
