"""The package's docstrings say what is: examples that run, no history."""

import doctest
import importlib
import pathlib
import re

import pytest

import aos_keras

pytestmark = pytest.mark.backend_independent

PACKAGE = pathlib.Path(aos_keras.__file__).parent
# Modules whose examples run as they are written (no data to bring).
RUNNABLE = (
    "aos_keras.game.sampling",
    "aos_keras.game.config",
    "aos_keras.game.batching",
    "aos_keras.stopping",
)


@pytest.mark.parametrize("name", RUNNABLE)
def test_the_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0


def test_the_default_balance_is_described_as_class_targets_computes_it():
    """DO's default `sampling_strategy` 0.5 grows every class up to half
    the largest (imbalanced-learn's float ratio), not half the gap."""
    from aos_keras.game.sampling import class_targets

    assert class_targets([10, 2], 0.5).tolist() == [10, 5]
    assert "up to half the largest class" in _docs("aos_keras.game.sampling")
    for path in PACKAGE.rglob("*.py"):
        assert "half the gap" not in path.read_text(), path


# History belongs in the CHANGELOG; the paper is cited by title.
UNTIMELY = re.compile(
    r"since (version )?\d+\.\d|\d\.\d\.\d's|in \d\.\d\.\d|shared/"
)


def test_no_version_history_and_no_path_outside_the_package():
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if UNTIMELY.search(line)
    ]
    assert found == []


def _docs(name):
    module = importlib.import_module(name)
    return " ".join(
        " ".join((obj.__doc__ or "").split())
        for obj in (module, *vars(module).values())
        if callable(obj) or obj is module
    )
