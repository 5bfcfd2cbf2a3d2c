"""`make demo`'s script runs and prints the ranking and a recommendation."""

import importlib.util
import os

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "scripts", "demo.py")


@pytest.mark.backend("tensorflow")  # make demo's backend
def test_demo_prints_every_method_and_a_recommendation(capsys):
    spec = importlib.util.spec_from_file_location("demo", SCRIPT)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    demo.main(["--epochs", "1", "--seeds", "1"])
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert {line.split("|")[1].strip() for line in table[1:]} == set(
        demo.METHODS
    )
    assert "best: " in out
