"""The Table 2 summary: common seeds, the winners line, the comparison."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from aos_bench import table2, table2_report
from aos_bench.splits import split_dataset

pytestmark = pytest.mark.backend_independent


def _record(dataset, method, seed, acsa):
    scores = {"acsa": acsa, "gm": acsa / 2, "epoch": 3}
    return {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "status": "ok",
        "seconds": 1.0,
        "honest": scores,
        "last": scores,
        "paper": scores,
    }


def _records():
    # Q on seeds 0, 1, 2; DO on 0, 1; the ablation DO-T0.1 only on seed 0.
    acsa = {"Q": [0.6, 0.7, 0.1], "DO": [0.8, 0.6], "DO-T0.1": [0.9]}
    return [
        _record("pima", m, s, a)
        for m, values in acsa.items()
        for s, a in enumerate(values)
    ]


def test_common_seeds_ignore_the_ablations():
    table = table2_report.summarize(
        _records(), ["pima"], ["Q", "DO", "DO-T0.1"], seeds=[0, 1, 2]
    ).set_index("method")
    # Seeds 0 and 1 are done by Q and DO; Q's seed 2 is left out.
    assert (table["common_seeds"] == 2).all()
    assert table.loc["Q", "seeds_done"] == 2
    assert np.isclose(table.loc["Q", "honest_acsa_mean"], 65.0)
    assert np.isclose(table.loc["Q", "honest_acsa_std"], 5.0)
    assert np.isclose(table.loc["DO", "honest_acsa_mean"], 70.0)
    assert table.loc["DO-T0.1", "seeds_done"] == 1
    assert np.isclose(table.loc["DO-T0.1", "honest_acsa_mean"], 90.0)


def test_winners_line_counts_presets_and_names_ablation_wins():
    table = table2_report.summarize(
        _records(), ["pima"], ["Q", "DO", "DO-T0.1"], seeds=[0, 1, 2]
    )
    assert table2_report.winners_line(table) == (
        "Best mean honest ACSA per dataset (ablations aside): pima: DO. "
        "AO or DO best on 1 of 1 datasets. An ablation would be best on: "
        "pima (DO-T0.1)."
    )
    lines = table2_report.comparison_lines(table)
    assert "| pima | DO | +5.00 | +5.00 (Q) | 2 |" in lines
    assert "| pima | DO-T0.1 | +25.00 | +25.00 (Q) | 1 |" in lines


def test_markdown_bolds_the_best_method_but_not_an_ablation():
    table = table2_report.summarize(
        _records(), ["pima"], ["Q", "DO", "DO-T0.1"], seeds=[0, 1, 2]
    )
    text = table2_report.markdown_table(table, table2.RunConfig())
    assert "| DO | **70.00 ± 10.00** |" in text
    assert "| DO-T0.1 | 90.00 ± 0.00 |" in text


@pytest.mark.slow  # every method of the grid, 3 epochs (about 2 minutes)
def test_quick_reproduction_script_writes_a_complete_table(tmp_path):
    # The smoke command, as a user runs it (on this backend), with
    # its run files and tables in a temporary folder.
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    argv = [
        sys.executable,
        os.path.join(root, "scripts", "reproduce_table2.py"),
        "--quick", "--datasets", "haberman", "--seeds", "1",
        "--cache-dir", str(tmp_path / "runs"),
        "--out-dir", str(tmp_path / "out"),
    ]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = pd.read_csv(tmp_path / "out" / "table2_quick.csv")
    assert table["method"].tolist() == list(table2.METHODS)
    assert (table["seeds_done"] == 1).all()
    assert table["honest_acsa_mean"].between(0, 100).all()
    text = (tmp_path / "out" / "table2_quick.md").read_text()
    assert "### haberman (epochs 3, batch size 32" in text
    assert "missing" not in text
    assert len(os.listdir(tmp_path / "runs")) == len(table2.METHODS)


def test_not_applicable_method_is_na_with_its_reason_once():
    records = _records() + [
        {
            "dataset": "pima",
            "method": "ADASYN+Q",
            "seed": s,
            "status": "na",
            "reason": "ADASYN+Q: ADASYN failed: no neighbours.",
        }
        for s in range(3)
    ]
    table = table2_report.summarize(
        records, ["pima"], ["Q", "DO", "ADASYN+Q"], seeds=[0, 1, 2]
    )
    text = table2_report.markdown_table(table, table2.RunConfig())
    assert "| ADASYN+Q | NA | NA |" in text
    assert "\nNA ADASYN+Q: ADASYN failed: no neighbours.\n" in text


def test_winners_line_of_a_grid_of_ablations_only():
    records = [r for r in _records() if r["method"] == "DO-T0.1"]
    table = table2_report.summarize(records, ["pima"], ["DO-T0.1"], seeds=[0])
    assert table2_report.winners_line(table) == (
        "Best mean honest ACSA per dataset (ablations aside): none. AO or DO "
        "best on 0 of 0 datasets. An ablation would be best on: pima "
        "(DO-T0.1)."
    )


def test_table2_runs_the_papers_step(monkeypatch):
    # Table 2 reproduces the paper's game, in which Q trains on a generator
    # pass of its own, whatever the package's default (`"critic"` since
    # 0.2): seeds run before and after that change must agree.
    seen = {}

    def fake_fit_and_score(method, *args, options, **kwargs):
        seen.update(options)
        return {"status": "na", "reason": "not run"}

    monkeypatch.setattr(table2, "fit_and_score", fake_fit_and_score)
    split = split_dataset("haberman", seed=0)
    table2.run_one("haberman", "DO", 0, table2.RunConfig(), split=split)
    assert seen["q_generated_rows"] == "fresh"
    assert seen["max_anchors"] == table2.RunConfig().max_anchors


def test_grid_is_run_specs_for_the_evaluation_runner(tmp_path, monkeypatch):
    # The grid plans one spec per missing cell, seed-major, and hands them
    # to `aos_keras.evaluation`'s executor (no loop of its own).
    config = table2.RunConfig(epochs=1)
    done = table2.result_path(tmp_path, "pima", "Q", 0, config)
    open(done, "w").close()
    seen = {}

    def fake_execute(runs, *, n_jobs, jax_cache, log):
        seen.update(runs=runs, n_jobs=n_jobs, jax_cache=jax_cache)
        return {}

    monkeypatch.setattr(table2, "execute", fake_execute)
    lines = []
    made = table2.run_grid(
        ["pima", "credit"], ["Q", "DO"], [0, 1], config, str(tmp_path),
        n_jobs=2, jax_cache="jc", log=lines.append,
    )  # fmt: skip
    assert made == 7 and lines == ["1 of 8 runs cached; 7 to run."]
    runs = seen["runs"]
    assert [r.tag for r in runs] == [
        ("pima", "DO", 0), ("credit", "Q", 0), ("credit", "DO", 0),
        ("pima", "Q", 1), ("pima", "DO", 1), ("credit", "Q", 1),
        ("credit", "DO", 1),
    ]  # fmt: skip
    assert (seen["n_jobs"], seen["jax_cache"]) == (2, "jc")
    credit = runs[1]
    assert credit.config.batch_size == 512 and credit.config.max_anchors == 4096
    assert credit.path == table2.result_path(
        str(tmp_path), "credit", "Q", 0, credit.config
    )


def test_a_run_spec_runs_and_writes_its_record(tmp_path, monkeypatch):
    def fake_fit_and_score(method, *args, options, **kwargs):
        return {"status": "na", "reason": f"{method}: not run"}

    monkeypatch.setattr(table2, "fit_and_score", fake_fit_and_score)
    (run,) = table2.plan_runs(
        ["haberman"], ["DO"], [0], table2.RunConfig(), str(tmp_path)
    )
    record = run.run_and_cache()
    assert record["status"] == "na" and record["method"] == "DO"
    assert table2.load_results(str(tmp_path), table2.RunConfig()) == [record]
    assert (
        table2.plan_runs(
            ["haberman"], ["DO"], [0], table2.RunConfig(), str(tmp_path)
        )
        == []
    )


def test_study_variants_are_registered_but_not_public():
    from aos_bench import variants
    from aos_keras.baselines import METHODS, available_methods, method_spec

    assert set(variants.STUDY_VARIANTS) <= set(table2.METHODS)
    assert not set(variants.STUDY_VARIANTS) & set(METHODS)
    assert set(variants.STUDY_VARIANTS) <= set(available_methods())
    assert all(method_spec(m).revision == 2 for m in variants.STUDY_VARIANTS)
    # again: a no-op
    rounds = variants.ROUND5_VARIANTS + variants.ROUND6_VARIANTS
    assert variants.register() == variants.STUDY_VARIANTS + rounds
    assert not set(rounds) & set(METHODS)
    assert set(rounds) <= set(available_methods())
    # A round's blend has its member's revision (its runs' cache keys).
    assert method_spec("LA-CE/BRF").revision == method_spec("LA-CE").revision
    for name in ("DO-T0.1-LA/BRF", "DO-T0.1-LA+BRF"):
        assert method_spec(name).revision == method_spec("DO-T0.1-LA").revision
    # 0.5.0's `mode="do"` is DO-T0.1-LA: the DO studies fix the full
    # balance without logit adjustment they were run with.
    for name, (mode, settings, _) in variants.STUDY_PRESETS.items():
        if mode == "do":
            balance = {k: settings[k] for k in variants.FULL_BALANCE}
            assert balance == {
                "sampling_strategy": "auto",
                "q_logit_adjustment": 0.0,
            }, name


def test_round5_variants_are_registered_at_the_games_revision():
    from aos_bench import variants
    from aos_keras.baselines import METHODS, available_methods, method_spec

    assert variants.ROUND5_VARIANTS == (
        "DO-T0.1-S0.5",
        "DO-T0.1/HGB",
        "DO-T0.1+UB-HGB",
    )
    assert not set(variants.ROUND5_VARIANTS) & set(METHODS)
    assert set(variants.ROUND5_VARIANTS) <= set(available_methods())
    assert all(method_spec(m).revision == 2 for m in variants.ROUND5_VARIANTS)
    settings = method_spec("DO-T0.1-S0.5").factory.keywords["preset"].settings
    assert dict(settings) == {
        "generator_temperature": 0.1,
        "sampling_strategy": 0.5,
        "q_logit_adjustment": 0.0,  # 0.5.0's DO default is 1.0
    }


def test_generator_bagging_tops_up_each_bag_with_the_games_rows(monkeypatch):
    from aos_bench import variants  # noqa: F401  (registers the round)
    from aos_keras.baselines import ensembles, make_method
    from tests.conftest import TINY, make_imbalanced

    seen = []

    class Recording(ensembles.HistGradientBoostingClassifier):
        def fit(self, x, y, **kwargs):
            seen.append(np.bincount(y).tolist())
            return super().fit(x, y, **kwargs)

    monkeypatch.setattr(ensembles, "HistGradientBoostingClassifier", Recording)
    x, y = make_imbalanced(n_major=40, n_minor=10)  # t = round(50 / 2)
    method = make_method(
        "DO-T0.1+UB-HGB", num_classes=2, num_features=3, seed=0, **TINY
    )
    calls = []
    method.fit_scored(
        x, y, on_epoch=calls.append, validation_data=(x, y), epochs=1,
        batch_size=16,
    )  # fmt: skip
    assert calls == [method] and seen == [[25, 25]] * 10
    proba = method.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert method.sampler_.name == "DO-T0.1"
