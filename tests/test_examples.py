"""Every example in docs/examples runs (in its fast mode), so none can rot."""

import os
import runpy

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "docs", "examples")
FILES = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".py"))


@pytest.mark.parametrize("name", FILES)
def test_example_runs(name, monkeypatch, capsys):
    monkeypatch.setenv("AOS_KERAS_EXAMPLE_FAST", "1")
    monkeypatch.chdir(EXAMPLES)
    runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")
    assert capsys.readouterr().out.strip()  # each example reports something
