"""Nothing of the user's is lost: `--overwrite` replaces only what
aos-keras wrote, and one output has one writer at a time (issue 29, items
1 and 2)."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from aos_keras import cli
from aos_keras.saving import io

TINY = [
    "--epochs", "1", "--batch-size", "16", "--progress", "0",
    "--latent-dim", "4", "--generator-units", "8", "4",
    "--critic-units", "8", "--classifier-units", "8",
]  # fmt: skip


def _table(folder):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=40),
            "b": rng.normal(size=40),
            "y": ["n"] * 32 + ["p"] * 8,
        }
    )
    folder.mkdir(exist_ok=True)
    path = folder / "t.csv"
    frame.to_csv(path, index=False)
    return path


def _contents(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# ------------------------------------------------------------------ io
@pytest.mark.backend_independent
def test_overwrite_never_deletes_entries_its_writer_did_not_make(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "t.csv").write_text("x,y\n1,2\n")
    with pytest.raises(FileExistsError, match=r"t\.csv.*would delete them"):
        with io.atomic_dir(target, overwrite=True, own={"model.keras"}) as t:
            open(os.path.join(t, "model.keras"), "w").close()
    assert os.listdir(target) == ["t.csv"]
    assert sorted(os.listdir(tmp_path)) == ["data"]  # no temp folder left
    empty = tmp_path / "empty"
    empty.mkdir()
    with io.atomic_dir(empty, overwrite=True) as t:  # empty: replaceable
        open(os.path.join(t, "f"), "w").close()
    assert os.listdir(empty) == ["f"]


@pytest.mark.backend_independent
def test_a_link_is_never_replaced(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(FileExistsError, match="is a link"):
        with io.atomic_dir(link, overwrite=True):
            pass
    assert link.is_symlink()


HOLD = textwrap.dedent(
    """
    import sys, time
    from aos_keras.saving import io
    with io.exclusive(sys.argv[1]):
        print("held", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture
def held(tmp_path):
    """A second process holding the lock of `tmp_path / "m"`."""
    out = tmp_path / "m"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    yield out, proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.backend_independent
def test_a_second_writer_is_told_and_nothing_mixed(held):
    out, pid = held
    with pytest.raises(io.FolderInUseError, match=f"pid {pid}") as err:
        with io.atomic_dir(out) as t:
            open(os.path.join(t, "f"), "w").close()
    assert err.value.holder == str(pid)
    assert not out.exists()
    assert [n for n in os.listdir(out.parent) if n.endswith(".tmp")] == []


@pytest.mark.backend_independent
def test_the_lock_is_reentrant_and_left_behind_by_nobody(tmp_path):
    out = tmp_path / "m"
    with io.exclusive(out):
        with io.atomic_dir(out) as t:  # the same process: no refusal
            open(os.path.join(t, "f"), "w").close()
    assert sorted(os.listdir(tmp_path)) == ["m"]  # no .m.lock left


@pytest.mark.backend_independent
def test_a_killed_holder_blocks_nobody(tmp_path):
    out = tmp_path / "m"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    proc.kill()
    proc.wait()
    assert os.path.exists(tmp_path / ".m.lock")  # left by the killed run
    with io.atomic_dir(out) as t:
        open(os.path.join(t, "f"), "w").close()
    assert os.listdir(out) == ["f"]


# ------------------------------------------------------------- the CLI
@pytest.mark.parametrize("where", ["data", "."])
def test_train_overwrite_never_deletes_the_users_files(
    tmp_path, monkeypatch, capsys, where
):
    # Issue 29, item 1: `--out data --overwrite` deleted the input table;
    # `--out . --overwrite` emptied the working folder.
    path = _table(tmp_path / "data")
    (tmp_path / "data" / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path / "data" if where == "." else tmp_path)
    before = _contents(tmp_path / "data")
    argv = [
        "train",
        str(path),
        "--label",
        "y",
        "--output",
        where,
        "--overwrite",
    ]
    assert cli.main(argv + TINY) == 2
    err = capsys.readouterr().err
    assert "did not write there (notes.txt, t.csv)" in err
    assert "would delete them" in err
    assert _contents(tmp_path / "data") == before
    assert sorted(os.listdir(tmp_path / "data")) == ["notes.txt", "t.csv"]


def test_train_overwrite_refuses_a_model_folder_with_a_users_file(
    tmp_path, capsys
):
    path = _table(tmp_path)
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "y", "--output", str(out)]
    assert cli.main(argv + TINY) == 0
    (out / "my_analysis.ipynb").write_text("{}")
    assert cli.main(argv + TINY + ["--overwrite"]) == 2
    assert "my_analysis.ipynb" in capsys.readouterr().err
    assert (out / "my_analysis.ipynb").read_text() == "{}"
    os.remove(out / "my_analysis.ipynb")
    assert cli.main(argv + TINY + ["--overwrite"]) == 0  # a model folder


def test_a_second_train_into_the_same_folder_is_refused(held, capsys):
    # Issue 29, item 2: two `train --out m` at once both said "saved to m".
    out, pid = held
    path = _table(out.parent / "in")
    argv = ["train", str(path), "--label", "y", "--output", str(out)]
    assert cli.main(argv + TINY) == 2
    err = capsys.readouterr().err
    assert f"another aos-keras command (pid {pid}) is writing" in err
    assert not out.exists()
    assert not (out.parent / ".m.resume").exists()


@pytest.mark.backend_independent
def test_export_overwrite_never_deletes_the_users_files(tmp_path, capsys):
    target = tmp_path / "serving"
    target.mkdir()
    (target / "t.csv").write_text("x\n1\n")
    argv = [
        "export",
        str(tmp_path / "no-model"),
        "-o",
        str(target),
        "--overwrite",
    ]
    assert cli.main(argv) == 2
    assert "t.csv" in capsys.readouterr().err
    assert os.listdir(target) == ["t.csv"]


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "command, flag", [("predict", "--output"), ("evaluate", "--output")]
)
def test_an_output_never_replaces_an_input(tmp_path, capsys, command, flag):
    # `predict m t.csv --out t.csv` replaced the user's table with the
    # predictions; `--out m/model.keras` would replace the model.
    path = _table(tmp_path)
    model = tmp_path / "m"
    model.mkdir()
    before = path.read_bytes()
    for out in (path, model / "model.keras"):
        argv = [command, str(model), str(path), flag, str(out)]
        assert cli.main(argv) == 2
        assert "would replace the input" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert os.listdir(model) == []
