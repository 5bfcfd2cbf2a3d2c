"""scripts/studies/round6/round6_summary.py: the issue-33 pages read only
cached runs, and decide nothing while runs are missing."""

import pandas as pd
import pytest
import round6_summary as summary
import run_round6

from aos_keras.evaluation import compare_suite
from tests.conftest import shifted_tables

pytestmark = pytest.mark.backend_independent
METHODS = ["LR", "HGB", "BRF"]


def tables():
    return shifted_tables({"a": 1.0, "b": 2.0, "c": 0.5})


@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("runs"))
    # Table "c" has LR only: it is not complete.
    settings = {**run_round6.PROTOCOL, "log": None, "cache_dir": cache}
    trained = compare_suite(
        {k: v for k, v in tables().items() if k != "c"}, methods=METHODS,
        **settings,
    )  # fmt: skip
    compare_suite({"c": tables()["c"]}, methods=["LR"], **settings)
    return cache, trained


def test_partial_runs_rank_the_complete_tables_and_decide_nothing(cached):
    cache, trained = cached
    suite, missing = summary.cached_suite(tables(), cache, METHODS)
    assert sorted({(t, m) for t, m, _ in missing}) == [
        ("c", "BRF"), ("c", "HGB")
    ]  # fmt: skip
    assert summary.complete_tables(suite) == ["a", "b"]
    ranks = summary.rank_rows(suite, "acsa", ["a", "b"])
    assert sorted(ranks.index) == sorted(METHODS)
    assert ranks["mean rank"].sum() == pytest.approx(6.0)  # 1 + 2 + 3
    pd.testing.assert_frame_equal(
        suite.means("acsa").loc[["a", "b"], METHODS],
        trained.means("acsa").loc[["a", "b"], METHODS],
    )
    assert summary.rule(suite, ["a", "b"], complete=False)[0] is None
    # Complete, but no round variant ran: the rule is not met.
    met, text = summary.rule(suite, ["a", "b"], complete=True)
    assert met is False and "not a round variant" in text


def test_nothing_cached_is_no_suite(tmp_path):
    suite, missing = summary.cached_suite(tables(), str(tmp_path), ["LR"])
    assert suite is None and len(missing) == 9


def test_the_readme_block_replaces_round_5s(cached, tmp_path):
    suite, _ = summary.cached_suite(tables(), cached[0], METHODS)
    readme = tmp_path / "README.md"
    readme.write_text(
        "top\n<!-- does-it-work:start (scripts/studies/round5/"
        f"round5_summary.py) -->\nold\n{summary.README_END}\nbottom\n"
    )
    block = summary.readme_block(suite, ["a", "b"], complete=False)
    summary.write_readme(str(readme), block)
    assert readme.read_text() == f"top\n{block}\nbottom\n"
    assert block.startswith(summary.README_START)
    assert "**not decided**" in block
    assert "no method of the game ran" in block  # LR, HGB, BRF only


def test_the_confirmation_ranks_every_table_with_a_run(cached):
    suite, _ = summary.cached_suite(tables(), cached[0], METHODS)
    line = summary.confirmation(suite)  # "c" has LR only: ranked there
    assert line.startswith("on 3 of the paper's tables (a, b, c), by honest")
    ranks = summary.rank_rows(suite, "acsa", ["a", "b", "c"])
    assert (
        ranks.loc["LR", "tables"] == "3" and ranks.loc["HGB", "tables"] == "2"
    )
    block = summary.readme_block(suite, ["a", "b"], complete=False, paper=suite)
    assert f"- **Confirmation**: {line}." in block.splitlines()


def test_level_with_the_leader_names_the_methods_it_is_not_ahead_of(cached):
    suite, _ = summary.cached_suite(tables(), cached[0], METHODS)
    leader, level = summary.level_with_leader(suite, "acsa", ["a", "b"])
    # Two tables: the sign test cannot reach p < 0.05, so every other
    # method is level with the leader, fastest first.
    assert leader == summary.rank_rows(suite, "acsa", ["a", "b"]).index[0]
    assert sorted(level.index) == sorted(set(METHODS) - {leader})
    assert list(level["median s/run"]) == sorted(level["median s/run"])
    assert (level["p"] >= summary.LEVEL).all()
    line = summary.level_line(suite, "acsa", ["a", "b"])
    assert line.startswith(f"By honest ACSA: `{leader}` leads")
    assert "not ahead at p < 0.05" in line
    row = {"n": 30, "difference": 1.0, "p": 0.01}
    assert summary.ahead(row) == "ahead at p < 0.05"
    assert summary.ahead({**row, "difference": -1.0}).startswith("level")
