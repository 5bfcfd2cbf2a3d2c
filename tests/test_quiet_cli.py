"""`-q` means quiet: the backend's logs hidden, Python warnings as log
lines, and a compare stopped by a signal says what it kept (issue 29,
item 17)."""

import os
import pickle
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pandas as pd
import pytest

from aos_keras import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _write_table(path, padded=False, rows=60):
    rng = np.random.default_rng(0)
    y = np.array(["x"] * (rows - 15) + ["y"] * 15, dtype=object)
    if padded:
        y[::7] = np.where(y[::7] == "x", " x", y[::7])
    frame = pd.DataFrame(
        {"a": rng.normal(size=rows) + (y == "y"), "b": rng.normal(size=rows)}
    )
    frame.assign(label=y).to_csv(path, index=False)
    return path


def _aos_keras(*argv, **popen):
    """`aos-keras argv` in a fresh process, its environment as a user's:
    no TF_CPP_MIN_LOG_LEVEL set."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["KERAS_BACKEND"] = keras.backend.backend()
    command = [sys.executable, "-m", "aos_keras.cli", *argv]
    if popen:
        return subprocess.Popen(command, cwd=ROOT, env=env, text=True, **popen)
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


# ----------------------------------------------------------------- (a)
@pytest.mark.backend_independent
@pytest.mark.filterwarnings("default::UserWarning")
def test_python_warnings_are_one_log_line_and_qq_hides_them(tmp_path, capsys):
    data = _write_table(tmp_path / "t.csv", padded=True)
    argv = [
        "compare", str(data), "--methods", "LR", "--repeats", "2",
        "--no-plot", "--output", str(tmp_path / "report"),
    ]  # fmt: skip
    assert cli.main(["-q", *argv]) == 0
    err = capsys.readouterr().err
    assert err == (
        "aos-keras: warning: y has labels that differ only by surrounding "
        "spaces; they are stripped (merged): ' x', 'x' -> 'x'. Strip them in "
        "the data to silence this warning.\n"
    )
    assert cli.main(["-qq", *argv]) == 0
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------- (b)
def test_quiet_train_writes_nothing_to_stderr(tmp_path):
    # On every backend (issue 32, item 4): TensorFlow's import lines, its
    # cuInit error (no GPU) and retracing warnings, JAX's and torch's
    # start-up: none reaches stderr, and no Python warning is raised.
    data = _write_table(tmp_path / "t.csv")
    run = _aos_keras(
        "-q", "train", str(data), "--epochs", "1", "-o", str(tmp_path / "m")
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert '"best_epoch"' in run.stdout


@pytest.mark.backend("tensorflow")
def test_compare_workers_print_no_tensorflow_banner(tmp_path):
    # `--jobs 2` (issue 32, item 4): two loky worker processes import
    # TensorFlow; without -q, stderr holds the command's own lines only.
    data = _write_table(tmp_path / "t.csv")
    run = _aos_keras(
        "compare", str(data), "--methods", "LR", "Q", "--repeats", "2",
        "--epochs", "1", "--jobs", "2", "--no-plot", "-o", str(tmp_path / "r"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    # cached count, the estimate, 4 runs, 2 files
    assert len(lines) == 8, run.stderr
    assert all(line.startswith("aos-keras: ") for line in lines), run.stderr


@pytest.mark.backend("tensorflow")
def test_quiet_compare_writes_nothing_to_stderr(tmp_path):
    # Q scored after every epoch on two row counts: TensorFlow's retracing
    # warnings; with a worker process, that process's start-up lines.
    data = _write_table(tmp_path / "t.csv")
    run = _aos_keras(
        "-q", "compare", str(data), "--methods", "Q", "LR", "--repeats",
        "2", "--epochs", "4", "--no-plot", "--output", str(tmp_path / "r"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


@pytest.mark.backend("tensorflow")
def test_a_compare_worker_process_hides_tensorflow_logs(tmp_path):
    from aos_keras.evaluation import Protocol, plan_runs, prepare_table

    frame = pd.read_csv(_write_table(tmp_path / "t.csv"))
    prepared = {"t": prepare_table(frame[["a", "b"]], frame["label"])}
    (run,) = plan_runs(
        prepared, ["Q"], Protocol(epochs=2, batch_size=16), repeats=1,
        seed=0, options={}, cache_dir=None,
    )  # fmt: skip
    (tmp_path / "run.pkl").write_bytes(pickle.dumps(run))
    code = (
        "import sys\n"
        "from aos_keras.evaluation.worker import run_in_worker\n"
        f"payload = open({str(tmp_path / 'run.pkl')!r}, 'rb').read()\n"
        "tag, record = run_in_worker(payload, 'tensorflow', None, -1)\n"
        "print(record['status'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    worker = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout == "ok\n"
    assert worker.stderr == ""


# ----------------------------------------------------------------- (c)
# `aos-keras` with Ctrl-C raising, as from a terminal: a test runner's
# worker (pytest-xdist) ignores SIGINT, and an ignored signal stays ignored
# in the processes it starts (as `aos-keras` keeps it ignored).
AS_FROM_A_TERMINAL = (
    "import signal, sys; signal.signal(signal.SIGINT, "
    "signal.default_int_handler); from aos_keras.cli import main; "
    "sys.exit(main(sys.argv[1:]))"
)


def _wait_for(predicate, timeout=240):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)


@pytest.mark.backend("tensorflow")  # the signal's path is the backend's
# own nowhere: the stop is raised at a batch's end (`StopPoint`), as
# `train`'s is, whose signal tests run on every backend
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_compare_stopped_by_a_signal_says_what_it_kept(tmp_path, sig):
    data, out = _write_table(tmp_path / "t.csv"), tmp_path / "report"
    argv = [
        "compare", str(data), "--methods", "LR", "Q", "--repeats", "2",
        "--epochs", "3000", "--no-plot", "--output", str(out),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, *argv],
        cwd=ROOT,
        env={**env, "KERAS_BACKEND": keras.backend.backend()},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:  # LR of split 0 is cached first; Q's 3000 epochs run on
        _wait_for(lambda: list(out.glob("runs/t/LR__*.json")))
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    name = signal.Signals(sig).name
    assert proc.returncode == {"SIGINT": 130, "SIGTERM": 143}[name]
    assert err.strip().splitlines()[-1] == (
        f"aos-keras: warning: stopped by {name}: 1 of 4 runs are done and "
        f"kept in the cache {out / 'runs'}; the same command resumes from "
        "them"
    )
    assert "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["runs"]  # no report, no lock


# ------------------------------------------------------------ --jobs
@pytest.mark.backend_independent
def test_more_jobs_than_cores_warn_once_in_the_commands_terms(
    tmp_path, capsys, monkeypatch
):
    import joblib

    from aos_keras.evaluation import executor

    monkeypatch.setattr(executor, "available_cores", lambda: 1)
    data = _write_table(tmp_path / "t.csv")
    argv = [
        "-q", "compare", str(data), "--methods", "LR", "--repeats", "2",
        "--jobs", "2", "--no-plot", "--output", str(tmp_path / "report"),
    ]  # fmt: skip
    with joblib.parallel_config(backend="threading"):  # local, in-process
        assert cli.main(argv) == 0
    assert capsys.readouterr().err == (
        "aos-keras: warning: --jobs 2 is more than the 1 core available: "
        "the workers share them and every run takes longer; use --jobs 1 "
        "(or -1)\n"
    )


@pytest.mark.backend_independent
def test_no_jobs_is_refused_before_keras_starts(tmp_path, capsys):
    data = _write_table(tmp_path / "t.csv")
    argv = [
        "compare",
        str(data),
        "--jobs",
        "0",
        "--output",
        str(tmp_path / "r"),
    ]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        "aos-keras compare: error: --jobs must be at least 1 (or -1: one "
        "per core)\n"
    )
    assert not (tmp_path / "r").exists()


@pytest.mark.backend_independent
def test_ctrl_c_in_compare_from_python_raises_the_counts(tmp_path, monkeypatch):
    from aos_keras import evaluation
    from aos_keras.evaluation import harness

    real = harness.each_result

    def stop_after_one(todo, **kwargs):
        yield next(real(todo, **kwargs))
        raise KeyboardInterrupt

    monkeypatch.setattr(harness, "each_result", stop_after_one)
    frame = pd.read_csv(_write_table(tmp_path / "t.csv"))
    cache = tmp_path / "runs"
    with pytest.raises(KeyboardInterrupt) as info:
        evaluation.compare(
            frame[["a", "b"]], frame["label"], methods=["LR", "HGB"],
            repeats=2, cache_dir=str(cache), log=None,
        )  # fmt: skip
    stop = info.value
    assert isinstance(stop, evaluation.RunsInterrupted)
    assert (stop.done, stop.total, stop.cache_dir) == (1, 4, str(cache))
    assert str(stop) == (
        f"1 of 4 runs are done and kept in the cache {cache}; the same call "
        "resumes from them"
    )
    assert len(list(cache.rglob("*.json"))) == 1
