"""The `aos-keras` command line, run in-process on tiny tables."""

import json
import os

import keras
import numpy as np
import pandas as pd
import pytest

from aos_keras import cli
from aos_keras.cli import model_folder, startup

TINY_ARGS = [
    "--epochs", "1", "--batch-size", "16", "--progress", "0",
    "--latent-dim", "4", "--generator-units", "8", "4",
    "--critic-units", "8", "--classifier-units", "8",
    "--generator-temperature", "0.5",
]  # fmt: skip


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("cli")
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, 48),
            "dose": rng.normal(size=48),
            "flag": rng.integers(0, 2, 48).astype(bool),
            "outcome": ["ok"] * 38 + ["relapse"] * 10,
        }
    )
    path = folder / "train.csv"
    frame.to_csv(path, index=False)
    return folder, path, frame


@pytest.fixture(scope="module")
def trained(table):
    folder, path, _ = table
    out = folder / "run"
    argv = ["train", str(path), "--label", "outcome", "--out", str(out)]
    assert cli.main(argv + TINY_ARGS) == 0
    return out


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
    argv = ["train", str(path), "--label", "outcome", "--out", str(out)]
    assert cli.main(argv + tiny + options) == 0
    model = model_folder.load_folder(str(out))[0]
    assert model.generator.temperature == model.generator_temperature
    assert model.generator_temperature == expected


def test_evaluate_and_generate(trained, table, tmp_path, capsys):
    _, path, frame = table
    capsys.readouterr()
    assert cli.main(["evaluate", str(trained), str(path)]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["rows"] == 48
    assert set(scores["recall"]) == {"ok", "relapse"}

    out = tmp_path / "synthetic.csv"
    argv = ["generate", str(trained), "--n", "5", "--out", str(out)]
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


def test_errors_are_clear(table, tmp_path, capsys):
    folder, path, frame = table
    assert cli.main(["train", str(path), "--label", "nope"]) == 2
    assert "label column 'nope'" in capsys.readouterr().err
    assert (
        cli.main(["train", str(tmp_path / "missing.csv"), "--label", "x"]) == 2
    )
    assert "no such file" in capsys.readouterr().err
    # A string column is a nominal feature now (issue 11); a column with
    # no value at all is still refused, by name.
    bad = frame.assign(city=[np.nan] * 48)
    bad_path = tmp_path / "bad.csv"
    bad.to_csv(bad_path, index=False)
    assert cli.main(["train", str(bad_path), "--label", "outcome"]) == 2
    assert "city" in capsys.readouterr().err
    assert cli.main(["evaluate", str(tmp_path), str(path)]) == 2
    assert "aos-keras train" in capsys.readouterr().err


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("train", "evaluate", "generate", "export", "compare"):
        assert command in out
    assert "benchmark" not in out  # a script now, named in the epilog
    assert "scripts/reproduce_table2.py" in " ".join(out.split())


def test_version(capsys):
    import aos_keras

    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"aos-keras {aos_keras.__version__}\n"


def _options(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _options(sub)
        elif action.option_strings and action.help != argparse.SUPPRESS:
            yield parser, action


def test_every_option_has_help_and_shows_its_default():
    parser = cli.build_parser()
    seen = 0
    for sub, action in _options(parser):
        name = f"{sub.prog} {action.option_strings[-1]}"
        assert action.help, f"{name} has no help text"
        if action.nargs != 0 and action.default is not None:
            text = sub.formatter_class(sub.prog)._get_help_string(action)
            assert "default" in text.lower(), f"{name} shows no default"
        seen += 1
    assert seen > 60  # every command's options, train's game settings


@pytest.mark.backend("tensorflow")
def test_export_serves_raw_features(trained, table, tmp_path):
    import tensorflow as tf

    _, _, frame = table
    path = tmp_path / "serving" / "1"
    assert cli.main(["export", str(trained), str(path)]) == 0
    model, prep = model_folder.load_folder(str(trained))
    raw = frame[prep["features"]].to_numpy(dtype="float32")
    served = tf.saved_model.load(str(path)).signatures["serving_default"]
    proba = served(features=tf.constant(raw))["probabilities"].numpy()
    x = model_folder.transform(frame[prep["features"]], prep)
    expected = model.predict(x)
    np.testing.assert_allclose(proba, expected, atol=1e-5)


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "-5"], "--batch-size must be at least 1"),
        (["--val-size", "1.5"], "--val-size must be in [0, 1)"),
        (["--max-anchors", "0"], "--max-anchors must be at least 1"),
        (["--latent-dim", "0"], "--latent-dim must be in [1, inf]"),
        (["--generator-temperature", "0"], "--generator-temperature must be"),
        (["--oversampling-start", "1"], "--oversampling-start must be in"),
        (["--out", "FILE"], "is a file, not a folder"),
        (["--out", "-"], "--out names a folder (the model folder), not '-'"),
    ],
)
def test_bad_run_options_fail_before_training(table, tmp_path, capsys, extra,
                                              words):  # fmt: skip
    _, path, _ = table
    extra = [str(path) if e == "FILE" else e for e in extra]
    out = ["--out", str(tmp_path / "run")] if "--out" not in extra else []
    argv = ["train", str(path), "--label", "outcome", *TINY_ARGS, *out, *extra]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()  # nothing written


