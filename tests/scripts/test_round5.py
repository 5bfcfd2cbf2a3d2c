"""scripts/studies/round5/round5_summary.py: the issue-25 pages read only
cached runs."""

import pandas as pd
import pytest
import round5_summary as summary
import run_round5

from aos_keras.evaluation import compare_suite
from tests.conftest import shifted_tables

pytestmark = pytest.mark.backend_independent
METHODS = ["LR", "HGB", "HGB-plain"]


def tables():
    return shifted_tables({"a": 1.0, "b": 2.0})


@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("runs"))
    trained = compare_suite(
        tables(), methods=METHODS, cache_dir=cache, log=None,
        **run_round5.PROTOCOL,
    )  # fmt: skip
    return cache, trained


def test_the_summary_reads_the_cache_and_lists_what_is_missing(cached):
    cache, trained = cached
    suite, missing = summary.cached_suite(tables(), cache, METHODS + ["BRF"])
    assert sorted({m for _, m, _ in missing}) == ["BRF"] and len(missing) == 6
    pd.testing.assert_frame_equal(
        suite.means("acsa")[METHODS], trained.means("acsa")[METHODS]
    )
    ranks = summary.rank_rows(suite, "acsa")
    assert sorted(ranks.index) == sorted(METHODS)  # BRF: no runs, not ranked
    assert ranks["mean rank"].sum() == pytest.approx(6.0)  # 1 + 2 + 3


def test_rules_without_their_runs_are_not_decided(cached):
    suite, _ = summary.cached_suite(tables(), cached[0], METHODS)
    assert summary.peers_rule(suite)[1] is None
    assert summary.default_rule(suite, None) == (None, None)
    assert summary.verdict(None).startswith("**not decided**")


def test_the_readme_block_replaces_only_its_markers(cached, tmp_path):
    suite, _ = summary.cached_suite(tables(), cached[0], METHODS)
    readme = tmp_path / "README.md"
    readme.write_text(
        f"top\n{summary.README_START}\nold\n{summary.README_END}\nbottom\n"
    )
    block = summary.readme_block(suite, None)
    summary.write_readme(str(readme), block)
    text = readme.read_text()
    assert text == f"top\n{block}\nbottom\n" and "old" not in text
    leader = summary.rank_rows(suite, "acsa").index[0]
    assert f"by honest ACSA `{leader}` leads" in block
