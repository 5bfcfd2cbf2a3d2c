"""`aos_keras.compare`: the honest protocol, statistics, cache, CLI."""

import json
import os

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aos_keras import cli
from aos_keras import evaluation as compare
from aos_keras.evaluation import LogitScorer, make_splits, paired_test
from aos_keras.evaluation import runs as runs_module

Q_TINY = {"classifier_units": (8,)}


def small_table(n_major=50, n_minor=14, seed=0):
    rng = np.random.default_rng(seed)
    n = n_major + n_minor
    y = np.array(["no"] * n_major + ["yes"] * n_minor)
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=n) + (y == "yes") * 1.5,
            "x2": rng.normal(size=n),
            "kind": rng.choice(["a", "b", "c"], n),
        }
    )
    frame.loc[3, "x2"] = np.nan
    return frame, y


def test_splits_are_stratified_disjoint_and_cover_every_row():
    y = np.array([0] * 70 + [1] * 20 + [2] * 10)
    splits = make_splits(y, repeats=3, seed=5)
    assert [s["seed"] for s in splits] == [5, 6, 7]
    for s in splits:
        parts = [set(s["fit"]), set(s["val"]), set(s["test"])]
        assert sum(map(len, parts)) == len(y)
        assert set().union(*parts) == set(range(len(y)))
        for a in range(3):
            for b in range(a + 1, 3):
                assert not parts[a] & parts[b]
        test_counts = np.bincount(y[s["test"]], minlength=3)
        np.testing.assert_array_equal(test_counts, [21, 6, 3])
    again = make_splits(y, repeats=3, seed=5)
    for s, t in zip(splits, again):
        np.testing.assert_array_equal(s["fit"], t["fit"])
    assert not np.array_equal(splits[0]["test"], splits[1]["test"])


def test_validation_alone_selects_the_epoch():
    y_val = np.array([0, 0, 1, 1])
    y_test = np.array([0, 0, 1, 1])
    good = np.array([[1.0, 0], [1, 0], [0, 1], [0, 1]])
    bad = np.array([[1.0, 0], [1, 0], [1, 0], [1, 0]])
    scorer = LogitScorer(y_val, y_test, [0.5, 0.5], (0.0,), 2)
    scorer.add(bad, good)  # epoch 1: test perfect, validation poor
    scorer.add(good, bad)  # epoch 2: validation perfect, test poor
    honest = scorer.select(["a", "b"])["honest"]
    assert honest["epoch"] == 2
    assert honest["val_acsa"] == 1.0 and honest["acsa"] == 0.5
    assert honest["recall"] == {"a": 1.0, "b": 0.0}


def test_posthoc_tau_is_chosen_on_validation():
    prior = np.array([0.8, 0.2])
    y = np.array([0, 0, 1, 1])
    val = np.array([[2.0, 0], [2, 0], [0.5, 0], [0.5, 0]])
    test = np.array([[2.0, 0], [2, 0], [2, 0], [2, 0]])
    scorer = LogitScorer(y, y, prior, (0.0, 0.5, 1.0), 2)
    scorer.add(val, test)
    sel = scorer.select([0, 1])
    assert sel["honest"]["tau"] == 0.0 and sel["honest"]["val_acsa"] == 0.5
    # tau 0.5 shifts class 1 by 0.5 log 4 (> 0.5 - 0.5 log 1.25): the
    # validation rows are all right; the smallest such tau is taken.
    assert sel["posthoc"]["tau"] == 0.5 and sel["posthoc"]["val_acsa"] == 1.0
    assert sel["posthoc"]["acsa"] == 0.5  # test read at that choice


def test_paired_test_equals_scipy():
    a = np.array([0.8, 0.7, 0.9, 0.75, 0.85, 0.6, 0.95])
    b = np.array([0.7, 0.72, 0.8, 0.7, 0.8, 0.5, 0.9])
    name, p, wins, losses = paired_test(a, b)
    assert name == "wilcoxon" and (wins, losses) == (6, 1)
    assert p == pytest.approx(stats.wilcoxon(a - b).pvalue)
    name, p, wins, losses = paired_test(a[:4], b[:4])
    assert name == "sign" and (wins, losses) == (3, 1)
    assert p == pytest.approx(stats.binomtest(3, 4, 0.5).pvalue)
    assert paired_test([1, 2], [1, 2])[1] == 1.0


