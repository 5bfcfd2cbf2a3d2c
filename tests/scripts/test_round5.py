"""scripts/studies/round5/round5_summary.py: the issue-25 pages read only
cached runs."""

import os
import shutil

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


def test_the_summary_writes_only_its_own_page(cached, tmp_path, monkeypatch):
    """Round 6 owns the result files, the guide and the README block."""
    for folder in ("dev_suite_v05", "paper_v05"):
        shutil.copytree(cached[0], tmp_path / "runs" / folder)
    monkeypatch.setattr(summary, "read_suite", lambda folder: tables())
    monkeypatch.setattr(run_round5, "paper_tables", lambda home: tables())
    monkeypatch.setattr(run_round5, "CONFIRMATION_TABLES", ("a", "b"))
    out = tmp_path / "out"
    summary.main(["--runs", str(tmp_path / "runs"), "--out", str(out)])
    written = sorted(
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()
    )
    assert written == [os.path.join("docs", "research", "round5.md")]
