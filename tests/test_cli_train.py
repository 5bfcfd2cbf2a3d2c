"""`aos-keras train`: the model folder, its options and its refusals."""

import json
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import TINY_ARGS

from aos_keras import cli
from aos_keras.cli import model_folder


def test_train_writes_the_model_folder(trained):
    names = {p.name for p in trained.iterdir()}
    assert {
        "model.keras", "preprocessing.json", "metrics.json", "history.csv"
    } <= names  # fmt: skip
    assert not [n for n in names if n.startswith(".")]  # no temp files left
    prep = json.loads((trained / "preprocessing.json").read_text())
    assert prep["features"] == ["age", "dose", "flag"]
    assert prep["classes"] == ["ok", "relapse"]
    metrics = json.loads((trained / "metrics.json").read_text())
    assert 0.0 <= metrics["train"]["acsa"] <= 1.0
    history = pd.read_csv(trained / "history.csv")
    assert {"loss", "g_loss", "d_loss", "val_acsa"} <= set(history.columns)
    model = keras.saving.load_model(trained / "model.keras")
    assert model.generator.temperature == 0.5


@pytest.mark.parametrize(
    "options, expected",
    [
        ([], 0.1),
        (["--generator-temperature", "1.0"], 1.0),
        (["--mode", "ao"], 1.0),
    ],
)
def test_train_temperature_follows_the_mode_unless_given(
    table, tmp_path, options, expected
):
    # 0.5.0: DO trains at temperature 0.1 by default; the paper's 1.0 is one
    # option away; AO keeps 1.0. The folder's model keeps what it trained.
    _, path, _ = table
    tiny = [a for a in TINY_ARGS if a not in ("--generator-temperature", "0.5")]
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    assert cli.main(argv + tiny + options) == 0
    model = model_folder.load_folder(str(out))[0]
    assert model.generator.temperature == model.generator_temperature
    assert model.generator_temperature == expected


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "-5"], "--batch-size: must be an int >= 1 or 'auto'"),
        (["--val-size", "1.5"], "--val-size must be in [0, 1)"),
        (["--max-anchors", "0"], "--max-anchors: must be an int >= 1 or 'all'"),
        (["--patience", "-1"], "--patience: must be an int >= 1, or 0 for"),
        (["--latent-dim", "0"], "--latent-dim must be in [1, inf]"),
        (["--generator-temperature", "0"], "--generator-temperature must be"),
        (["--oversampling-start", "1"], "--oversampling-start must be in"),
        (["--output", "FILE"], "is a file, not a folder"),
        (
            ["--output", "-"],
            "--output names a folder (the model folder), not '-'",
        ),
    ],
)
def test_bad_run_options_fail_before_training(table, tmp_path, capsys, extra,
                                              words):  # fmt: skip
    _, path, _ = table
    extra = [str(path) if e == "FILE" else e for e in extra]
    out = ["--output", str(tmp_path / "run")] if "--output" not in extra else []
    argv = ["train", str(path), "--label", "outcome", *TINY_ARGS, *out, *extra]
    try:
        status = cli.main(argv)
    except SystemExit as stop:  # refused by the parser (its usage line too)
        status = stop.code
    assert status == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()  # nothing written


def test_a_val_size_that_cannot_stratify_is_refused_with_its_range(
    table, tmp_path, capsys
):
    _, path, _ = table  # 48 rows, 2 classes
    argv = ["train", str(path), "--label", "outcome", "--output",
            str(tmp_path / "run"), *TINY_ARGS]  # fmt: skip
    assert cli.main(argv + ["--val-size", "0.01"]) == 2
    err = capsys.readouterr().err
    assert "--val-size 0.01 holds out 1 of 48 rows" in err
    assert "between 0.05 and 0.95" in err and "test_size" not in err
    frame = pd.DataFrame({"x": np.arange(30.0), "y": np.arange(30.0) / 7})
    data = tmp_path / "continuous.csv"
    frame.to_csv(data, index=False)
    argv = ["train", str(data), "--label", "y", "--output",
            str(tmp_path / "run2"), *TINY_ARGS]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "looks like a regression target" in err  # the one label check
    assert "n_samples" not in err


def test_feature_columns_can_be_chosen_and_ids_are_flagged(table, tmp_path,
                                                           capsys):  # fmt: skip
    _, path, frame = table
    with_id = frame.assign(row_id=np.arange(len(frame)))
    data = tmp_path / "with_id.csv"
    with_id.to_csv(data, index=False)
    base = ["train", str(data), "--label", "outcome", *TINY_ARGS]
    assert cli.main([*base, "--output", str(tmp_path / "a")]) == 0
    assert (
        "aos-keras: warning: column 'row_id' has a different value in every "
        "row (an ID?); it is used as a feature unless --drop names it\n"
    ) in capsys.readouterr().err
    argv = [*base, "--drop", "row_id", "--output", str(tmp_path / "b")]
    assert cli.main(argv) == 0
    prep = json.loads((tmp_path / "b" / "preprocessing.json").read_text())
    assert prep["features"] == ["age", "dose", "flag"]
    argv = [*base, "--features", "age", "dose", "--output", str(tmp_path / "c")]
    assert cli.main(argv) == 0
    prep = json.loads((tmp_path / "c" / "preprocessing.json").read_text())
    assert prep["features"] == ["age", "dose"]
    assert cli.main([*base, "--features", "outcome"]) == 2
    assert "error: --features names the label column 'outcome'" in (
        capsys.readouterr().err
    )
    assert cli.main([*base, "--drop", "nope"]) == 2
    assert "columns ['nope'] not in the table" in capsys.readouterr().err