def test_friedman_and_nemenyi_equal_scipy_and_demsar():
    ranks = pd.DataFrame(
        [[1, 2, 3, 4, 5], [2, 1, 3, 5, 4], [1, 3, 2, 4, 5], [1, 2, 4, 3, 5]],
        columns=list("abcde"),
        dtype=float,
    )
    out = compare.friedman_nemenyi(ranks)
    ref = stats.friedmanchisquare(*[ranks[c] for c in ranks])
    assert out["friedman_p"] == pytest.approx(ref.pvalue)
    # Demšar (2006), Table 5(a): q_0.05 = 2.728 for k = 5.
    assert out["cd"] == pytest.approx(2.728 * np.sqrt(5 * 6 / 24), abs=1e-3)


@pytest.mark.backend("tensorflow")  # harness logic: one backend
def test_compare_runs_every_method_on_the_same_splits(tmp_path):
    frame, y = small_table()
    lines = []
    result = compare.compare(
        frame,
        y,
        methods=["Q", "SMOTE+Q", "LR"],
        repeats=2,
        epochs=2,
        batch_size=16,
        options={"Q": Q_TINY, "SMOTE+Q": Q_TINY},
        cache_dir=str(tmp_path),
        log=lines.append,
    )
    runs = result.runs
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    assert sorted(runs["split"].unique()) == [0, 1]
    assert runs["epoch"].between(1, 2).all()
    assert set(runs["posthoc_tau"]) <= set(compare.POSTHOC_TAUS)
    assert {"recall[no]", "recall[yes]"} <= set(runs.columns)
    smote = runs.loc[runs["method"] == "SMOTE+Q", "sampler"].iloc[0]
    assert smote == "SMOTENC"  # a numeric and a nominal column
    summary = result.summary()
    assert summary["splits"].tolist() == [2, 2, 2]
    assert set(summary.index) == {"Q", "SMOTE+Q", "LR"}
    assert result.recommendation().startswith(f"best: {result.leader}")
    # Resume: the same call runs nothing; a new method runs alone.
    lines.clear()
    compare.compare(
        frame, y, methods=["Q", "SMOTE+Q", "LR", "HGB"], repeats=2,
        epochs=2, batch_size=16, cache_dir=str(tmp_path), log=lines.append,
        options={"Q": Q_TINY, "SMOTE+Q": Q_TINY},
    )  # fmt: skip
    assert lines[0] == "6 of 8 runs cached; 2 to run."


@pytest.mark.backend("tensorflow")  # harness logic: one backend
def test_a_changed_method_does_not_reuse_cached_runs():
    from aos_keras.baselines import method_revision

    protocol = compare.Protocol(epochs=2, batch_size=16)
    split = make_splits(np.array([0, 1] * 10), repeats=1)[0]
    args = ("f" * 16, "DO", {}, protocol, split)
    # Revision 0 keeps the keys runs had before revisions existed.
    assert compare.run_key(*args) == compare.run_key(*args, revision=0)
    assert compare.run_key(*args, revision=1) != compare.run_key(*args)
    # The game's default changed in 0.2 (q_generated_rows="critic"); the
    # baselines and a reference built on them did not.
    assert method_revision("DO") == method_revision("DO-T0.1-LA") == 2
    assert method_revision("DO-T0.1+HGB") == 2
    assert method_revision("GAMO") == 1
    assert method_revision("SMOTE+Q") == method_revision("SMOTE+HGB") == 0
    assert method_revision("LR") == 0


@pytest.mark.backend("tensorflow")  # harness logic: one backend
def test_encoder_sees_fitting_rows_only(monkeypatch):
    frame, y = small_table()
    seen = []

    class Recording(runs_module.TableEncoder):
        def fit(self, X, y=None):
            seen.append(X.index.to_numpy().copy())
            return super().fit(X, y)

    monkeypatch.setattr(runs_module, "TableEncoder", Recording)
    prepared, codes, classes = compare.prepare_table(frame, y)
    split = make_splits(codes, repeats=1)[0]
    record = compare.run_one(
        prepared, codes, classes, "LR", split, compare.Protocol(epochs=1)
    )
    assert record["status"] == "ok"
    np.testing.assert_array_equal(seen[0], split["fit"])


def test_unknown_method_and_bad_settings_are_refused():
    frame, y = small_table()
    with pytest.raises(ValueError, match="Unknown methods \\['QQ'\\]"):
        compare.compare(frame, y, methods=["QQ"])
    with pytest.raises(ValueError, match="epochs"):
        compare.compare(frame, y, methods=["LR"], epochs=0)
    with pytest.raises(ValueError, match="single class"):
        compare.compare(frame, ["a"] * len(frame), methods=["LR"])


