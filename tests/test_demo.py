"""`make demo`'s script: the default DO (DO-T0.1-LA) beside the best baseline,
and what it ran."""

import importlib.util
import os
import re

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "scripts", "demo.py")


def load_demo():
    spec = importlib.util.spec_from_file_location("demo", SCRIPT)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    return demo


@pytest.mark.backend("tensorflow")  # make demo's backend
def test_demo_prints_do_beside_the_best_baseline(capsys):
    demo = load_demo()
    demo.main(["--smoke"])
    out = capsys.readouterr().out
    assert "1 epochs, 1 splits" in out  # says what it ran
    table = [line for line in out.splitlines() if line.startswith("| ")]
    ranked = [line.split("|")[1].strip() for line in table[1:]]
    assert sorted(ranked) == sorted(demo.METHODS)
    # The default DO (temperature 0.1, classes up to half the largest,
    # logit adjustment: `compare`'s DO-T0.1-LA), named as such.
    assert demo.OURS == "DO-T0.1-LA"
    assert set(demo.BASELINES) == {"LR", "HGB", "LA-CE"}
    assert "generator temperature 0.1, up to half the largest class" in out
    verdict = re.search(
        r"^DO-T0\.1-LA: [\d.]+ ACSA; best baseline: (\S+) ", out, re.M
    )
    assert verdict and verdict.group(1) in demo.BASELINES
    assert "best: " in out


def test_the_demo_defaults_stay_small():
    """A first run answers in about a minute: 3 splits, at most 100
    epochs (compare's default; each run stops 30 epochs after its best)."""
    args = load_demo().parse([])
    assert (args.seeds, args.epochs, args.dataset) == (3, 100, "haberman")
