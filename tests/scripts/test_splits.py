"""The paper's six datasets (`aos_bench.datasets`) and their Table 2 splits
(`aos_bench.splits`)."""

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest

from aos_bench.datasets import DATASETS, data_home, load_dataset
from aos_bench.splits import Split, split_dataset
from aos_keras.datasets import Dataset

pytestmark = pytest.mark.backend_independent

# The datasets' folder as the scripts find it: $AOS_KERAS_DATA, else
# ~/aos_keras_data.
SHARED = Path(data_home())
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"the datasets folder {SHARED} is absent (set AOS_KERAS_DATA)",
)

# Table 1 of the paper (Wafer: 6163 of UCR's 6164 TEST rows, see the
# datasets README).
TABLE1 = {
    "secom": ((1567, 590), {-1: 1463, 1: 104}),
    "pima": ((768, 8), {0: 500, 1: 268}),
    "haberman": ((306, 3), {1: 225, 2: 81}),
    "wafer": ((7163, 152), {-1: 762, 1: 6401}),
    "credit": ((150000, 10), {0: 139974, 1: 10026}),
    "yeast": (
        (1484, 8),
        {
            "CYT": 463,
            "NUC": 429,
            "MIT": 244,
            "ME3": 163,
            "ME2": 51,
            "ME1": 44,
            "EXC": 35,
            "VAC": 30,
            "POX": 20,
            "ERL": 5,
        },
    ),
}


