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
