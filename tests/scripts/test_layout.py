"""The installed package holds no benchmark, profiling or study module."""

import importlib.util
import os

import pytest

import aos_keras

pytestmark = pytest.mark.backend_independent

PACKAGE = os.path.dirname(aos_keras.__file__)


def test_no_benchmark_module_in_the_package():
    for name in ("bench", "benchmark"):
        assert importlib.util.find_spec(f"aos_keras.{name}") is None, name
    files = [
        os.path.join(root, f)
        for root, _, names in os.walk(PACKAGE)
        for f in names
        if f.endswith(".py")
    ]
    for word in ("bench", "profil", "xla", "flops", "table2", "variants"):
        assert not [f for f in files if word in os.path.basename(f)], word


def test_support_package_imports_from_scripts():
    import aos_bench

    assert os.path.basename(os.path.dirname(aos_bench.__file__)) == "aos_bench"
    assert "scripts" in aos_bench.__file__


def test_functions_stay_short():
    """Function bodies with a p90 of at most 20 lines, measured by
    scripts/code_metrics.py (a module holds one concept, at any length)."""
    import statistics

    spec = importlib.util.spec_from_file_location(
        "code_metrics",
        os.path.join(os.path.dirname(PACKAGE), "scripts", "code_metrics.py"),
    )
    metrics = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(metrics)
    _, functions = metrics.measure(PACKAGE)
    lengths = sorted(n for n, _ in functions)
    assert statistics.quantiles(lengths, n=10)[-1] <= 20


def test_the_top_level_holds_few_modules():
    """The package is rooms (subpackages) and at most 12 modules beside
    them, `__init__.py`, `_api.py` and `_imports.py` counted."""
    modules = [f for f in os.listdir(PACKAGE) if f.endswith(".py")]
    assert len(modules) <= 12, sorted(modules)
