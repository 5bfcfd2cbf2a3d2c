"""`aos-keras predict`: files, standard input and output, damaged folders."""

import pandas as pd

from aos_keras import cli


def test_a_truncated_model_file_is_named_corrupt(trained, tmp_path, capsys):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(trained, folder)
    model = folder / "model.keras"
    model.write_bytes(model.read_bytes()[:100])
    path = folder / "x.csv"
    path.write_text("age,dose,flag\n1,2,True\n")
    assert (
        cli.main(["predict", str(folder), str(path), "--output", "p.csv"]) == 2
    )
    err = capsys.readouterr().err
    assert "corrupt or truncated" in err and "Traceback" not in err


def test_tables_from_stdin_predictions_to_stdout(trained, table, capsys,
                                                 monkeypatch):  # fmt: skip
    import io
    import sys

    _, _, frame = table
    text = frame.to_csv(index=False, sep=";", decimal=",")
    assert "," in text  # decimal commas: read as numbers
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(
        text.encode())))  # fmt: skip
    assert cli.main(["predict", str(trained), "-", "--keep", "age"]) == 0
    captured = capsys.readouterr()
    rows = pd.read_csv(io.StringIO(captured.out))
    assert list(rows.columns) == ["age", "prediction", "p[ok]", "p[relapse]"]
    assert rows["age"].tolist() == frame["age"].tolist()
    assert "wrote 48 predictions to standard output" in captured.err
    assert cli.main(["generate", str(trained), "--n", "3"]) == 0
    generated = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert generated["outcome"].tolist() == ["ok"] * 3 + ["relapse"] * 3
