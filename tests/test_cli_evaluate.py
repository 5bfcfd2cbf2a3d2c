"""`aos-keras evaluate` and `aos-keras generate` on a trained folder."""

import json

import pandas as pd

from aos_keras import cli


def test_evaluate_and_generate(trained, table, tmp_path, capsys):
    _, path, frame = table
    capsys.readouterr()
    assert cli.main(["evaluate", str(trained), str(path)]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["rows"] == 48
    assert set(scores["recall"]) == {"ok", "relapse"}

    out = tmp_path / "synthetic.csv"
    argv = ["generate", str(trained), "--n", "5", "--output", str(out)]
    assert cli.main(argv) == 0
    rows = pd.read_csv(out)
    assert list(rows.columns) == ["age", "dose", "flag", "outcome"]
    assert rows["outcome"].tolist() == ["ok"] * 5 + ["relapse"] * 5
    assert rows["age"].dtype == frame["age"].dtype  # rounded back to int
    for label, group in rows.groupby("outcome"):
        real = frame[frame["outcome"] == label]
        # Convex combinations stay inside the class's range.
        assert (
            group["dose"]
            .between(real["dose"].min() - 1e-4, real["dose"].max() + 1e-4)
            .all()
        )


def test_semicolon_decimal_comma_table_scores_as_the_csv(
    trained, table, tmp_path, capsys
):
    # Issue 24 item 2: `0,5` cells were a nominal column.
    _, path, frame = table
    semi = tmp_path / "semi.csv.gz"
    frame.to_csv(semi, sep=";", decimal=",", index=False)
    assert cli.main(["evaluate", str(trained), str(path)]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert cli.main(["evaluate", str(trained), str(semi)]) == 0
    assert json.loads(capsys.readouterr().out) == expected
