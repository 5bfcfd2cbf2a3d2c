"""A label column is text in a file: its spelling is kept (issue 29, item 3).

`01`, `1` and `2` are three classes; `007` stays `007`. Ordinary integer
and float labels (each written as Python writes that number) are still
numbers, so class order and cache keys do not change for them.
"""

import gzip
import io
import json
import sys

import numpy as np
import pandas as pd
import pytest

from aos_keras import cli
from aos_keras.tables import reader

TINY_ARGS = [
    "--epochs", "1", "--batch-size", "16", "--progress", "0",
    "--latent-dim", "4", "--generator-units", "8", "4",
    "--critic-units", "8", "--classifier-units", "8",
]  # fmt: skip


def _labels(tmp_path, values, name="t.csv", sep=","):
    lines = [f"x{sep}y"] + [f"{i}{sep}{v}" for i, v in enumerate(values)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    _, y, _ = reader.split_label(reader.read_table(str(path)), "y")
    return y


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "written, expected",
    [
        (["01", "1", "2"], ["01", "1", "2"]),
        (["007", "7"], ["007", "7"]),
        (["1e3", "2"], ["1e3", "2"]),
        (["1_000", "2"], ["1_000", "2"]),
        (["0x1", "2"], ["0x1", "2"]),
        (["-0", "0"], ["-0", "0"]),
        (["+1", "2"], ["+1", "2"]),
        (["1.50", "2"], ["1.50", "2"]),
        (["true", "false"], ["true", "false"]),
        (["True", "true", "False"], ["True", "true", "False"]),
        (["1", "1.0", "2"], ["1", "1.0", "2"]),  # two spellings, two classes
        (["1", "2.0"], ["1", "2.0"]),  # 1 is not how 1.0 is written
    ],
)
def test_labels_that_are_not_plain_numbers_keep_their_text(
    tmp_path, written, expected
):
    y = _labels(tmp_path, written)
    assert y.tolist() == expected
    assert all(isinstance(v, str) for v in y.tolist())


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "written, expected, kind",
    [
        (["1", "2", "10"], [1, 2, 10], "i"),
        (["-1", "0", "1"], [-1, 0, 1], "i"),
        ([" 1", "2"], [1, 2], "i"),  # spaces around a number: the number
        (["1.0", "2.0"], [1.0, 2.0], "f"),
        (["True", "False"], [True, False], "b"),
    ],
)
def test_plain_numbers_stay_numbers(tmp_path, written, expected, kind):
    y = _labels(tmp_path, written)
    assert y.tolist() == expected and y.dtype.kind == kind


@pytest.mark.backend_independent
def test_text_is_kept_in_tsv_gzip_and_standard_input(tmp_path, monkeypatch):
    assert _labels(tmp_path, ["01", "2"], "t.tsv", "\t").tolist() == [
        "01",
        "2",
    ]
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"x;y\n1,5;007\n2,5;7\n"))
    _, y, _ = reader.split_label(reader.read_table(str(path)), "y")
    assert y.tolist() == ["007", "7"]
    stdin = io.TextIOWrapper(io.BytesIO(b"x,y\n1,01\n2,1\n3,2\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    _, y, _ = reader.split_label(reader.read_table("-"), "y")
    assert y.tolist() == ["01", "1", "2"]


@pytest.mark.backend_independent
def test_a_reordered_frame_keeps_its_parsed_labels(tmp_path):
    # The text is read again from the file: only for the rows as read.
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,01\n2,1\n3,2\n")
    frame = reader.read_table(str(path)).sort_values("x", ascending=False)
    assert reader.split_label(frame, "y")[1].tolist() == [2, 1, 1]


@pytest.mark.backend_independent
def test_missing_labels_are_still_refused(tmp_path):
    from aos_keras.tables.labels import check_target

    y = _labels(tmp_path, ["01", "", "2"])
    with pytest.raises(ValueError, match="1 missing labels"):
        check_target(y)


def test_train_keeps_three_classes_and_evaluate_reads_them_alike(
    tmp_path, capsys
):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=30), "y": ["01"] * 10 + ["1"] * 10 + ["2"] * 10}
    )
    data = tmp_path / "t.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "run"
    argv = ["train", str(data), "--label", "y", "--output", str(out)]
    assert cli.main(argv + TINY_ARGS) == 0
    prep = json.loads((out / "preprocessing.json").read_text())
    assert prep["classes"] == ["01", "1", "2"]
    capsys.readouterr()
    assert cli.main(["evaluate", str(out), str(data)]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert sorted(scores["recall"]) == ["01", "1", "2"]


@pytest.mark.backend_independent
def test_a_suite_folder_keeps_its_labels_as_written(tmp_path):
    # compare_suite reads a folder of tables: 01 and 1 stay two classes.
    from aos_keras.evaluation.harness import read_suite

    frame = pd.DataFrame({"a": range(6), "label": ["01", "1", "2"] * 2})
    frame.to_csv(tmp_path / "t.csv", index=False)
    pd.DataFrame({"a": range(4), "label": [1, 2, 10, 2]}).to_csv(
        tmp_path / "u.csv", index=False
    )
    tables = read_suite(tmp_path)
    assert tables["t"][1].tolist() == ["01", "1", "2"] * 2
    assert tables["u"][1].tolist() == [1, 2, 10, 2]  # numbers stay numbers