@pytest.mark.backend("tensorflow")  # harness logic: one backend
def test_suite_ranks_and_reports(tmp_path):
    tables = {f"t{i}": small_table(seed=i) for i in range(3)}
    suite = compare.compare_suite(
        tables, methods=["LR", "HGB", "Q"], repeats=1, epochs=1,
        batch_size=16, options={"Q": Q_TINY}, log=None,
    )  # fmt: skip
    ranks = suite.ranks()
    assert ranks.shape == (3, 3)
    np.testing.assert_array_equal(ranks.sum(axis=1), 6.0)
    table = suite.rank_table()
    assert table["mean_rank"].is_monotonic_increasing
    paths = suite.save(str(tmp_path), stem="s")
    assert [os.path.basename(p) for p in paths] == ["s.csv", "s.md", "s_cd.png"]
    assert "Mean rank by balanced accuracy (ACSA)" in open(paths[1]).read()


def test_a_method_with_na_is_left_out_of_the_ranks_and_named():
    class Fake:
        def __init__(self, means):
            self.means = pd.Series(means)

        def summary(self, metric="acsa", protocol="honest"):
            return pd.DataFrame({"mean": self.means, "std": 0 * self.means})

    suite = compare.SuiteComparison(
        {
            "t0": Fake({"A": 0.9, "B": 0.8, "C": np.nan}),
            "t1": Fake({"A": 0.7, "B": 0.8, "C": 0.6}),
            "t2": Fake({"A": 0.9, "B": 0.5, "C": 0.6}),
        },
        ["A", "B", "C"],
    )
    table = suite.rank_table()
    assert list(table.index) == ["A", "B"]
    assert table.attrs["left_out"] == {"C": ["t0"]}
    assert "Not ranked (NA on some table" in suite.markdown()
    assert "C (t0)" in suite.markdown()


def test_cli_compare_writes_three_files(tmp_path):
    frame, y = small_table()
    path = tmp_path / "t.csv"
    frame.assign(target=y).to_csv(path, index=False)
    out = tmp_path / "report"
    argv = [
        "compare", str(path), "--label", "target", "--methods", "LR", "Q",
        "--repeats", "2", "--epochs", "2", "--batch-size", "16",
        "--output", str(out),
    ]  # fmt: skip
    assert cli.main(argv) == 0
    assert {p.name for p in out.iterdir()} >= {
        "runs.csv", "report.md", "scores.png", "runs"
    }  # fmt: skip
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 4 and set(runs["method"]) == {"LR", "Q"}
    cached = list((out / "runs").rglob("*.json"))
    assert len(cached) == 4
    assert json.loads(cached[0].read_text())["status"] == "ok"


def test_cli_compare_with_one_split_cautions_on_stderr(tmp_path, capsys):
    # stdout shows std 0.0 for one split; the caution of report.md is said.
    frame, y = small_table()
    path = tmp_path / "t.csv"
    frame.assign(target=y).to_csv(path, index=False)
    argv = [
        "compare", str(path), "--label", "target", "--methods", "LR",
        "--repeats", "1", "--no-plot", "--output", str(tmp_path / "report"),
    ]  # fmt: skip
    assert cli.main(argv) == 0
    assert "warning: --repeats 1: one split" in capsys.readouterr().err


# ------------------------------------------- more than one metric (issue 25)
def test_selections_carry_the_extra_metrics_at_their_epoch_and_tau():
    from aos_keras.evaluation.scoring import extra_scores, softmax
    from aos_keras.metrics import average_precision, brier, macro_f1

    prior = np.array([0.8, 0.2])
    y = np.array([0, 0, 1, 1])
    val = np.array([[2.0, 0], [2, 0], [0, 1], [0.5, 0]])
    test = np.array([[2.0, 0], [1, 0], [0.3, 0], [2, 0]])
    scorer = LogitScorer(y, y, prior, (0.0, 0.5), 2)
    scorer.add(val + [0, -5], test + [0, -5])  # epoch 1: worse on validation
    scorer.add(val, test)
    sel = scorer.select([0, 1])
    assert sel["honest"]["epoch"] == sel["posthoc"]["epoch"] == 2
    assert sel["honest"] | extra_scores(y, test, 2) == sel["honest"]
    proba = softmax(test)
    assert sel["honest"]["brier"] == brier(y, proba)
    assert sel["honest"]["ap"] == average_precision(y, proba)
    assert sel["honest"]["macro_f1"] == macro_f1(y, [0, 0, 0, 0])
    # Post-hoc: the adjusted logits at the tau chosen on validation.
    tau = sel["posthoc"]["tau"]
    assert tau == 0.5
    adjusted = test - tau * np.log(prior)
    assert sel["posthoc"]["brier"] == brier(y, softmax(adjusted))
    assert sel["posthoc"]["macro_f1"] == macro_f1(y, [0, 0, 1, 0])
    assert sel["posthoc"]["ap"] == average_precision(y, softmax(adjusted))


