"""compare for daily use (issue 32): the listing of the methods, the
estimate before the first run, the progress display, Holm's correction,
the significance note, scikit-learn's scorer names, estimators by object."""

import doctest
import importlib
import io

import numpy as np
import pandas as pd
import pytest
from conftest import small_table
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from aos_keras import cli
from aos_keras.baselines import METHODS, available_methods
from aos_keras.evaluation import (
    DEFAULT_FIELD,
    compare,
    estimator_key,
    harness,
    holm,
    list_methods,
    progress_log,
    run_seconds,
)
from aos_keras.evaluation.cost_table import COSTS, STOP_EPOCHS
from aos_keras.evaluation.reports import significance_note
from aos_keras.stopping import PATIENCE


def pipeline(**params):
    return Pipeline(
        [("ros", RandomOverSampler()), ("lr", LogisticRegression(**params))]
    )


# ---------------------------------------------------------- the listing
@pytest.mark.backend_independent
def test_the_listing_has_one_row_per_method():
    table = list_methods()
    assert list(table.index) == list(available_methods())
    assert list(table.columns) == [
        "family", "seconds", "default", "public", "description"
    ]  # fmt: skip
    assert table.loc["LA-CE", "family"] == "neural (Q)"
    assert table.loc["SMOTE+Q", "family"] == "resampling + Q"
    assert table.loc["DO-T0.1", "family"] == "game (AO/DO)"
    assert table.loc["SMOTE+HGB", "family"] == "oversampling + HGB"
    assert table.loc["BRF", "family"] == "undersampling ensemble"
    assert table.loc["LA-CE/HGB", "family"] == "blend"
    assert table.loc["LR", "family"] == "scikit-learn"
    assert table.loc["SMOTE+HGB", "description"] == (
        "SMOTE+Q's rows, to full balance, then HGB"
    )
    assert list(table.index[table["default"]]) == [
        m for m in METHODS if m in DEFAULT_FIELD
    ]
    assert set(DEFAULT_FIELD) <= set(METHODS)
    assert table["public"].sum() == len(METHODS)
    a, b = COSTS["LR"]  # no epochs: a + b x 1000 rows / 1000
    assert table.loc["LR", "seconds"] == round(a + b, 2)
    a, b = COSTS["LA-CE"]  # its typical stop at patience 10, shifted
    assert table.loc["LA-CE", "seconds"] == round(
        a + b * (STOP_EPOCHS["LA-CE"] - 10 + PATIENCE), 2
    )
    assert run_seconds("LA-CE", 2000, 5, None) == pytest.approx(a + b * 10)


@pytest.mark.backend_independent
def test_the_listing_takes_a_method_without_a_docstring(monkeypatch):
    from aos_keras.baselines import registry
    from aos_keras.baselines.base import ClassifierMethod

    class Bare(ClassifierMethod):
        name = "bare-test"

    Bare.__doc__ = None
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register_method("bare-test", Bare)
    assert list_methods().loc["bare-test", "description"] == ""


