"""The `aos-keras` command as a whole: parsing, help, errors, start-up, logs."""

import os

import keras
import numpy as np
import pytest
from conftest import TINY_ARGS

from aos_keras import cli
from aos_keras.cli import startup


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


def test_outputs_that_cannot_be_written_fail_before_any_work(
    trained, table, tmp_path, capsys
):
    _, path, _ = table
    folder = tmp_path / "folder"
    folder.mkdir()
    a_file = tmp_path / "a_file"
    a_file.write_text("keep")
    for argv, says in [
        (["predict", str(trained), str(path), "--output", str(folder)],
         "is a folder; give a file name"),
        (["generate", str(trained), "--output", str(folder)],
         "is a folder; give a file name"),
        (["evaluate", str(trained), str(path), "--output",
          str(a_file / "s.json")], "a_file is a file, not a folder"),
        (["export", str(trained), "-o", str(a_file), "--overwrite"],
         "is a file, not a folder"),
        (["train", str(path), "--label", "outcome", "--output",
          str(a_file / "run"), *TINY_ARGS], "a_file is a file, not a folder"),
    ]:  # fmt: skip
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, err
    assert a_file.read_text() == "keep" and not list(folder.iterdir())


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