def test_a_truncated_model_file_is_named_corrupt(trained, tmp_path, capsys):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(trained, folder)
    model = folder / "model.keras"
    model.write_bytes(model.read_bytes()[:100])
    path = folder / "x.csv"
    path.write_text("age,dose,flag\n1,2,True\n")
    assert cli.main(["predict", str(folder), str(path), "--out", "p.csv"]) == 2
    err = capsys.readouterr().err
    assert "corrupt or truncated" in err and "Traceback" not in err


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
    argv = ["train", str(path), "--label", "outcome", "--out", str(out)]
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
    assert _run_with_sigint([*base, "--out", str(out)], monkeypatch)[0] == 130
    state = json.loads((backup / "backup" / "state.json").read_text())
    assert state["epoch"] == 2 and len(state["history"]["loss"]) == 2
    capsys.readouterr()
    status, epochs = _epochs_run([*base, "--out", str(out)], monkeypatch)
    assert status == 0 and epochs == [2, 3]  # resumed at the third epoch
    assert "resuming the run stopped by SIGINT from epoch 3 of 4" in (
        capsys.readouterr().err
    )
    assert not backup.exists()  # removed once the run ended
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    status, epochs = _epochs_run([*base, "--out", str(whole)], monkeypatch)
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
        np.testing.assert_array_equal(a, b)


def test_a_rerun_with_other_arguments_or_data_is_refused(
    table, tmp_path, capsys, monkeypatch
):
    _, source, _ = table
    path = tmp_path / "train.csv"
    path.write_bytes(source.read_bytes())
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "outcome", "--out", str(out)]
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
    argv = ["train", str(path), "--label", "outcome", "--out", str(out)]
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


def test_outputs_that_cannot_be_written_fail_before_any_work(
    trained, table, tmp_path, capsys
):
    _, path, _ = table
    folder = tmp_path / "folder"
    folder.mkdir()
    a_file = tmp_path / "a_file"
    a_file.write_text("keep")
    for argv, says in [
        (["predict", str(trained), str(path), "--out", str(folder)],
         "is a folder; give a file name"),
        (["generate", str(trained), "--out", str(folder)],
         "is a folder; give a file name"),
        (["evaluate", str(trained), str(path), "--output",
          str(a_file / "s.json")], "a_file is a file, not a folder"),
        (["export", str(trained), str(a_file), "--overwrite"],
         "is a file, not a folder"),
        (["train", str(path), "--label", "outcome", "--out",
          str(a_file / "run"), *TINY_ARGS], "a_file is a file, not a folder"),
    ]:  # fmt: skip
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, err
    assert a_file.read_text() == "keep" and not list(folder.iterdir())


