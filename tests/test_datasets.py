"""The datasets bundled with the package: `aos_keras.load_dataset`."""

import hashlib
from importlib import resources

import numpy as np
import pytest

import aos_keras
from aos_keras.datasets import DATASETS, Dataset, load_dataset

pytestmark = pytest.mark.backend_independent

# Shape and class counts of the bundled datasets (the paper's Table 1).
TABLE1 = {
    "pima": ((768, 8), {0: 500, 1: 268}),
    "haberman": ((306, 3), {1: 225, 2: 81}),
    "yeast": (
        (1484, 8),
        {"CYT": 463, "NUC": 429, "MIT": 244, "ME3": 163, "ME2": 51,
         "ME1": 44, "EXC": 35, "VAC": 30, "POX": 20, "ERL": 5},
    ),
}  # fmt: skip

BUNDLED_SHA256 = {
    "haberman.data": (
        "b4b7a32586a5668f9f4d6dc8be9d1bc8cd4822523affb1f6b5bfc350681ef3e2"
    ),
    "pima-indians-diabetes.data.csv": (
        "6bfe5d0f379d17a0e0819b996407e3c09bf80febd4287f2ed212190dfff154af"
    ),
    "yeast.data": (
        "7cf61776fc04f527f93bf57a327b863893a1225d82df02d457e8950173218258"
    ),
}


def test_datasets_are_the_bundled_ones():
    assert DATASETS == ("pima", "haberman", "yeast")
    # The Table 2 splits live with the scripts (scripts/aos_bench).
    assert "split_dataset" not in aos_keras.__all__


@pytest.mark.parametrize("name", DATASETS)
def test_loader_matches_table1(name):
    ds = load_dataset(name)
    shape, counts = TABLE1[name]
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.X.shape == shape and ds.X.dtype == np.float64
    assert ds.y.shape == (shape[0],)
    assert ds.class_counts == counts
    assert len(ds.feature_names) == shape[1]
    assert all(isinstance(n, str) for n in ds.feature_names)
    assert ds.source and ds.citation and ds.license
    assert ds.predefined_split is None
    assert not np.isnan(ds.X).any()
    assert len(ds.files) == 1 and ds.files[0].endswith(
        ("haberman.data", "pima-indians-diabetes.data.csv", "yeast.data")
    )


def test_original_labels_and_names():
    assert load_dataset("yeast").y.dtype.kind == "U"
    assert load_dataset("yeast").feature_names[:2] == ["mcg", "gvh"]
    pima = load_dataset("PIMA ")
    # Pima's zeros stay zeros (insulin has 374).
    assert (pima.X[:, pima.feature_names.index("insulin")] == 0).sum() == 374
    assert repr(load_dataset("haberman")) == (
        "Dataset(name='haberman', X=(306, 3), classes={1: 225, 2: 81})"
    )


def test_bundled_files_are_byte_copies():
    package = resources.files("aos_keras.data")
    for file, sha in BUNDLED_SHA256.items():
        data = package.joinpath(file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, file
    for file in ("haberman.names", "pima-indians-diabetes.names"):
        assert package.joinpath(file).is_file()
    assert package.joinpath("README.md").is_file()


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="pima, haberman, yeast") as err:
        load_dataset("secom")
    assert "'secom'" in str(err.value)
    with pytest.raises(TypeError, match="str"):
        load_dataset(3)