def test_softmax_of_log_probabilities_gives_them_back():
    from aos_keras.evaluation.scoring import softmax

    p = np.array([[0.2, 0.8], [0.5, 0.5]])
    np.testing.assert_allclose(softmax(np.log(p)), p, atol=1e-12)


@pytest.mark.backend("tensorflow")  # harness logic: one backend
def test_every_run_records_the_metrics_and_the_chosen_one_ranks(tmp_path):
    frame, y = small_table()
    kwargs = dict(methods=["LR", "HGB"], repeats=2, epochs=1, log=None,
                  cache_dir=str(tmp_path))  # fmt: skip
    by_acsa = compare.compare(frame, y, **kwargs)
    by_brier = compare.compare(frame, y, metric="brier", **kwargs)
    runs = by_brier.runs
    extra = ["ap", "macro_f1", "brier", "posthoc_ap", "posthoc_macro_f1",
             "posthoc_brier"]  # fmt: skip
    assert list(runs.columns[-6:]) == extra  # after the columns of 0.4.0
    assert runs[extra].notna().all().all()
    assert runs["brier"].between(0, 2).all() and runs["ap"].between(0, 1).all()
    # The metric ranks; it changes no score (the same cached runs).
    pd.testing.assert_frame_equal(by_acsa.runs, runs)
    assert by_acsa.metric == "acsa" and by_brier.metric == "brier"
    pd.testing.assert_frame_equal(by_acsa.summary(), by_brier.summary("acsa"))
    summary = by_brier.summary()
    means = 100 * runs.groupby("method")["brier"].mean()
    assert summary.index[0] == means.idxmin()  # lower Brier ranks first
    assert by_brier.recommendation().endswith(
        f"({summary['mean'].iloc[0]:.2f} Brier)."
    )
    report = by_brier.markdown()
    assert "Methods ranked by Brier (x 100, lower is better)" in report
    assert (
        "| method | Brier mean ± std | balanced accuracy (ACSA) mean |"
        in report
    )
    assert "ACSA)." not in report and "Paired tests of" in report
    assert (
        "| method | balanced accuracy (ACSA) | GM | average precision (AP) "
        "| macro-F1 | Brier |" in report
    )


@pytest.mark.backend("tensorflow")  # harness logic: one backend
def test_runs_cached_before_the_metrics_show_na(tmp_path):
    frame, y = small_table()
    kwargs = dict(methods=["LR"], repeats=2, epochs=1, log=None,
                  cache_dir=str(tmp_path))  # fmt: skip
    fresh = compare.compare(frame, y, **kwargs)
    for path in tmp_path.rglob("*.json"):  # as version 0.4.0 wrote them
        record = json.loads(path.read_text())
        for protocol in ("honest", "posthoc"):
            for key in ("ap", "macro_f1", "brier"):
                del record[protocol][key]
        path.write_text(json.dumps(record))
    old = compare.compare(frame, y, metric="ap", **kwargs)
    assert (
        old.runs["ap"].isna().all() and old.runs["posthoc_brier"].isna().all()
    )
    pd.testing.assert_frame_equal(old.summary("acsa"), fresh.summary("acsa"))
    assert old.recommendation().startswith("No run records AP")
    acsa = fresh.summary()["mean"]["LR"]
    assert f"| LR | NA | {acsa:.2f} | - | 0 |" in old.markdown()


def test_an_unknown_metric_is_refused():
    frame, y = small_table()
    with pytest.raises(ValueError, match="Unknown metric 'auc'"):
        compare.compare(frame, y, methods=["LR"], metric="auc")


@pytest.mark.backend("tensorflow")  # harness logic: one backend
def test_cli_compare_metric_names_the_ranking(tmp_path):
    frame, y = small_table()
    path = tmp_path / "t.csv"
    frame.assign(target=y).to_csv(path, index=False)
    out = tmp_path / "report"
    argv = [
        "compare", str(path), "--label", "target", "--methods", "LR", "HGB",
        "--repeats", "2", "--epochs", "1", "--metric", "macro_f1",
        "--no-plot", "--output", str(out),
    ]  # fmt: skip
    assert cli.main(argv) == 0
    report = (out / "report.md").read_text()
    assert "Methods ranked by macro-F1 (x 100, higher is better)" in report
    assert "macro-F1)." in report  # the recommendation names it
    with pytest.raises(SystemExit):
        cli.main([*argv[:-2], "--metric", "auc"])
