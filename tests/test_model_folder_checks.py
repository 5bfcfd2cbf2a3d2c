"""A model folder's parts checked against each other on load (issue 29,
items 9, 10, 11 and 15): `preprocessing.json` edited by hand, a plain Keras
model as `model.keras`, a truncated JSON file, and the old layouts that
must still load."""

import json
import pathlib
import re
import shutil
import zipfile

import keras
import numpy as np
import pandas as pd
import pytest

from aos_keras import cli
from aos_keras.cli import model_folder

TINY_ARGS = [
    "--epochs", "1", "--batch-size", "16", "--progress", "0",
    "--latent-dim", "4", "--generator-units", "8", "4",
    "--critic-units", "8", "--classifier-units", "8",
]  # fmt: skip
AGAIN = "Train the model again, or restore the file."


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """`(table path, table, model folder)` of a tiny mixed table."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, 40),
            "dose": rng.normal(size=40),
            "site": rng.choice(["a", "b", "c"], 40),
            "outcome": ["ok"] * 30 + ["relapse"] * 10,
        }
    )
    root = tmp_path_factory.mktemp("checks")
    path = root / "train.csv"
    frame.to_csv(path, index=False)
    out = root / "run"
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 0
    return path, frame, out


@pytest.fixture(scope="module")
def numeric_folder(tmp_path_factory):
    """`(table path, model folder)` of a tiny numeric table."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=40),
            "z": rng.normal(5, 2, size=40),
            "y": ["n"] * 30 + ["p"] * 10,
        }
    )
    root = tmp_path_factory.mktemp("numeric")
    path = root / "train.csv"
    frame.to_csv(path, index=False)
    out = root / "run"
    argv = ["train", str(path), "--label", "y", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 0
    return path, out


def _copy(source, tmp_path, edit=None):
    """A copy of a model folder, its `preprocessing.json` edited."""
    copy = tmp_path / "copy"
    shutil.copytree(source, copy)
    if edit is not None:
        path = copy / "preprocessing.json"
        prep = json.loads(path.read_text())
        edit(prep)
        path.write_text(json.dumps(prep))
    return copy


def _mismatch(copy, field, in_file, in_model):
    return re.escape(
        f"{copy / 'preprocessing.json'} does not match "
        f"{copy / 'model.keras'}: its field {field} is {in_file}, but the "
        f"model holds {in_model}. The two files are not of one training run "
        f"(was one edited, or copied from another folder?). {AGAIN}"
    )


def _predict_fails(copy, path, capsys):
    """`aos-keras predict` on `copy`: exit 2, one line; the line."""
    capsys.readouterr()
    argv = ["predict", str(copy), str(path), "--output", str(copy / "p.csv")]
    assert cli.main(argv) == 2
    assert not (copy / "p.csv").exists()
    return capsys.readouterr().err


def test_reversed_classes_are_refused(folder, tmp_path, capsys):
    """Item 9: reversed classes flipped every predicted label."""
    path, _, out = folder
    copy = _copy(out, tmp_path, lambda p: p["classes"].reverse())
    expected = _mismatch(
        copy, "'classes'", '["relapse", "ok"]', '["ok", "relapse"]'
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))
    assert re.search(expected, _predict_fails(copy, path, capsys))


def test_an_appended_class_is_refused(folder, tmp_path, capsys):
    """Item 10: a class appended gave an IndexError inside predict."""
    path, _, out = folder
    copy = _copy(out, tmp_path, lambda p: p["classes"].append("other"))
    expected = _mismatch(
        copy, "'classes'", '["ok", "relapse", "other"]', '["ok", "relapse"]'
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))
    err = _predict_fails(copy, path, capsys)
    assert "IndexError" not in err and re.search(expected, err)


def test_classes_are_compared_as_the_folder_writes_them(folder, tmp_path):
    """A label's JSON type is part of it: `"1"` is not `1`."""
    path, frame, out = folder
    copy = _copy(out, tmp_path, lambda p: p.update(classes=["ok", True]))
    with pytest.raises(ValueError, match=re.escape('["ok", true]')):
        model_folder.load_folder(str(copy))


def test_edited_features_are_refused(folder, tmp_path):
    _, _, out = folder
    copy = _copy(out, tmp_path, lambda p: p["features"].reverse())
    expected = _mismatch(
        copy,
        "'features'",
        '["site", "dose", "age"]',
        '["age", "dose", "site"]',
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))


def test_an_edited_encoder_is_refused(folder, tmp_path):
    """The encoder's first difference is named, with both values."""
    _, _, out = folder

    def edit(prep):
        prep["encoder"]["columns"][2]["categories"] = ["a", "b"]

    copy = _copy(out, tmp_path, edit)
    expected = _mismatch(
        copy,
        "'encoder' (columns[2].categories)",
        '["a", "b"]',
        '["a", "b", "c"]',
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))