@pytest.fixture(scope="module")
def loaded():
    """Datasets loaded once per module, on first use."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = load_dataset(name, data_home=SHARED)
        return cache[name]

    return get


@pytest.fixture(scope="module")
def secom_split(loaded):
    return split_dataset(loaded("secom"), seed=0)


def _counts(y, classes=None):
    values, n = np.unique(y, return_counts=True)
    if classes is not None:
        values = classes[values]
    return {v.item(): int(k) for v, k in zip(values, n)}


# --------------------------------------------------------------------------
# Loading.


@needs_shared
@pytest.mark.parametrize("name", DATASETS)
def test_loader_matches_table1(loaded, name):
    ds = loaded(name)
    shape, counts = TABLE1[name]
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.X.shape == shape
    assert ds.X.dtype == np.float64
    assert ds.y.shape == (shape[0],)
    assert ds.class_counts == counts
    assert _counts(ds.y) == counts
    assert len(ds.feature_names) == shape[1]
    assert all(isinstance(n, str) for n in ds.feature_names)
    assert ds.source and ds.citation and ds.license
    assert (ds.predefined_split is not None) == (name == "wafer")


@needs_shared
def test_original_labels_and_missing_values(loaded):
    assert loaded("secom").y.dtype == np.int64
    assert loaded("yeast").y.dtype.kind == "U"
    assert np.isnan(loaded("secom").X).sum() == 41951
    credit = loaded("credit")
    missing = dict(
        zip(credit.feature_names, np.isnan(credit.X).sum(axis=0).tolist())
    )
    assert missing["MonthlyIncome"] == 29731
    assert missing["NumberOfDependents"] == 3924
    assert sum(missing.values()) == 29731 + 3924
    for name in ("pima", "haberman", "wafer", "yeast"):
        assert not np.isnan(loaded(name).X).any()
    # Pima's zeros stay zeros (insulin has 374).
    pima = loaded("pima")
    assert (pima.X[:, pima.feature_names.index("insulin")] == 0).sum() == 374


@needs_shared
def test_wafer_keeps_ucr_split(loaded):
    ds = loaded("wafer")
    is_test = ds.predefined_split
    assert is_test.dtype == bool
    assert (~is_test).sum() == 1000 and is_test.sum() == 6163
    assert _counts(ds.y[~is_test]) == {1: 903, -1: 97}
    assert _counts(ds.y[is_test]) == {1: 5498, -1: 665}


def test_bundled_datasets_come_from_the_package(tmp_path, monkeypatch):
    # An empty data folder: the bundled datasets are the package's.
    monkeypatch.setenv("AOS_KERAS_DATA", str(tmp_path))
    for name in ("haberman", "pima", "yeast"):
        ds = load_dataset(name, data_home=tmp_path)
        shape, counts = TABLE1[name]
        assert ds.X.shape == shape and ds.class_counts == counts
        assert all(str(tmp_path) not in f for f in ds.files)


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="secom, pima, haberman") as err:
        load_dataset("adult")
    assert "'adult'" in str(err.value)
    with pytest.raises(TypeError):
        load_dataset(3)


@pytest.mark.parametrize(
    "name, file, origin",
    [
        ("secom", "secom.data", "archive.ics.uci.edu"),
        ("wafer", "Wafer_TRAIN.tsv", "UCR"),
        ("credit", "cs-training.csv", "kaggle.com"),
    ],
)
def test_missing_file_error_names_the_file(tmp_path, name, file, origin):
    with pytest.raises(FileNotFoundError) as err:
        load_dataset(name, data_home=tmp_path)
    message = str(err.value)
    assert str(tmp_path / name / file) in message
    assert f"folder {tmp_path}" in message
    assert "data_home" in message and "AOS_KERAS_DATA" in message
    assert origin in message


def test_missing_file_error_from_env(tmp_path, monkeypatch):
    (tmp_path / "secom").mkdir()
    (tmp_path / "secom" / "secom.data").write_text("1 2\r\n")
    monkeypatch.setenv("AOS_KERAS_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="secom_labels.data") as err:
        load_dataset("secom")
    assert "$AOS_KERAS_DATA" in str(err.value)


# --------------------------------------------------------------------------
# Splits.


@needs_shared
def test_secom_split_sizes_match_the_paper(loaded, secom_split):
    # Paper: train {1023, 73}, test {440, 31}. The honest protocol carves
    # 20% of the training split out for validation.
    paper = split_dataset(loaded("secom"), seed=0, protocol="paper")
    assert paper.X_val is None and paper.y_val is None
    assert _counts(paper.y_train, paper.classes) == {-1: 1023, 1: 73}
    assert _counts(paper.y_test, paper.classes) == {-1: 440, 1: 31}
    honest = secom_split
    train_val = np.concatenate([honest.y_train, honest.y_val])
    assert _counts(train_val, honest.classes) == {-1: 1023, 1: 73}
    assert _counts(honest.y_val, honest.classes) == {-1: 205, 1: 15}
    assert _counts(honest.y_test, honest.classes) == {-1: 440, 1: 31}
    assert np.array_equal(np.sort(paper.test_index), np.sort(honest.test_index))
    indices = np.concatenate(
        [honest.train_index, honest.val_index, honest.test_index]
    )
    assert np.array_equal(np.sort(indices), np.arange(1567))


@needs_shared
def test_secom_preprocessing(loaded, secom_split):
    ds, split = loaded("secom"), secom_split
    assert isinstance(split, Split)
    assert split.classes.tolist() == [-1, 1]
    for x in (split.X_train, split.X_val, split.X_test):
        assert x.dtype == np.float32 and np.isfinite(x).all()
    for y in (split.y_train, split.y_val, split.y_test):
        assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    info = split.preprocessing
    assert info["imputer"] == "KNNImputer(n_neighbors=2)"
    assert info["imputer_fit_sample"] == "all fitting rows"
    assert info["imputer_fit_rows"] == len(split.train_index)
    # The 116 columns constant in the whole file are among those dropped.
    dropped = set(info["dropped_constant_columns"])
    assert len(dropped) >= 116
    assert (
        len(split.feature_names) == split.X_train.shape[1] == 590 - len(dropped)
    )
    assert not dropped & set(split.feature_names)
    # Standardised on the training rows.
    np.testing.assert_allclose(split.X_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(split.X_train.std(axis=0), 1, atol=1e-4)
    # The preprocessor maps raw rows to the split's arrays.
    raw_test = ds.X[split.test_index]
    out = split.preprocessor.transform(raw_test).astype(np.float32)
    np.testing.assert_array_equal(out, split.X_test)
    assert np.array_equal(ds.y[split.test_index], split.classes[split.y_test])


def _perturb_held_out(ds, split, seed=0):
    """A copy of `ds` with its validation and test rows wrecked."""
    rng = np.random.default_rng(seed)
    held = np.concatenate([split.val_index, split.test_index])
    X = ds.X.copy()
    X[held] = rng.normal(1e6, 1e5, size=(len(held), X.shape[1]))
    X[held[::3], ::2] = np.nan  # other missing values too
    return dataclasses.replace(ds, X=X)


def _assert_no_leakage(ds, split, **kwargs):
    other = split_dataset(_perturb_held_out(ds, split), seed=0, **kwargs)
    # Same rows in each split (they depend on the labels and seed only).
    for a, b in (
        (split.train_index, other.train_index),
        (split.val_index, other.val_index),
        (split.test_index, other.test_index),
    ):
        np.testing.assert_array_equal(a, b)
    # The fitted preprocessing and the training rows are unchanged.
    np.testing.assert_array_equal(split.X_train, other.X_train)
    scaler, scaler2 = (s.preprocessor["scale"] for s in (split, other))
    np.testing.assert_array_equal(scaler.mean_, scaler2.mean_)
    np.testing.assert_array_equal(scaler.scale_, scaler2.scale_)
    assert split.feature_names == other.feature_names
    probe = ds.X[split.test_index[:50]]
    np.testing.assert_array_equal(
        split.preprocessor.transform(probe), other.preprocessor.transform(probe)
    )
    # ... while the held-out rows did change.
    assert not np.array_equal(split.X_test, other.X_test)
    # The scaler's mean is the mean of the (imputed) raw training rows.
    imputer = split.preprocessor["impute"]
    raw = ds.X[split.train_index]
    if imputer != "passthrough":
        raw = imputer.transform(raw)
    kept = split.preprocessor["drop_constant"].get_support()
    np.testing.assert_array_equal(scaler.mean_, raw[:, kept].mean(axis=0))
    np.testing.assert_allclose(scaler.scale_, raw[:, kept].std(axis=0))


@needs_shared
def test_no_leakage_secom(loaded, secom_split):
    _assert_no_leakage(loaded("secom"), secom_split)


@needs_shared
def test_no_leakage_and_sampled_knn_credit(loaded):
    # A small imputer sample keeps this cheap; the default is 2000 rows.
    ds = loaded("credit")
    split = split_dataset(ds, seed=0, max_knn_rows=200)
    info = split.preprocessing
    assert info["imputer_fit_rows"] == 200
    assert "complete fitting rows" in info["imputer_fit_sample"]
    assert split.X_train.shape == (84000, 10)
    assert split.X_val.shape == (21000, 10) and split.X_test.shape == (
        45000,
        10,
    )
    assert np.isfinite(split.X_test).all() and np.isfinite(split.X_val).all()
    _assert_no_leakage(ds, split, max_knn_rows=200)


def test_no_leakage_pima():
    ds = load_dataset("pima")
    split = split_dataset(ds, seed=0)
    assert split.preprocessing["imputer"] is None
    assert split.preprocessor["impute"] == "passthrough"
    _assert_no_leakage(ds, split)


def test_determinism_from_seed():
    ds = load_dataset("haberman")
    a, b = split_dataset(ds, seed=7), split_dataset(ds, seed=7)
    for field in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.preprocessing == b.preprocessing
    c = split_dataset(ds, seed=8)
    assert not np.array_equal(np.sort(a.test_index), np.sort(c.test_index))


@needs_shared
def test_credit_imputer_sample_is_seeded(loaded):
    ds = loaded("credit")
    small = dataclasses.replace(
        ds, X=ds.X[:3000], y=ds.y[:3000], predefined_split=None
    )
    a, b = (split_dataset(small, seed=1, max_knn_rows=300) for _ in range(2))
    np.testing.assert_array_equal(a.X_test, b.X_test)
    c = split_dataset(small, seed=2, max_knn_rows=300)
    assert not np.array_equal(np.sort(a.test_index), np.sort(c.test_index))


def test_yeast_every_class_in_train():
    ds = load_dataset("yeast")
    for seed in range(20):
        split = split_dataset(ds, seed=seed)
        assert len(split.classes) == 10
        assert split.X_test.shape == (742, 8)
        assert len(split.y_train) + len(split.y_val) == 742
        assert set(np.unique(split.y_train)) == set(range(10))
        assert set(np.unique(split.y_test)) == set(range(10))
        counts = split.preprocessing["class_counts"]
        assert counts["train"]["ERL"] >= 1
        assert counts["val"]["ERL"] in (0, 1)
    assert split.classes.tolist()[:3] == ["CYT", "ERL", "EXC"]
    paper = split_dataset(ds, seed=0, protocol="paper")
    assert paper.X_train.shape == (742, 8)


def test_class_too_small_to_stratify_stays_in_train():
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 30 + [2])
    ds = Dataset(
        name="toy",
        X=rng.normal(size=(len(y), 2)),
        y=y,
        feature_names=["a", "b"],
    )
    split = split_dataset(ds, seed=0)
    assert split.preprocessing["rare_classes_kept_in_train"] == [2]
    assert 2 in split.y_train
    assert 2 not in split.y_val and 2 not in split.y_test


@needs_shared
def test_wafer_split(loaded):
    ds = loaded("wafer")
    split = split_dataset(ds, seed=0)
    np.testing.assert_array_equal(split.test_index, np.arange(1000, 7163))
    assert _counts(split.y_test, split.classes) == {1: 5498, -1: 665}
    train_val = np.concatenate([split.y_train, split.y_val])
    assert _counts(train_val, split.classes) == {1: 903, -1: 97}
    assert split.val_index.max() < 1000 and len(split.val_index) == 200
    with pytest.raises(ValueError, match="predefined"):
        split_dataset(ds, seed=0, test_size=0.3)
    shuffled = dataclasses.replace(ds, predefined_split=None)
    random = split_dataset(shuffled, seed=0, protocol="paper", test_size=0.3)
    assert random.X_test.shape[0] == 2149


# Haberman's seed-0 split as `aos_keras.datasets.split_dataset` made it
# before it moved to the scripts (version 0.3.0).
TRAIN_HEAD = [81, 99, 61, 102, 87]
TEST_HEAD = [262, 154, 234, 132, 63]
DIGEST = "af25ebdda9cfd5c20020c145500a9420119c0cd175fe21470eafcf58852f18ff"


def test_split_matches_the_split_of_before_the_move():
    split = split_dataset("haberman", seed=0)
    assert split.train_index[:5].tolist() == TRAIN_HEAD
    assert split.test_index[:5].tolist() == TEST_HEAD
    digest = hashlib.sha256(
        b"".join(
            a.tobytes()
            for a in (split.X_train, split.X_val, split.X_test, split.y_test)
        )
    ).hexdigest()
    assert digest == DIGEST


def test_split_accepts_a_name_and_checks_arguments():
    split = split_dataset("haberman", seed=0)
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (
        171,
        43,
        92,
    )
    assert split.num_classes == 2 and split.num_features == 3
    assert "haberman" in repr(split)
    with pytest.raises(ValueError, match="protocol"):
        split_dataset("haberman", seed=0, protocol="best")
    with pytest.raises(ValueError, match="val_size"):
        split_dataset("haberman", seed=0, val_size=1.5)
    with pytest.raises(TypeError, match="seed"):
        split_dataset("haberman", seed="0")
    with pytest.raises(TypeError, match="Dataset"):
        split_dataset(np.zeros((3, 2)), seed=0)
    with pytest.raises(TypeError, match="val_size"):
        split_dataset("haberman", seed=0, val_size=1)
    with pytest.raises(ValueError, match="knn_neighbors"):
        split_dataset("haberman", seed=0, knn_neighbors=0)
    ds = load_dataset("haberman")
    n_inf = int((ds.X > 60).any(axis=1).sum())
    with pytest.raises(
        ValueError, match=rf"infinite values in {n_inf} row.*Replace them"
    ):
        split_dataset(
            dataclasses.replace(ds, X=np.where(ds.X > 60, np.inf, ds.X)),
            seed=0,
        )
    with pytest.raises(ValueError, match=r"single class \(\[1\]\).*at least 2"):
        split_dataset(
            dataclasses.replace(ds, y=np.ones(len(ds.y), dtype=int)), seed=0
        )