def test_a_val_size_that_cannot_stratify_is_refused_with_its_range(
    table, tmp_path, capsys
):
    _, path, _ = table  # 48 rows, 2 classes
    argv = ["train", str(path), "--label", "outcome", "--out",
            str(tmp_path / "run"), *TINY_ARGS]  # fmt: skip
    assert cli.main(argv + ["--val-size", "0.01"]) == 2
    err = capsys.readouterr().err
    assert "--val-size 0.01 holds out 1 of 48 rows" in err
    assert "between 0.05 and 0.95" in err and "test_size" not in err
    frame = pd.DataFrame({"x": np.arange(30.0), "y": np.arange(30.0) / 7})
    data = tmp_path / "continuous.csv"
    frame.to_csv(data, index=False)
    argv = ["train", str(data), "--label", "y", "--out",
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
    assert cli.main([*base, "--out", str(tmp_path / "a")]) == 0
    assert (
        "aos-keras: warning: column 'row_id' has a different value in every "
        "row (an ID?); it is used as a feature unless --drop names it\n"
    ) in capsys.readouterr().err
    argv = [*base, "--drop", "row_id", "--out", str(tmp_path / "b")]
    assert cli.main(argv) == 0
    prep = json.loads((tmp_path / "b" / "preprocessing.json").read_text())
    assert prep["features"] == ["age", "dose", "flag"]
    argv = [*base, "--features", "age", "dose", "--out", str(tmp_path / "c")]
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
    (out / "stale.png").write_bytes(b"old plot")
    argv = ["train", str(path), "--label", "outcome", "--out", str(out)]
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
    assert "stale.png" not in names and "model.keras" in names
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
    argv = ["train", str(data), "--label", "label", "--out", str(out)]
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
    argv = ["train", str(data), "--label", "label", "--out", str(out)]
    with pytest.warns(UserWarning, match="surrounding spaces"):
        assert cli.main(argv + TINY_ARGS) == 0
    assert "single row" not in capsys.readouterr().err
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
    argv = ["train", str(data), "--label", "outcome", "--out", str(out)]
    assert cli.main(argv + TINY_ARGS) == 2
    err = capsys.readouterr().err
    assert "column 'dose' has values too large" in err
    assert "data rows 6)" in err
    assert not out.exists()


def test_options_of_aos_keras_are_accepted_anywhere():
    move = startup.global_first
    assert move(["train", "d.csv", "--backend", "jax", "--label", "y"]) == [
        "--backend", "jax", "train", "d.csv", "--label", "y",
    ]  # fmt: skip
    assert move(["evaluate", "m", "d", "--backend=torch"])[:2] == [
        "--backend=torch", "evaluate",
    ]  # fmt: skip
    assert move(["train", "d.csv", "--backend-logs", "-qq"])[:3] == [
        "--backend-logs", "-qq", "train",
    ]  # fmt: skip
    # The old spelling of Keras's progress, `train --verbose 0`.
    assert move(["train", "d", "--verbose", "0", "-v"]) == [
        "-v", "train", "d", "--progress", "0",
    ]  # fmt: skip
    passed_on = ["compare", "--", "--backend", "jax"]
    assert move(passed_on) == passed_on


def test_another_backend_than_keras_runs_is_refused(capsys):
    # No restart of the process (the old `execve`): a message.
    other = "torch" if keras.backend.backend() != "torch" else "jax"
    assert cli.main(["--backend", other, "evaluate", "m", "d.csv"]) == 2
    err = capsys.readouterr().err
    assert f"Keras runs on {keras.backend.backend()} in this process" in err


def test_ctrl_c_while_starting_exits_130_in_one_line(table, capsys,
                                                     monkeypatch):  # fmt: skip
    # Issue 24 item 8: a KeyboardInterrupt in the import of Keras.
    def interrupted(quiet=True):
        raise KeyboardInterrupt

    monkeypatch.setattr(startup, "load_package", interrupted)
    _, path, _ = table
    assert cli.main(["evaluate", "m", str(path)]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "aos-keras: interrupted (Ctrl-C)"


def test_other_failures_end_in_one_line_and_status_1(
    table, capsys, monkeypatch
):
    from aos_keras.cli import evaluate

    def broken(args):
        raise KeyError("mean")

    monkeypatch.setattr(evaluate, "run", broken)
    _, path, _ = table
    assert cli.main(["evaluate", "m", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aos-keras evaluate: error: KeyError: 'mean'")
    assert len(err.strip().splitlines()) == 1  # no traceback
    assert cli.main(["-v", "evaluate", "m", str(path)]) == 1
    assert "Traceback" in capsys.readouterr().err  # asked for with -v

    def missing(args):
        raise ModuleNotFoundError("No module named 'imblearn'", name="imblearn")

    monkeypatch.setattr(evaluate, "run", missing)
    assert cli.main(["evaluate", "m", str(path)]) == 1
    assert "pip install imblearn" in capsys.readouterr().err


def test_a_bad_table_fails_before_keras_starts(tmp_path, capsys,
                                               monkeypatch):  # fmt: skip
    def not_now(quiet=True):
        raise AssertionError("Keras imported before the table was read")

    monkeypatch.setattr(startup, "load_package", not_now)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for command in (["evaluate", "m"], ["predict", "m"]):
        assert cli.main([*command, str(empty)]) == 2
        assert "empty.csv is empty" in capsys.readouterr().err


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


def test_infinite_cells_are_named_by_data_row_before_training(
    table, tmp_path, capsys
):
    # Issue 24 item 10: data row 3 is the third row after the header.
    _, _, frame = table
    bad = frame.assign(dose=frame["dose"].astype(float))
    bad.loc[[2, 40], "dose"] = np.inf
    path = tmp_path / "inf.csv"
    bad.to_csv(path, index=False)
    argv = ["train", str(path), "--label", "outcome", "--out",
            str(tmp_path / "run"), *TINY_ARGS]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "column 'dose' has infinite values on data rows 3, 41" in err
    assert "Traceback" not in err and not (tmp_path / "run").exists()


def test_library_arguments_in_messages_are_written_as_options():
    from aos_keras.cli.common import as_options

    message = (
        "column 'city' has categories training never saw: ['Oslo'] (data "
        "rows [2]); the model was trained with unknown categories as an "
        "error (unknown='error'). Fix those cells, or retrain with "
        "unknown='ignore' to give an unseen category no vote."
    )
    shown = as_options(message)
    assert "(--unknown-categories error)" in shown
    assert "retrain with --unknown-categories ignore" in shown


def test_threads_must_be_positive(capsys):
    assert cli.main(["--threads", "0", "compare", "x.csv"]) == 2
    assert "--threads must be at least 1" in capsys.readouterr().err


# ------------------------------------------------------- start-up and logs
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _python(code, **env):
    """Run `code` in a fresh interpreter at the repository root."""
    import os
    import subprocess
    import sys

    environ = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_parses_before_importing_keras():
    code = """
import runpy, sys
from aos_keras.cli import main
sys.argv = ["aos-keras", "--version"]
try:
    runpy.run_module("aos_keras.cli", run_name="__main__")
except SystemExit as stop:
    print("version", stop.code)
try:
    main(["--help"])
except SystemExit as stop:
    print("help", stop.code)
status = main(["train", "x.csv", "--label", "y", "--epochs", "0"])
print("status", status)
print("keras", "keras" in sys.modules, "aos_keras.model" in sys.modules)
"""
    run = _python(code)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "version 0" in lines and "help 0" in lines and "status 2" in lines
    assert "keras False False" in lines  # nothing of Keras was imported
    assert "usage: aos-keras" in run.stdout
    assert "--epochs must be at least 1" in run.stderr


def test_import_aos_keras_is_cheap_and_a_saved_model_loads(trained):
    # A fresh process, as a user's `import aos_keras; keras.saving.
    # load_model(...)`: the classes are registered when Keras is imported.
    code = f"""
import sys
import aos_keras
print("cheap", "keras" not in sys.modules)
import keras
model = keras.saving.load_model({str(trained / "model.keras")!r})
print(type(model) is aos_keras.AdversarialOversampler, model.classes_.tolist())
"""
    run = _python(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["cheap True", "True ['ok', 'relapse']"]


def test_the_public_names_are_listed_once():
    import aos_keras
    from aos_keras import _api

    public = {n for n in vars(_api) if not n.startswith("_")}
    assert public == set(aos_keras.__all__) - set(aos_keras._SAMPLER_NAMES)
    for name in aos_keras.__all__:
        assert getattr(aos_keras, name) is not None


@pytest.mark.backend("tensorflow")
def test_backend_logs_are_hidden_unless_asked(tmp_path):
    # The model folder is missing: the command fails after TensorFlow has
    # started, with the CLI's message.
    table = tmp_path / "x.csv"
    table.write_text("a,label\n1,x\n")
    argv = ["--backend", "tensorflow", "evaluate", str(tmp_path), str(table)]
    code = "import sys; from aos_keras.cli import main; sys.exit(main({}))"
    shown = _python(code.format(["--backend-logs", *argv]))
    hidden = _python(code.format(argv))
    for run in (shown, hidden):
        assert run.returncode == 2
        assert "aos-keras evaluate: error:" in run.stderr
    if "oneDNN" not in shown.stderr and "absl" not in shown.stderr:
        pytest.skip("this TensorFlow build writes no start-up log lines")
    assert "oneDNN" not in hidden.stderr and "absl" not in hidden.stderr
    assert hidden.stderr.strip().splitlines() == [
        line for line in shown.stderr.strip().splitlines()
        if line.startswith("aos-keras")
    ]  # fmt: skip


def test_quiet_imports_hide_what_a_module_writes_to_fd_2(
    tmp_path, capfd, monkeypatch
):
    import importlib.util
    import sys

    from aos_keras._imports import LoaderHook

    (tmp_path / "noisy_ok.py").write_text(
        "import os\nos.write(2, b'C++ noise\\n')\n"
    )
    (tmp_path / "noisy_bad.py").write_text(
        "import os\nos.write(2, b'why it failed\\n')\nraise ImportError('no')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with startup.quiet_imports(["noisy_ok", "noisy_bad"]):
            assert importlib.util.find_spec("noisy_ok") is not None
            import noisy_ok  # noqa: F401

            with pytest.raises(ImportError, match="no"):
                import noisy_bad  # noqa: F401
        err = capfd.readouterr().err
        assert "C++ noise" not in err  # found first, imported later: hidden
        assert "why it failed" in err  # shown when the import fails
        assert not any(
            isinstance(f, LoaderHook) for f in sys.meta_path
        )  # fmt: skip
    finally:
        sys.modules.pop("noisy_ok", None)
        sys.modules.pop("noisy_bad", None)
