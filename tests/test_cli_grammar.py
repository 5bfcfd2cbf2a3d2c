"""One grammar for every command (issue 32, item 4): `-o/--output` where a
command writes (the old `--out` and `export`'s positional PATH accepted
with a deprecation line), `--plot/--no-plot` and `--label` alike in
`train` and `compare`."""

import argparse

import numpy as np
import pandas as pd
import pytest

from aos_keras import cli
from aos_keras.cli.parser import COMMANDS, build_parser

WRITERS = COMMANDS  # every command writes a file or a folder


def _write_table(path, label="label"):
    rng = np.random.default_rng(0)
    y = np.array(["x"] * 45 + ["y"] * 15)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    frame.assign(**{label: y}).to_csv(path, index=False)
    return path


def _command_parser(name):
    parser = build_parser()
    (sub,) = [
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ]
    return sub.choices[name]


def _action(name, dest):
    (action,) = [a for a in _command_parser(name)._actions if a.dest == dest]
    return action


@pytest.mark.backend_independent
@pytest.mark.parametrize("command", WRITERS)
def test_every_writing_command_takes_o_and_output(command):
    action = _action(command, "output")
    assert action.option_strings == ["-o", "--output"]
    assert action.default is None  # filled in after the old spellings


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "argv, output",
    [
        (["train", "t.csv"], "aos_model"),
        (["train", "t.csv", "-o", "m"], "m"),
        (["train", "t.csv", "--out", "m"], "m"),
        (["compare", "t.csv"], "compare_report"),
        (["compare", "t.csv", "--output", "r"], "r"),
        (["predict", "m", "t.csv"], "-"),
        (["generate", "m", "--out", "g.csv"], "g.csv"),
        (["evaluate", "m", "t.csv"], None),
        (["evaluate", "m", "t.csv", "-o", "s.json"], "s.json"),
        (["export", "m", "-o", "serving/1"], "serving/1"),
        (["export", "m", "serving/1"], "serving/1"),
    ],
)  # fmt: skip
def test_the_output_of_every_spelling(argv, output):
    from aos_keras.cli.parser import resolve_old_spellings

    args = build_parser().parse_args(argv)
    old = "--out" in argv or argv == ["export", "m", "serving/1"]
    assert len(resolve_old_spellings(args)) == int(old)
    assert args.output == output
    assert not {"old_out", "old_path", "output_default"} & set(vars(args))


@pytest.mark.backend_independent
def test_out_is_deprecated_with_one_log_line(tmp_path, capsys):
    data = _write_table(tmp_path / "t.csv")
    argv = ["-q", "compare", str(data), "--methods", "LR", "--repeats", "2",
            "--no-plot", "--out", str(tmp_path / "r")]  # fmt: skip
    assert cli.main(argv) == 0
    assert capsys.readouterr().err == (
        "aos-keras: warning: --out is deprecated and will be removed in 0.7; "
        "use -o/--output\n"
    )
    assert (tmp_path / "r" / "report.md").exists()


@pytest.mark.backend_independent
def test_old_and_new_spellings_naming_two_paths_are_refused(tmp_path, capsys):
    data = _write_table(tmp_path / "t.csv")
    argv = ["train", str(data), "-o", "a", "--out", "b"]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "aos-keras train: error: --out (b) and -o/--output (a) both name "
        "the output; give -o/--output only"
    )
    assert not (tmp_path / "a").exists()


@pytest.mark.backend_independent
def test_export_names_its_folder_by_o(tmp_path, capsys):
    assert cli.main(["export", str(tmp_path / "m")]) == 2
    assert capsys.readouterr().err == (
        "aos-keras export: error: name the SavedModel folder to write: "
        "-o/--output PATH, e.g. -o serving/aos/1\n"
    )
    argv = ["export", str(tmp_path / "m"), str(tmp_path / "s")]
    assert cli.main(argv) == 2  # no model folder there
    assert capsys.readouterr().err.splitlines()[0] == (
        "aos-keras: warning: the positional PATH is deprecated and will be "
        "removed in 0.7; use -o/--output"
    )


@pytest.mark.backend_independent
def test_plot_and_no_plot_alike_in_train_and_compare():
    train, compare = _action("train", "plot"), _action("compare", "plot")
    for action in (train, compare):
        assert action.option_strings == ["--plot", "--no-plot"]
    assert (train.default, compare.default) == (False, True)
    parse = build_parser().parse_args
    assert parse(["train", "t.csv", "--plot"]).plot is True
    assert parse(["compare", "t.csv", "--no-plot"]).plot is False


@pytest.mark.backend_independent
def test_label_alike_in_train_and_compare():
    train, compare = _action("train", "label"), _action("compare", "label")
    assert (train.default, train.help) == (compare.default, compare.help)
    assert train.default == "label" and not train.required


@pytest.mark.backend_independent
@pytest.mark.parametrize("command", ["train", "compare"])
def test_a_table_without_the_label_names_its_columns_and_the_option(
    command, tmp_path, capsys
):
    data = _write_table(tmp_path / "t.csv", label="target")
    argv = [command, str(data), "-o", str(tmp_path / "out")]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        f"aos-keras {command}: error: label column 'label' not in the table; "
        "columns are ['a', 'b', 'target']; name the label column with "
        "--label\n"
    )
    assert not (tmp_path / "out").exists()
