"""The `aos-keras` command line, run in-process on tiny tables."""

import json

import keras
import numpy as np
import pandas as pd
import pytest

from aos_keras import cli

TINY_ARGS = [
    "--epochs", "1", "--batch-size", "16", "--verbose", "0",
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
    for command in ("train", "evaluate", "generate", "export", "benchmark"):
        assert command in out


@pytest.mark.backend("tensorflow")
def test_export_serves_raw_features(trained, table, tmp_path):
    import tensorflow as tf

    _, _, frame = table
    path = tmp_path / "serving" / "1"
    assert cli.main(["export", str(trained), str(path)]) == 0
    model, prep = cli.load_folder(str(trained))
    raw = frame[prep["features"]].to_numpy(dtype="float32")
    served = tf.saved_model.load(str(path)).signatures["serving_default"]
    proba = served(features=tf.constant(raw))["probabilities"].numpy()
    expected = model.predict(cli._transform(frame[prep["features"]], prep))
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


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is empty"),
        (b"a,b,label\n", "has a header but no rows"),
        (b"a,label,label\n1,x,y\n", "duplicate column names ['label']"),
        (b"\x7fELF\x02\x01\x00\x00binary", "looks binary"),
        (b"a,label\n1,\xe9t\xe9\n", "is not UTF-8 text"),
    ],
)
def test_unreadable_tables_get_a_message_that_says_why(tmp_path, content,
                                                       words):  # fmt: skip
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(cli.CLIError) as info:
        cli.read_table(str(path))
    assert words in str(info.value)


def test_the_separator_is_sniffed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b;label\n1,5;2;x\n3,5;4;y\n")
    frame = cli.read_table(str(path))
    assert list(frame.columns) == ["a", "b", "label"] and len(frame) == 2


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


def test_ctrl_c_saves_the_best_epoch_so_far(table, tmp_path, capsys,
                                            monkeypatch):  # fmt: skip
    import os
    import signal

    from aos_keras.callbacks import EvaluationCallback

    original = EvaluationCallback.on_epoch_end

    def interrupt_after_the_second_epoch(self, epoch, logs=None):
        original(self, epoch, logs)
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(
        EvaluationCallback, "on_epoch_end", interrupt_after_the_second_epoch
    )
    _, path, _ = table
    out = tmp_path / "run"
    argv = ["train", str(path), "--label", "outcome", "--out", str(out)]
    # As in a terminal: CI may start the suite with SIGINT ignored, and an
    # ignored signal stays ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        status = cli.main(argv + TINY_ARGS + ["--epochs", "5"])
        after = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert status == 130
    assert after is signal.default_int_handler  # the handler is restored
    err = capsys.readouterr().err
    assert "stopped by SIGINT" in err and "Traceback" not in err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] == "SIGINT"
    assert metrics["epochs_done"] in (1, 2) and metrics["best_epoch"] <= 2
    assert (out / "model.keras").exists()


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
    assert "every class has a single row" in err and "--val-size" in err
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


def test_backend_is_accepted_anywhere():
    move = cli._backend_first
    assert move(["train", "d.csv", "--backend", "jax", "--label", "y"]) == [
        "--backend", "jax", "train", "d.csv", "--label", "y",
    ]  # fmt: skip
    assert move(["evaluate", "m", "d", "--backend=torch"])[:2] == [
        "--backend", "torch",
    ]  # fmt: skip
    assert move(["train", "d.csv", "--backend-logs"])[:2] == [
        "--backend-logs", "train",
    ]  # fmt: skip
    passed_on = ["benchmark", "--", "--backend", "jax"]
    assert move(passed_on) == passed_on


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
    environ.pop("_AOS_KERAS_DEFER_IMPORTS", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_launcher_parses_before_importing_keras():
    code = """
import os, sys
import aos_keras_cli
try:
    aos_keras_cli.main(["--help"])
except SystemExit as stop:
    print("help", stop.code)
status = aos_keras_cli.main(["train", "x.csv", "--label", "y", "--epochs", "0"])
print("status", status)
print("keras", "keras" in sys.modules, "aos_keras.model" in sys.modules)
print("flag", os.environ.get("_AOS_KERAS_DEFER_IMPORTS"))
"""
    run = _python(code)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "help 0" in lines and "status 2" in lines
    assert "keras False False" in lines  # nothing of Keras was imported
    assert "flag None" in lines  # not left for child processes
    assert "usage: aos-keras" in run.stdout
    assert "--epochs must be at least 1" in run.stderr


def test_import_aos_keras_registers_its_classes():
    # A fresh process, as a user's `import aos_keras; keras.saving.
    # load_model(...)`: the eager import must register every class.
    code = (
        "import aos_keras, keras; registered = keras.saving."
        "get_registered_object('aos_keras>AdversarialOversampler'); "
        "print(registered is aos_keras.AdversarialOversampler)"
    )
    run = _python(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True"]


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
    argv = ["--backend", "tensorflow", "evaluate", str(tmp_path), "x.csv"]
    code = "import sys, aos_keras_cli; sys.exit(aos_keras_cli.main({}))"
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

    (tmp_path / "noisy_ok.py").write_text(
        "import os\nos.write(2, b'C++ noise\\n')\n"
    )
    (tmp_path / "noisy_bad.py").write_text(
        "import os\nos.write(2, b'why it failed\\n')\nraise ImportError('no')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with cli.quiet_imports(["noisy_ok", "noisy_bad"]):
            assert importlib.util.find_spec("noisy_ok") is not None
            import noisy_ok  # noqa: F401

            with pytest.raises(ImportError, match="no"):
                import noisy_bad  # noqa: F401
        err = capfd.readouterr().err
        assert "C++ noise" not in err  # found first, imported later: hidden
        assert "why it failed" in err  # shown when the import fails
        assert not any(
            isinstance(f, cli._QuietFinder) for f in sys.meta_path
        )  # fmt: skip
    finally:
        sys.modules.pop("noisy_ok", None)
        sys.modules.pop("noisy_bad", None)
