"""Column names at export (issue 29, item 12): each column of a table is
one signature input whose name TensorFlow accepts, unique, and written in
`assets.extra/aos_keras.json`."""

import json
import os
import re

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import BACKEND, TINY

from aos_keras import AdversarialOversampler, cli, export_saved_model
from aos_keras.saving.export import METADATA
from aos_keras.saving.serving_graph import input_names

# TensorFlow's rule for a node (and so a signature input) name.
VALID = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")


@pytest.mark.backend_independent
def test_each_column_gets_a_valid_unique_input_name():
    columns = ["größe", "a b", "1st", "x-y", "a_b", "age", "", "café"]
    columns += ["c_1st", "Ω", "x.y", 7, "A", "a", "A_2", "Age"]
    names = input_names(columns)
    assert names == {
        "größe": "gro_e",
        "a b": "a_b_2",  # "a_b" is a column's own name: it keeps it
        "1st": "c_1st_2",
        "x-y": "x_y",
        "a_b": "a_b",
        "age": "age",
        "": "c_",
        "café": "cafe",
        "c_1st": "c_1st",
        "Ω": "c__",
        "x.y": "x.y",
        "7": "c_7",
        "A": "A",  # TensorFlow's names clash regardless of case
        "a": "a_3",
        "A_2": "A_2",
        "Age": "Age_2",
    }
    assert all(VALID.match(n) for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(names)


@pytest.mark.backend_independent
def test_names_of_earlier_exports_do_not_change():
    """Names of ASCII letters, digits, `_`, `.` and other ASCII marks map
    as 0.5.0 mapped them (only non-ASCII letters and clashes changed)."""
    columns = ["age", "Income (EUR)", "x-y", "1st", "a.b", "_id", "ok/no"]
    assert list(input_names(columns).values()) == [
        "age", "Income__EUR_", "x_y", "c_1st", "a.b", "c__id", "ok_no",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def odd_table():
    """A tiny mixed table whose column names TensorFlow refuses as they
    are, a model trained on it, and its labels."""
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame(
        {
            "größe": rng.choice(["s", "m", "l"], n),
            "a b": rng.normal(size=n),
            "1st": rng.normal(5, 2, size=n),
            "x-y": rng.integers(0, 5, n),
        }
    )
    y = np.array(["p"] * 30 + ["q"] * 10)
    keras.utils.set_random_seed(0)
    model = AdversarialOversampler.from_data(frame, y, seed=0, **TINY)
    model.compile(run_eagerly=BACKEND == "tensorflow")
    model.fit(frame, y, epochs=1, batch_size=16, verbose=0)
    return frame, y, model


def test_odd_column_names_export_and_serve(odd_table, tmp_path):
    """The serving function, called with the mapped names read from
    `assets.extra/aos_keras.json`, matches `model.predict`."""
    tf = pytest.importorskip("tensorflow")
    frame, _, model = odd_table
    path = export_saved_model(model, tmp_path / "1")
    with open(os.path.join(path, METADATA), encoding="utf-8") as f:
        inputs = json.load(f)["inputs"]
    assert inputs == {"größe": "gro_e", "a b": "a_b", "1st": "c_1st",
                      "x-y": "x_y"}  # fmt: skip
    serve = tf.saved_model.load(path).signatures["serving_default"]
    assert set(serve.structured_input_signature[1]) == set(inputs.values())
    feed = {
        inputs[c]: tf.constant(frame[c].astype(str))
        if c == "größe"
        else tf.constant(frame[c].to_numpy("float32"))
        for c in frame.columns
    }
    proba = serve(**feed)["probabilities"].numpy()
    expected = model.predict(frame, verbose=0)
    np.testing.assert_allclose(proba, expected, atol=1e-5)


@pytest.mark.backend("tensorflow")
def test_the_command_line_exports_odd_column_names(odd_table, tmp_path):
    """`aos-keras export` of a folder trained on such a table: exit 0."""
    frame, y, _ = odd_table
    path = tmp_path / "t.csv"
    frame.assign(label=y).to_csv(path, index=False)
    out = tmp_path / "run"
    tiny = [
        "--epochs", "1", "--batch-size", "16", "--progress", "0",
        "--latent-dim", "4", "--generator-units", "8", "4",
        "--critic-units", "8", "--classifier-units", "8",
    ]  # fmt: skip
    argv = ["train", str(path), "--label", "label", "--output", str(out)]
    assert cli.main(argv + tiny) == 0
    assert cli.main(["export", str(out), "-o", str(tmp_path / "s" / "1")]) == 0
    with open(tmp_path / "s" / "1" / METADATA, encoding="utf-8") as f:
        assert json.load(f)["inputs"]["größe"] == "gro_e"
