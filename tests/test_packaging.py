"""What `pip install aos_keras` declares: every import declared, every floor
pinned in .ci/min-versions.txt (which `make test-min` installs), one
TensorFlow distribution name throughout."""

import ast
import configparser
import importlib.metadata
import os
import pathlib
import sys

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Import names that differ from the distribution's name.
DISTRIBUTION = {"sklearn": "scikit-learn", "imblearn": "imbalanced-learn"}
# Extras whose floors `make test-min` installs (torch's floor is the
# version that constraints.txt pins, so `make test` runs it).
TESTED_EXTRAS = (
    "tensorflow", "plots", "parquet", "excel", "jax", "distributed"
)  # fmt: skip
BACKENDS = ("tensorflow", "jax", "torch")


def setup_cfg():
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    return parser


def requirements(value):
    return [Requirement(line) for line in value.split("\n") if line.strip()]


def core():
    return requirements(setup_cfg()["options"]["install_requires"])


def extras():
    section = setup_cfg()["options.extras_require"]
    return {name: requirements(section[name]) for name in section}


def pins(path):
    """`name==version` lines of a constraints file, by canonical name."""
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            found[canonicalize_name(name)] = Version(version)
    return found


def floor(requirement):
    """The version of the requirement's `>=` specifier, or None."""
    for spec in requirement.specifier:
        if spec.operator == ">=":
            return Version(spec.version)
    return None


def imported_distributions():
    """{distribution: first file importing it} for aos_keras's imports."""
    local = {"aos_keras", "aos_keras_cli"}
    found = {}
    for path in sorted((ROOT / "aos_keras").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in local or top in sys.stdlib_module_names:
                    continue
                dist = canonicalize_name(DISTRIBUTION.get(top, top))
                found.setdefault(dist, path.relative_to(ROOT))
    return found


def test_every_imported_distribution_is_declared():
    declared = {canonicalize_name(r.name) for r in core()}
    for group in extras().values():
        declared |= {canonicalize_name(r.name) for r in group}
    undeclared = {
        dist: str(path)
        for dist, path in imported_distributions().items()
        if dist not in declared
    }
    assert not undeclared, f"imported but not in setup.cfg: {undeclared}"


def test_compare_needs_no_extra():
    """`pip install aos_keras` then `aos-keras compare`: the resampling
    baselines, the statistics and the runner are required dependencies."""
    names = {canonicalize_name(r.name) for r in core()}
    assert {"imbalanced-learn", "scipy", "joblib", "scikit-learn"} <= names


def test_every_floor_is_pinned_in_min_versions():
    minimum = pins(".ci/min-versions.txt")
    tested = core() + [r for e in TESTED_EXTRAS for r in extras()[e]]
    for requirement in tested:
        name = canonicalize_name(requirement.name)
        assert floor(requirement) is not None, f"{requirement}: no floor"
        assert minimum.get(name) == floor(requirement), (
            f"setup.cfg says {requirement}, .ci/min-versions.txt pins "
            f"{minimum.get(name)}: test the floor that is declared"
        )


def test_constraints_satisfy_the_declared_ranges():
    pinned = pins("constraints.txt")
    for requirement in core() + [r for g in extras().values() for r in g]:
        version = pinned.get(canonicalize_name(requirement.name))
        if version is not None:
            assert requirement.specifier.contains(version), requirement


def names(requirements):
    return {canonicalize_name(r.name) for r in requirements}


def test_the_backends_are_extras_as_in_keras():
    """`pip install aos_keras` installs no backend; each backend's extra
    installs that backend alone (a JAX or torch user gets no TensorFlow);
    `all` installs the three (`make test`)."""
    groups = extras()
    assert not names(core()) & set(BACKENDS)
    for backend in BACKENDS:
        assert names(groups[backend]) == {backend}
        assert backend in names(groups["all"])
    for group, requirements in groups.items():
        if group not in ("tensorflow", "all"):
            assert "tensorflow" not in names(requirements), group


def test_one_tensorflow_distribution_everywhere():
    """`tensorflow` is what a GPU install already provides; tensorflow-cpu
    beside it would overwrite the same files."""
    assert names(extras()["tensorflow"]) == {"tensorflow"}
    for path in ("setup.cfg", "constraints.txt", ".ci/min-versions.txt"):
        lines = (ROOT / path).read_text().splitlines()
        named = [line for line in lines if not line.lstrip().startswith("#")]
        assert "tensorflow-cpu" not in "\n".join(named), path
    assert "tensorflow" in pins("constraints.txt")


def test_python_requires_matches_the_classifiers():
    parser = setup_cfg()
    requires = SpecifierSet(parser["options"]["python_requires"])
    versions = [
        line.rsplit("::", 1)[1].strip()
        for line in parser["metadata"]["classifiers"].splitlines()
        if line.startswith("Programming Language :: Python :: 3.")
    ]
    assert versions and all(Version(v) in requires for v in versions)
    assert Version(min(versions, key=Version)) == Version(
        str(requires).lstrip(">=")
    )
    current = ".".join(map(str, sys.version_info[:3]))
    assert requires.contains(current)


@pytest.mark.skipif(
    not os.environ.get("AOS_KERAS_MIN_VERSIONS"),
    reason="make test-min only (AOS_KERAS_MIN_VERSIONS=1)",
)
def test_installed_versions_are_the_floors():
    """In `make test-min`'s environment every pinned floor is installed."""
    for name, version in pins(".ci/min-versions.txt").items():
        installed = Version(importlib.metadata.version(name))
        assert installed.release == version.release, (name, installed)


def square(i):
    return i * i


@pytest.mark.backend("tensorflow")  # no Keras in it: one backend is enough
def test_the_distributed_extra_runs_joblib_on_dask():
    distributed = pytest.importorskip("distributed")
    from joblib import Parallel, delayed, parallel_config

    cluster = distributed.LocalCluster(
        n_workers=1, processes=False, dashboard_address=None
    )
    with cluster, distributed.Client(cluster):
        with parallel_config(backend="dask"):
            jobs = Parallel(return_as="generator_unordered")(
                delayed(square)(i) for i in range(4)
            )
            assert sorted(jobs) == [0, 1, 4, 9]


@pytest.mark.backend("tensorflow")
def test_the_distributed_extra_runs_joblib_on_ray():
    ray = pytest.importorskip("ray")
    from joblib import Parallel, delayed, parallel_config
    from ray.util.joblib import register_ray

    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        with parallel_config(backend="ray", n_jobs=1):
            squares = Parallel()(delayed(square)(i) for i in range(4))
        assert squares == [0, 1, 4, 9]
    finally:
        ray.shutdown()


def test_the_parquet_extra_reads_a_table(tmp_path):
    pytest.importorskip("pyarrow")
    import pandas as pd

    from aos_keras.tables.reader import read_table

    frame = pd.DataFrame({"x": [0.5, 1.5, 2.5], "y": ["a", "b", "a"]})
    frame.to_parquet(tmp_path / "t.parquet")
    read = read_table(str(tmp_path / "t.parquet"))
    pd.testing.assert_frame_equal(read, frame, check_dtype=False)
