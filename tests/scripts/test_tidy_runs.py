"""`scripts/tidy_runs.py`: one tidy row per cached run file.

Tiny hand-made run files in `tmp_path` (no training); the script needs no
Keras backend, so it runs on one.
"""

import csv
import importlib.util
import json
import os

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
pytestmark = pytest.mark.backend("jax")


def load():
    path = os.path.join(ROOT, "scripts", "tidy_runs.py")
    spec = importlib.util.spec_from_file_location("tidy_runs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(path, record):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f)


def compare_record(method, split, recall, status="ok"):
    scores = {"acsa": 0.5 + split / 10, "gm": 0.4, "epoch": 3, "val_acsa": 0.6}
    record = {
        "method": method,
        "repeat_seed": split,
        "status": status,
        "seconds": 1.5,
        "batch_size": 32,
        "protocol": {"epochs": 2, "batch_size": "auto", "max_anchors": None},
        "rows": {"fit": 10, "val": 3, "test": 5},
        "history": [{"epoch": 0}],
    }
    if status == "na":
        return record | {"reason": "too few rows"}
    return record | {
        "honest": scores | {"recall": recall},
        "posthoc": scores | {"tau": 1.0, "recall": recall},
        "paper": scores | {"recall": recall},
    }


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_compare_runs_get_compare_columns(tmp_path):
    study = tmp_path / "study"
    write(study / "t1" / "DO__b.json", compare_record("DO", 1, {"a": 0.1}))
    write(study / "t1" / "DO__a.json", compare_record("DO", 0, {"a": 0.2}))
    write(study / "t2" / "Q__c.json", compare_record("Q", 0, {"z": 0.3}))
    write(study / "t2" / "LR__d.json", compare_record("LR", 0, {}, "na"))
    write(study / ".jax" / "x.json", {"method": "not a run"})
    (study / "COMMAND").write_text("aos-keras compare ...\n")
    load().main(["--root", str(tmp_path)])
    rows = read(study / "runs.csv")
    assert [(r["table"], r["method"], r["split"]) for r in rows] == [
        ("t1", "DO", "0"),
        ("t1", "DO", "1"),
        ("t2", "LR", "0"),
        ("t2", "Q", "0"),
    ]
    names = list(rows[0])
    assert names[:12] == [
        "table", "method", "split", "status", "reason", "seconds",
        "sampler", "acsa", "gm", "epoch", "val_acsa", "recall[a]",
    ]  # fmt: skip
    assert names.index("posthoc_tau") < names.index("recall[z]")
    assert names.index("recall[z]") < names.index("epochs")
    assert names[-1] == "file" and "history" not in names
    assert rows[1]["acsa"] == "0.6" and rows[1]["recall[a]"] == "0.1"
    assert rows[1]["file"] == "t1/DO__b.json"
    assert rows[2]["reason"] == "too few rows" and rows[2]["acsa"] == ""
    assert rows[3]["recall[z]"] == "0.3" and rows[3]["recall[a]"] == ""
    assert rows[3]["epochs"] == "2" and rows[3]["batch_size"] == "32"
    assert rows[3]["paper_acsa"] == "0.5" and rows[3]["rows_test"] == "5"


def test_other_runs_are_flattened(tmp_path):
    study = tmp_path / "grid"
    record = {
        "method": "DO",
        "dataset": "haberman",
        "seed": 0,
        "status": "ok",
        "config": {"epochs": 3},
        "honest": {"acsa": 0.75, "recall": [0.5, 1.0]},
        "epoch_seconds": [2.5, 0.25],
        "history": [{"epoch": 0, "test_acsa": 0.5}],
    }
    write(study / "haberman__DO__seed0.json", record)
    write(study / "notes.json", {"not": "a run"})
    load().main(["--root", str(tmp_path), "grid"])
    (row,) = read(study / "runs.csv")
    assert list(row) == [
        "dataset", "method", "seed", "status", "config_epochs",
        "epoch_seconds", "honest_acsa", "honest_recall[0]",
        "honest_recall[1]", "file",
    ]  # fmt: skip
    assert row["epoch_seconds"] == "2.5 0.25"
    assert row["honest_recall[1]"] == "1.0"
    assert row["file"] == "haberman__DO__seed0.json"


def test_studies_are_the_folders_with_a_command(tmp_path):
    """A study folder may hold others (each with its COMMAND): each gets
    its own runs.csv, and the outer one does not count their files."""
    outer = tmp_path / "time" / "main"
    inner = tmp_path / "time" / "main" / "epochs"
    record = {"method": "DO", "dataset": "t", "seed": 0, "status": "ok"}
    write(outer / "a.json", record)
    write(inner / "b.json", record | {"seed": 1})
    write(tmp_path / "no_command" / "c.json", record)
    for folder in (outer, inner):
        (folder / "COMMAND").write_text("python ...\n")
    load().main(["--root", str(tmp_path)])
    assert [r["file"] for r in read(outer / "runs.csv")] == ["a.json"]
    assert [r["seed"] for r in read(inner / "runs.csv")] == ["1"]
    assert not (tmp_path / "no_command" / "runs.csv").exists()
    load().main(["--root", str(tmp_path), "time/main/epochs"])
    assert [r["file"] for r in read(inner / "runs.csv")] == ["b.json"]
