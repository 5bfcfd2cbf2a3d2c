"""`aos-keras train` stopped by Ctrl-C or a signal, and run again."""

import json
import os

import keras
import numpy as np
import pandas as pd
from conftest import TINY_ARGS

from aos_keras import cli


def _run_with_sigint(argv, monkeypatch, after_epoch=1):
    """`cli.main(argv)`, Ctrl-C coming at the end of epoch `after_epoch`
    (0-based); the exit status and whether the handler was restored."""
    import os
    import signal

    from aos_keras.callbacks import EvaluationCallback

    original = EvaluationCallback.on_epoch_end

    def interrupt_after(self, epoch, logs=None):
        original(self, epoch, logs)
        if epoch == after_epoch:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(EvaluationCallback, "on_epoch_end", interrupt_after)
    # As in a terminal: CI may start the suite with SIGINT ignored, and an
    # ignored signal stays ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        status = cli.main(argv)
        restored = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
        monkeypatch.undo()
    return status, restored


def _epochs_run(argv, monkeypatch):
    """`cli.main(argv)` and the 0-based epochs it trained."""
    from aos_keras.callbacks import EvaluationCallback

    original, epochs = EvaluationCallback.on_epoch_end, []

    def record(self, epoch, logs=None):
        epochs.append(epoch)
        original(self, epoch, logs)

    monkeypatch.setattr(EvaluationCallback, "on_epoch_end", record)
    try:
        return cli.main(argv), epochs
    finally:
        monkeypatch.undo()


def test_ctrl_c_saves_the_best_epoch_so_far(table, tmp_path, capsys,
                                            monkeypatch):  # fmt: skip
    _, path, _ = table
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    argv += TINY_ARGS + ["--epochs", "5"]
    status, restored = _run_with_sigint(argv, monkeypatch)
    assert status == 130
    assert restored  # the handler is restored
    err = capsys.readouterr().err
    assert "stopped by SIGINT" in err and "Traceback" not in err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] == "SIGINT"
    assert metrics["epochs_done"] == 2 and metrics["best_epoch"] <= 2
    assert (out / "model.keras").exists()
    # Issue 24 item 13: the advice "run the same command again" works (the
    # --out folder of an interrupted run needs no --overwrite).
    assert "Run the same command again to resume from epoch 3" in err
    assert cli.main(argv) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert "interrupted" not in metrics and metrics["epochs"] == 5
    err = capsys.readouterr().err
    assert "resuming the run stopped by SIGINT from epoch 3 of 5" in err


def test_a_rerun_after_ctrl_c_resumes_where_it_stopped(
    table, tmp_path, capsys, monkeypatch
):
    # Issue 24 item 13: the rerun resumes from the backed-up state and
    # ends as an uninterrupted run (same history, weights and metrics).
    _, path, _ = table
    base = ["train", str(path), "--label", "outcome", *TINY_ARGS]
    base += ["--epochs", "4"]
    out, whole = tmp_path / "run", tmp_path / "whole"
    backup = tmp_path / ".run.resume"
    assert (
        _run_with_sigint([*base, "--output", str(out)], monkeypatch)[0] == 130
    )
    state = json.loads((backup / "backup" / "state.json").read_text())
    assert state["epoch"] == 2 and len(state["history"]["loss"]) == 2
    capsys.readouterr()
    status, epochs = _epochs_run([*base, "--output", str(out)], monkeypatch)
    assert status == 0 and epochs == [2, 3]  # resumed at the third epoch
    assert "resuming the run stopped by SIGINT from epoch 3 of 4" in (
        capsys.readouterr().err
    )
    assert not backup.exists()  # removed once the run ended
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    status, epochs = _epochs_run([*base, "--output", str(whole)], monkeypatch)
    assert status == 0 and epochs == [0, 1, 2, 3]
    resumed = pd.read_csv(out / "history.csv")
    assert resumed["epoch"].tolist() == [1, 2, 3, 4]  # each epoch once
    pd.testing.assert_frame_equal(resumed, pd.read_csv(whole / "history.csv"))
    metrics = [
        json.loads((f / "metrics.json").read_text()) for f in (out, whole)
    ]
    assert metrics[0] == metrics[1]  # best epoch chosen among all four
    models = [keras.saving.load_model(f / "model.keras") for f in (out, whole)]
    for a, b in zip(*(m.get_weights() for m in models)):
        if keras.backend.backend() == "tensorflow":
            # One CI run (2 workers, loaded) once differed by one float32
            # ulp in one weight; it passed locally every time. The exact
            # in-process check is tests/test_resume.py's.
            np.testing.assert_array_max_ulp(a, b, maxulp=1)
        else:
            np.testing.assert_array_equal(a, b)


def test_a_rerun_with_other_arguments_or_data_is_refused(
    table, tmp_path, capsys, monkeypatch
):
    _, source, _ = table
    path = tmp_path / "train.csv"
    path.write_bytes(source.read_bytes())
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    argv += TINY_ARGS + ["--epochs", "3"]
    assert _run_with_sigint(argv, monkeypatch, after_epoch=0)[0] == 130
    capsys.readouterr()
    assert cli.main([*argv, "--epochs", "4", "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert "holds the backup of an interrupted run with other --epochs " in err
    assert "(was 3, now 4), --seed (was 0, now 1)" in err
    assert "pass --overwrite to start afresh" in err
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert cli.main(argv) == 2
    assert "other data (the table changed" in capsys.readouterr().err
    # --overwrite starts afresh, from the first epoch.
    status, epochs = _epochs_run([*argv, "--overwrite"], monkeypatch)
    assert status == 0 and epochs == [0, 1, 2]
    assert pd.read_csv(out / "history.csv")["epoch"].tolist() == [1, 2, 3]
    assert not (tmp_path / ".run.resume").exists()


def test_a_signal_inside_a_step_stops_at_the_next_batch_end(
    table, tmp_path, capsys, monkeypatch
):
    # A real Ctrl-C lands anywhere, also inside a step: on JAX, raising
    # there (after the step donated the previous state, before the new one
    # is kept) left deleted arrays in the model, and saving it crashed.
    import os
    import signal

    from aos_keras import AdversarialOversampler

    original = AdversarialOversampler.make_train_function

    def make(self, force=False):
        original(self, force)
        step, calls = self.train_function, []

        def step_then_signal(*args):
            out = step(*args)
            calls.append(None)
            if len(calls) == 7:  # in the third epoch (3 steps an epoch)
                os.kill(os.getpid(), signal.SIGINT)
            return out

        self.train_function = step_then_signal
        return step_then_signal

    monkeypatch.setattr(AdversarialOversampler, "make_train_function", make)
    _, path, _ = table
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "outcome", "--output", str(out)]
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        status = cli.main(argv + TINY_ARGS + ["--epochs", "5"])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert status == 130
    assert "stopped by SIGINT after 2 of 5" in capsys.readouterr().err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] == "SIGINT" and metrics["epochs_done"] == 2
    keras.saving.load_model(out / "model.keras")  # saved whole