@pytest.mark.backend_independent
def test_cli_lists_the_methods_and_runs_nothing(tmp_path, capsys):
    assert cli.main(["compare", "--list-methods"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["method", "family", "s/run", "description"]
    rows = out[1 : 1 + len(available_methods())]
    assert [line[2:].split()[0] for line in rows] == list(available_methods())
    marked = {line[2:].split()[0]: line[0] for line in rows}
    assert [m for m, mark in marked.items() if mark == "*"] == [
        m for m in available_methods() if m in DEFAULT_FIELD
    ]
    assert out[-1].startswith("* in compare's default field; - not in")


@pytest.mark.backend_independent
def test_the_default_field_and_all():
    assert harness.default_methods() == list(DEFAULT_FIELD) == [
        "LR", "HGB", "BRF", "EasyEnsemble", "SMOTE+HGB", "LA-CE", "LA-CE/HGB",
        "DO-T0.1-LA",
    ]  # fmt: skip
    assert harness._check_methods(None, None) == list(DEFAULT_FIELD)
    assert harness._check_methods("all", None) == list(METHODS)
    assert harness._check_methods(["all"], None) == list(METHODS)


# ------------------------------------------- the estimate, the progress
@pytest.mark.backend("jax")  # harness logic: one backend
def test_the_estimate_comes_before_the_first_run(tmp_path):
    frame, y = small_table()
    lines = []
    kwargs = dict(methods=["LR", "HGB"], repeats=2, epochs=1,
                  cache_dir=str(tmp_path), n_jobs=1)  # fmt: skip
    compare(frame, y, log=lines.append, **kwargs)
    rows = 54 - 17 - 8  # test 30% (17 rows), then validation 20% (8)
    seconds = 2 * (run_seconds("LR", rows, 1) + run_seconds("HGB", rows, 1))
    assert lines[0] == "0 of 4 runs cached; 4 to run."
    assert lines[1] == (
        f"Estimate: 4 runs to do, about {seconds:.0f} s on 1 worker (each "
        "method's typical seconds at these rows and epochs, "
        "aos_keras.evaluation.costs; worker start-up not counted)."
    )
    assert [line[:5] for line in lines[2:]] == [
        "[1/4]", "[2/4]", "[3/4]", "[4/4]"
    ]  # fmt: skip
    again = []
    compare(frame, y, log=again.append, **kwargs)
    assert again == ["4 of 4 runs cached; 0 to run."]


@pytest.mark.backend_independent
def test_plain_lines_when_not_a_terminal():
    lines = []
    with progress_log(lines.append, stream=io.StringIO()) as log:
        assert log == lines.append  # the lines themselves, unchanged
        log("[1/2] t LR split 0: ...; ETA 0.1 min")
    assert lines == ["[1/2] t LR split 0: ...; ETA 0.1 min"]
    with progress_log(lines.append, stream=_Terminal(), bar=False) as log:
        assert log == lines.append  # -q


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.backend_independent
def test_a_bar_on_a_terminal():
    lines, terminal = [], _Terminal()
    with progress_log(lines.append, stream=terminal) as log:
        log("0 of 2 runs cached; 2 to run.")
        log("[1/2] t LR split 0: ACSA 80.00; ETA 0.1 min")
        assert log.running  # until the last run
        log("[2/2] t LR split 1: ACSA 82.00; ETA 0.0 min")
        total = log.progress.tasks[0].total
        completed = log.progress.tasks[0].completed
        assert not log.running  # stopped at the last run
        log("wrote report.md")
    assert lines == ["0 of 2 runs cached; 2 to run.", "wrote report.md"]
    assert (total, completed) == (2, 2)
    assert "2/2" in terminal.getvalue()


@pytest.mark.backend("jax")  # harness logic: one backend
def test_cli_compare_logs_plain_progress_when_piped(tmp_path, capsys):
    frame, y = small_table()
    path = tmp_path / "t.csv"
    frame.assign(target=y).to_csv(path, index=False)
    argv = ["compare", str(path), "--label", "target", "--methods", "LR",
            "--repeats", "2", "--epochs", "1", "--no-plot",
            "-o", str(tmp_path / "r")]  # fmt: skip
    assert cli.main(argv) == 0
    err = capsys.readouterr().err.splitlines()
    starts = [line.split(" ")[1] for line in err if line.count("[")]
    assert starts[:2] == ["[1/2]", "[2/2]"]
    assert any(line.startswith("aos-keras: Estimate: 2 runs") for line in err)
    assert cli.main(["-q", *argv]) == 0
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- Holm
@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "name",
    ["aos_keras.evaluation.statistics", "aos_keras.evaluation.ranking",
     "aos_keras.evaluation.reports", "aos_keras.evaluation.estimators"],
)  # fmt: skip
def test_the_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.backend_independent
def test_holm_by_hand():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, then
    # 0.04 x 1 = 0.04 raised to 0.06 (step-down: never below the one before)
    assert holm([0.01, 0.04, 0.03, 0.005]).tolist() == pytest.approx(
        [0.03, 0.06, 0.06, 0.02]
    )
    assert holm([0.5, 0.6]).tolist() == [1.0, 1.0]  # at most 1
    out = holm([0.02, np.nan, 0.04])  # NaN is no comparison
    assert np.isnan(out[1]) and out[[0, 2]].tolist() == pytest.approx(
        [0.04, 0.04]
    )
    assert holm([]).tolist() == []


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "splits, comparisons, note",
    [
        (3, 2, "With 3 splits no paired test can reach p < 0.05: the best "
         "two-sided p of the sign or exact Wilcoxon test over 3 pairs is "
         "2 / 2^3 = 0.25. 6 splits could (--repeats 6); 7 after Holm's "
         "correction over the 2 tests."),
        (5, 6, "With 5 splits no paired test can reach p < 0.05: the best "
         "two-sided p of the sign or exact Wilcoxon test over 5 pairs is "
         "2 / 2^5 = 0.0625. 6 splits could (--repeats 6); 8 after Holm's "
         "correction over the 6 tests."),
        (6, 3, "With 6 splits a paired test can reach p < 0.05 alone (best "
         "p = 0.0312) but not after Holm's correction over 3 tests; 7 "
         "splits (--repeats 7) could."),
        (7, 3, ""),
    ],
)  # fmt: skip
def test_the_significance_note(splits, comparisons, note):
    assert significance_note(splits, comparisons) == note


@pytest.mark.backend("jax")  # harness logic: one backend
def test_the_report_has_holm_and_the_note(tmp_path):
    frame, y = small_table()
    result = compare(frame, y, methods=["LR", "HGB", "BRF"], repeats=3,
                     epochs=1, log=None)  # fmt: skip
    tests = result.paired_tests()
    assert tests["p_holm"].tolist() == holm(tests["p"]).tolist()
    report = result.markdown()
    assert "| method | difference | wins | losses | test | p | p (Holm) |" in (
        report
    )
    assert significance_note(3, 2) in report
    assert "Methods ranked by balanced accuracy (ACSA) (x 100" in report