def test_an_edited_numeric_layout_is_refused(numeric_folder, tmp_path):
    """`mean` and `scale` (read by `export` of a numeric table) must be the
    encoder's."""
    _, out = numeric_folder
    prep = json.loads((out / "preprocessing.json").read_text())
    mean = prep["mean"]
    copy = _copy(out, tmp_path, lambda p: p.update(mean=[1.5, mean[1]]))
    expected = _mismatch(
        copy,
        "'mean'",
        json.dumps([1.5, mean[1]]),
        json.dumps(mean),
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))


@pytest.mark.parametrize("field", ["classes", "features", "label"])
def test_a_missing_field_is_named(folder, tmp_path, field):
    _, _, out = folder
    copy = _copy(out, tmp_path, lambda p: p.pop(field))
    expected = re.escape(
        f"{copy / 'preprocessing.json'} lacks the field {field!r} (a folder "
        f"written by 'aos-keras train' has it). {AGAIN}"
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))


def test_a_plain_keras_model_is_refused(folder, tmp_path, capsys):
    """Item 11: a Sequential as model.keras gave an AttributeError."""
    path, _, out = folder
    copy = _copy(out, tmp_path)
    plain = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])
    plain.save(copy / "model.keras")
    expected = re.escape(
        f"{copy / 'model.keras'} holds a Sequential, not a model trained by "
        "aos-keras train: pass a folder written by 'aos-keras train', or "
        "train one."
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))
    err = _predict_fails(copy, path, capsys)
    assert "AttributeError" not in err and re.search(expected, err)


@pytest.mark.parametrize(
    "text, where",
    [
        ('{"features": ["age", "dose"', "line 1, column 28"),
        ("", "line 1, column 1"),
        ('{\n "label": "outcome",\n "classes": [\n', "line 4, column 1"),
    ],
)
def test_a_truncated_json_file_is_named(folder, tmp_path, capsys, text, where):
    """Item 15: the parser's message without the file's name."""
    path, _, out = folder
    copy = _copy(out, tmp_path)
    (copy / "preprocessing.json").write_text(text)
    expected = (
        f"{re.escape(str(copy / 'preprocessing.json'))} is not valid JSON "
        rf"\({where}\): [^;]+; train again or restore the file"
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))
    assert re.search(expected, _predict_fails(copy, path, capsys))


def test_a_json_file_of_another_shape_is_refused(folder, tmp_path):
    _, _, out = folder
    copy = _copy(out, tmp_path)
    (copy / "preprocessing.json").write_text("[1, 2]")
    expected = re.escape(
        f"{copy / 'preprocessing.json'} holds a list, not the JSON object "
        f"'aos-keras train' writes. {AGAIN}"
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))


def test_the_model_of_another_folder_is_refused(
    folder, numeric_folder, tmp_path
):
    """`model.keras` copied from a folder of other classes and columns."""
    _, _, out = folder
    copy = _copy(numeric_folder[1], tmp_path)
    shutil.copy(out / "model.keras", copy / "model.keras")
    with pytest.raises(
        ValueError, match=r"field 'classes' is \[\"n\", \"p\"\]"
    ):
        model_folder.load_folder(str(copy))


def test_a_consistent_folder_and_old_layouts_load(
    folder, numeric_folder, tmp_path
):
    """The checks pass a folder as written, a 0.3 folder (model without
    its preprocessor, `encoder.joblib` beside it) and an earlier numeric
    folder (no `encoder` field, `mean` and `scale` only); each predicts
    as the folder it came from."""
    path, frame, out = folder
    model, prep = model_folder.load_folder(str(out))
    features = frame.drop(columns=["outcome"])
    expected = model.predict(model_folder.transform(features, prep), verbose=0)
    old = _copy(out, tmp_path / "v03")
    _bare(old)
    (old / model_folder.ENCODER).write_bytes(b"not a pickle")
    model, prep = model_folder.load_folder(str(old))
    assert model.preprocessor.identity and not model.preprocessor.named
    proba = model.predict(model_folder.transform(features, prep), verbose=0)
    np.testing.assert_allclose(proba, expected, atol=1e-6)
    numeric_path, numeric_out = numeric_folder
    table = pd.read_csv(numeric_path).drop(columns=["y"])
    model, prep = model_folder.load_folder(str(numeric_out))
    expected = model.predict(model_folder.transform(table, prep), verbose=0)
    older = _copy(numeric_out, tmp_path / "v02", lambda p: p.pop("encoder"))
    _bare(older)
    model, prep = model_folder.load_folder(str(older))
    proba = model.predict(model_folder.transform(table, prep), verbose=0)
    np.testing.assert_allclose(proba, expected, atol=1e-5)


def _bare(folder):
    """Resave the folder's model without its preprocessor (as 0.2/0.3)."""
    model = model_folder.load_folder(str(folder))[0]
    bare = type(model).from_config({**model.get_config(), "preprocessor": None})
    bare.set_weights(model.get_weights())
    bare.save(folder / "model.keras")


