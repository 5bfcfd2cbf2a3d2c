"""`aos-keras compare`'s output folder: one report per folder, whole, and
never a user's file (issue 29, item 8)."""

import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from aos_keras import cli

pytestmark = pytest.mark.backend_independent  # scikit-learn methods only


def _table(tmp_path):
    rng = np.random.default_rng(0)
    y = np.array(["no"] * 40 + ["yes"] * 12)
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=52) + (y == "yes") * 1.5,
            "x2": rng.normal(size=52),
        }
    )
    path = tmp_path / "t.csv"
    frame.assign(target=y).to_csv(path, index=False)
    return path


def _compare(path, out, *extra):
    argv = [
        "compare", str(path), "--label", "target", "--repeats", "2",
        "--output", str(out), *extra,
    ]  # fmt: skip
    return cli.main(argv)


def test_a_second_compare_without_plot_leaves_no_stale_figure(tmp_path):
    path, out = _table(tmp_path), tmp_path / "report"
    assert _compare(path, out, "--methods", "LR") == 0
    assert (out / "scores.png").exists()
    assert _compare(path, out, "--methods", "HGB", "--no-plot") == 0
    assert sorted(os.listdir(out)) == ["report.md", "runs", "runs.csv"]
    assert "| HGB |" in (out / "report.md").read_text()
    assert "| LR |" not in (out / "report.md").read_text()
    # The cache of both compares is kept: a third compare runs nothing.
    assert len(list((out / "runs").rglob("*.json"))) == 4


def test_a_suite_without_plot_removes_its_own_earlier_diagram(tmp_path):
    suite = tmp_path / "tables"
    suite.mkdir()
    for i in range(2):
        os.replace(_table(tmp_path), suite / f"t{i}.csv")
    out = tmp_path / "report"
    argv = [
        "compare", "--suite", str(suite), "--label", "target", "--methods",
        "LR", "HGB", "--repeats", "1", "--output", str(out),
    ]  # fmt: skip
    assert cli.main(argv) == 0
    assert (out / "suite_cd.png").exists()
    assert cli.main([*argv, "--no-plot"]) == 0
    assert not (out / "suite_cd.png").exists()
    assert (out / "suite.md").exists() and (out / "suite.csv").exists()


@pytest.mark.parametrize("name", ["report.md", "runs.csv", "scores.png"])
def test_a_users_file_named_like_a_report_file_is_refused_before_any_run(
    tmp_path, capsys, name
):
    path, out = _table(tmp_path), tmp_path / "notes"
    out.mkdir()
    (out / name).write_text("my own notes\n")
    assert _compare(path, out, "--methods", "LR", "--no-plot") == 2
    err = capsys.readouterr().err
    assert f"holds {name}, which compare did not write" in err
    assert "Choose another output folder, or move those files away" in err
    assert (out / name).read_text() == "my own notes\n"
    assert sorted(os.listdir(out)) == [name]  # nothing ran, nothing cached


def test_a_model_folder_is_refused_as_compare_output(tmp_path, capsys):
    path, out = _table(tmp_path), tmp_path / "model"
    out.mkdir()
    (out / "model.keras").write_bytes(b"PK")
    assert _compare(path, out, "--methods", "LR") == 2
    err = capsys.readouterr().err
    assert "output folder of another command (it holds model.keras)" in err
    assert os.listdir(out) == ["model.keras"]


def test_a_second_compare_into_a_folder_in_use_is_refused(tmp_path, capsys):
    path, out = _table(tmp_path), tmp_path / "report"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from aos_keras.evaluation import outputs\n"
         f"with outputs.claim({str(out)!r}):\n"
         "    print('held', flush=True)\n"
         "    time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "held\n"
        assert _compare(path, out, "--methods", "LR") == 2
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert f"is being written by another process (pid {holder.pid})" in err
    assert not (out / "runs").exists()
    time.sleep(0.1)
    assert _compare(path, out, "--methods", "LR", "--no-plot") == 0


def test_a_folder_that_failed_before_writing_is_not_left_behind(tmp_path):
    out = tmp_path / "report"
    argv = ["compare", str(tmp_path / "missing.csv"), "--label", "target",
            "--output", str(out)]  # fmt: skip
    assert cli.main(argv) == 2
    assert not out.exists()