# ------------------------------------------------- scikit-learn's words
@pytest.mark.backend("jax")  # harness logic: one backend
@pytest.mark.parametrize(
    "alias, name",
    [("balanced_accuracy", "acsa"), ("average_precision", "ap"),
     ("f1_macro", "macro_f1"), ("neg_brier_score", "brier")],
)  # fmt: skip
def test_a_scorer_name_ranks_as_its_metric(tmp_path, alias, name):
    frame, y = small_table()
    kwargs = dict(methods=["LR", "HGB", "BRF"], repeats=2, epochs=1,
                  log=None, cache_dir=str(tmp_path))  # fmt: skip
    by_name = compare(frame, y, metric=name, **kwargs)
    by_alias = compare(frame, y, metric=alias, **kwargs)
    assert by_alias.metric == name
    pd.testing.assert_frame_equal(by_alias.summary(), by_name.summary())
    assert by_alias.markdown() == by_name.markdown()


@pytest.mark.backend_independent
def test_cli_accepts_the_scorer_names():
    from aos_keras.cli.parser import build_parser

    args = build_parser().parse_args(
        ["compare", "t.csv", "--metric", "neg_brier_score"]
    )
    assert args.metric == "neg_brier_score"


# ------------------------------------------------ estimators by object
@pytest.mark.backend("jax")  # harness logic: one backend
def test_an_imblearn_pipeline_by_argument_is_reported_and_cached(tmp_path):
    frame, y = small_table()
    lines = []
    kwargs = dict(methods=["LR"], repeats=2, epochs=1,
                  cache_dir=str(tmp_path), log=lines.append)  # fmt: skip
    first = compare(frame, y, estimators={"ROS-LR": pipeline()}, **kwargs)
    assert first.methods == ["LR", "ROS-LR"]
    assert (first.runs["status"] == "ok").all()
    assert "| ROS-LR |" in first.markdown()
    assert len(list((tmp_path / "table").glob("ROS-LR__*.json"))) == 2
    lines.clear()
    again = compare(frame, y, estimators={"ROS-LR": pipeline()}, **kwargs)
    assert lines == ["4 of 4 runs cached; 0 to run."]  # runs nothing
    pd.testing.assert_frame_equal(again.runs, first.runs)
    lines.clear()
    compare(frame, y, estimators={"ROS-LR": pipeline(C=0.1)}, **kwargs)
    assert lines[0] == "2 of 4 runs cached; 2 to run."  # a new parameter


@pytest.mark.backend("jax")  # harness logic: one backend
def test_a_classifier_without_probabilities_scores_its_decisions():
    frame, y = small_table()
    result = compare(frame, y, methods=["LR"], repeats=2, epochs=1,
                     estimators={"SVC": LinearSVC()}, log=None)  # fmt: skip
    assert (result.runs["status"] == "ok").all()
    assert (
        result.runs.loc[result.runs["method"] == "SVC", "acsa"]
        .between(0, 1)
        .all()
    )


@pytest.mark.backend_independent
def test_the_estimator_key_follows_the_parameters():
    assert estimator_key(pipeline()) == estimator_key(pipeline())
    assert estimator_key(pipeline()) != estimator_key(pipeline(C=0.1))
    assert estimator_key(pipeline()).startswith("imblearn.pipeline.Pipeline:")


@pytest.mark.backend_independent
def test_a_bad_estimator_is_refused():
    frame, y = small_table()
    with pytest.raises(ValueError, match="is a registered method's"):
        compare(frame, y, methods=["LR"], estimators={"HGB": pipeline()})
    with pytest.raises(ValueError, match="needs fit and predict_proba"):
        compare(frame, y, methods=["LR"], estimators={"x": object()})
    with pytest.raises(ValueError, match="letters, digits"):
        compare(frame, y, methods=["LR"], estimators={"a/b": pipeline()})


@pytest.mark.backend("jax")  # harness logic: one backend
def test_cli_estimator_by_module_and_attribute(tmp_path):
    frame, y = small_table()
    path = tmp_path / "t.csv"
    frame.assign(target=y).to_csv(path, index=False)
    out = tmp_path / "r"
    argv = [
        "compare",
        str(path),
        "--label",
        "target",
        "--methods",
        "LR",
        "--repeats",
        "2",
        "--epochs",
        "1",
        "--no-plot",
        "-o",
        str(out),
        "--estimator",
        "my-LR=sklearn.linear_model:LogisticRegression",
    ]
    assert cli.main(argv) == 0  # a class: a zero-argument factory
    assert "| my-LR |" in (out / "report.md").read_text()
    assert cli.main([*argv[:-1], "my-LR=sklearn.linear_model"]) == 2
    assert cli.main([*argv[:-1], "x=sklearn.linear_model:Nothing"]) == 2