DATA = pathlib.Path(__file__).parent / "data"


def test_a_folder_of_0_3_loads_and_predicts_as_saved(tmp_path):
    """`tests/data/mixed_v0.3.keras` in a folder as 0.3 wrote it: the
    encoder in the model's config and in `preprocessing.json` (neither with
    `unknown` nor `limit`), `encoder.joblib` beside them."""
    frame = pd.read_csv(DATA / "mixed_v0.3.csv")
    expected = np.load(DATA / "mixed_v0.3_expected.npz")
    shutil.copy(DATA / "mixed_v0.3.keras", tmp_path / "model.keras")
    with zipfile.ZipFile(DATA / "mixed_v0.3.keras") as archive:
        config = json.loads(archive.read("config.json"))["config"]
    prep = {
        "features": list(frame.columns),
        "dtypes": {c: str(t) for c, t in frame.dtypes.items()},
        "label": "label",
        "encoder": config["encoder"],
        "classes": config["classes"],
    }
    (tmp_path / "preprocessing.json").write_text(json.dumps(prep))
    (tmp_path / model_folder.ENCODER).write_bytes(b"not a pickle")
    with pytest.warns(UserWarning, match="no longer read"):
        model, loaded = model_folder.load_folder(str(tmp_path))
    x = model_folder.transform(frame, loaded)
    proba = model.predict(x, verbose=0)
    np.testing.assert_allclose(proba, expected["proba"], atol=1e-6)


def test_a_folder_of_0_1_loads_and_predicts_as_saved(tmp_path):
    """`tests/data/legacy_do_v0.1.keras` (per-class heads, converted on
    load) in a folder of the numeric layout of 0.1: `features`, `mean`
    and `scale`, no `encoder`."""
    expected = np.load(DATA / "legacy_v0.1_expected.npz")
    shutil.copy(DATA / "legacy_do_v0.1.keras", tmp_path / "model.keras")
    prep = {
        "features": ["a", "b", "c"],
        "label": "y",
        "classes": [0, 1, 2],
        "mean": [0.0, 0.0, 0.0],
        "scale": [1.0, 1.0, 1.0],
    }
    (tmp_path / "preprocessing.json").write_text(json.dumps(prep))
    with pytest.warns(UserWarning, match="saved by aos_keras < 0.2"):
        model, loaded = model_folder.load_folder(str(tmp_path))
    frame = pd.DataFrame(expected["x"], columns=["a", "b", "c"])
    x = model_folder.transform(frame, loaded)
    logits = model.predict(x, verbose=0)
    np.testing.assert_allclose(logits, expected["do_logits"], atol=1e-5)
    prep["classes"] = ["0", "1", "2"]  # the labels' JSON type differs
    (tmp_path / "preprocessing.json").write_text(json.dumps(prep))
    with pytest.raises(ValueError, match=re.escape('is ["0", "1", "2"]')):
        with pytest.warns(UserWarning, match="saved by aos_keras < 0.2"):
            model_folder.load_folder(str(tmp_path))


def test_an_encoder_column_removed_is_named(folder, tmp_path):
    _, _, out = folder
    copy = _copy(out, tmp_path, lambda p: p["encoder"]["columns"].pop(1))
    expected = _mismatch(
        copy,
        "'encoder' (column names)",
        '["age", "site"]',
        '["age", "dose", "site"]',
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))
    copy = _copy(out, tmp_path / "null", lambda p: p.update(encoder=None))
    with pytest.raises(ValueError, match="its field 'encoder' is null"):
        model_folder.load_folder(str(copy))


def test_a_json_file_saved_with_a_byte_order_mark_loads(folder, tmp_path):
    """An editor (Notepad) may save the file with a UTF-8 BOM."""
    _, _, out = folder
    copy = _copy(out, tmp_path)
    path = copy / "preprocessing.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    prep = model_folder.load_folder(str(copy))[1]
    assert prep["classes"] == ["ok", "relapse"]


def test_a_label_edited_to_a_feature_column_is_refused(folder, tmp_path):
    """`predict` would drop that column and say the table lacks it."""
    _, _, out = folder
    copy = _copy(out, tmp_path, lambda p: p.update(label="age"))
    expected = re.escape(
        f"{copy / 'preprocessing.json'}'s field 'label' is 'age', one of "
        f"the model's feature columns ['age', 'dose', 'site']. {AGAIN}"
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))


def test_a_folder_in_place_of_a_file_is_named(folder, tmp_path):
    _, _, out = folder
    copy = _copy(out, tmp_path)
    (copy / "preprocessing.json").unlink()
    (copy / "preprocessing.json").mkdir()
    expected = re.escape(
        f"{copy / 'preprocessing.json'} is not a file: pass a folder "
        "written by 'aos-keras train'"
    )
    with pytest.raises(FileNotFoundError, match=f"^{expected}$"):
        model_folder.load_folder(str(copy))