def test_used_out_folder_needs_overwrite_and_is_replaced(
    table, tmp_path, capsys
):
    _, path, _ = table
    out = tmp_path / "run"
    out.mkdir()
    (out / "curves.png").write_bytes(b"an earlier run's plot")
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 2
    assert "pass --overwrite" in capsys.readouterr().err
    assert cli.main(argv + TINY_ARGS + ["--overwrite"]) == 0
    # stdout holds the results only (the metrics, JSON); "saved to" is a
    # log line on stderr, which -q silences.
    captured = capsys.readouterr()
    assert json.loads(captured.out)["epochs"] == 1
    assert f"aos-keras: saved to {out}" in captured.err
    assert cli.main(["-q", *argv, *TINY_ARGS, "--overwrite"]) == 0
    assert capsys.readouterr().err == ""
    names = {p.name for p in out.iterdir()}
    assert "curves.png" not in names and "model.keras" in names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    history = pd.read_csv(out / "history.csv")
    assert history["epoch"].tolist() == [1]  # epochs numbered from 1


def test_a_single_row_class_stays_in_training(tmp_path, capsys):
    from aos_keras.training import validation_split

    y = np.array(["a"] * 20 + ["b"] * 10 + ["c"])
    rows, val = validation_split(y, 0.2, seed=0)
    assert 30 in rows and 30 not in val  # "c"'s only row
    assert sorted(np.concatenate([rows, val]).tolist()) == list(range(31))
    # Stratified per class among the others: 4 of "a", 2 of "b".
    assert (y[val] == "a").sum() == 4 and (y[val] == "b").sum() == 2
    frame = pd.DataFrame(
        {"x": np.arange(31.0), "z": np.arange(31.0) % 3, "label": y}
    )
    data = tmp_path / "t.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "run"
    argv = ["train", str(data), "--label", "label", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 0
    assert "classes ['c'] have a single row" in capsys.readouterr().err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["training_only_classes"] == ["c"]
    assert metrics["val"]["recall"]["c"] is None  # strict JSON: no NaN


def test_padded_labels_are_counted_stripped(tmp_path, capsys):
    # " b" has one row, but stripped it joins "b": no single-row class.
    y = ["a"] * 20 + ["b"] * 9 + [" b"]
    frame = pd.DataFrame({"x": np.arange(30.0), "label": y})
    data = tmp_path / "t.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "run"
    argv = ["train", str(data), "--label", "label", "--output", str(out)]
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # not the suite's "error"
        assert cli.main(argv + TINY_ARGS) == 0
    err = capsys.readouterr().err
    # The labels are checked once: one warning, a log line without a
    # source path (issue 30: labels checked once per entry point).
    assert err.count("surrounding spaces") == 1
    assert "aos-keras: warning: y has labels that differ" in err
    assert "single row" not in err
    metrics = json.loads((out / "metrics.json").read_text())
    assert "training_only_classes" not in metrics


def test_too_large_values_are_named_by_the_file_rows(table, tmp_path, capsys):
    # The encoder sees only the training rows of the split; the message
    # must still name the row of the file (data row 6), and nothing is left.
    _, _, frame = table
    data = tmp_path / "big.csv"
    frame.assign(dose=frame["dose"].where(frame.index != 5, 1e300)).to_csv(
        data, index=False
    )
    out = tmp_path / "run"
    argv = ["train", str(data), "--label", "outcome", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 2
    err = capsys.readouterr().err
    assert "column 'dose' has values too large" in err
    assert "data rows 6)" in err
    assert not out.exists()


def test_infinite_cells_are_named_by_data_row_before_training(
    table, tmp_path, capsys
):
    # Issue 24 item 10: data row 3 is the third row after the header.
    _, _, frame = table
    bad = frame.assign(dose=frame["dose"].astype(float))
    bad.loc[[2, 40], "dose"] = np.inf
    path = tmp_path / "inf.csv"
    bad.to_csv(path, index=False)
    argv = ["train", str(path), "--label", "outcome", "--output",
            str(tmp_path / "run"), *TINY_ARGS]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "column 'dose' has infinite values on data rows 3, 41" in err
    assert "Traceback" not in err and not (tmp_path / "run").exists()
