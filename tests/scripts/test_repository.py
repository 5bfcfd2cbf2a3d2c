"""The repository's layout: what a clone holds, and every link resolving.

Issue 30: a LICENSE and a `pyproject.toml`, one CI folder, the studies
under `scripts/studies/`, at most 25 tracked files in `docs/results/`, no
path outside the repository in the README, the docs or the scripts, and
every relative link of the README and the docs pointing at a file that
exists. No Keras maths, so it runs on one backend.
"""

import configparser
import os
import re
import subprocess

import pytest

pytestmark = pytest.mark.backend_independent

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
THIS_FILE = os.path.relpath(os.path.abspath(__file__), ROOT)
# [text](target) in Markdown; images too. Targets with a scheme or a bare
# anchor are not files.
LINK = re.compile(r"\]\(([^)\s]+)\)")
OUTSIDE = re.compile(
    r"(\.\./shared/|\bshared/(paper|spec|datasets)|/work/"
    # a path built in code: ("..", "shared"), / "shared" / ...
    r"""|["']shared["']\s*[,)]|/\s*["']shared["'])"""
)


def tracked(*paths):
    """The tracked files under the paths, relative to the repository."""
    out = subprocess.run(
        ["git", "ls-files", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def markdown_files():
    """README.md, CHANGELOG.md, docs/ and the studies' READMEs."""
    names = tracked("README.md", "CHANGELOG.md", "docs", "scripts")
    return [n for n in names if n.endswith(".md")]


def broken_links(path):
    """The relative link targets of a Markdown file that do not exist."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file = target.split("#")[0]
        full = os.path.join(ROOT, os.path.dirname(path), file)
        if not os.path.exists(full):
            broken.append(target)
    return broken


def test_license_and_build_declared():
    with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as f:
        assert "Apache License" in f.read(2000)
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    assert parser["metadata"]["license_files"].split() == ["LICENSE"]
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    assert "[build-system]" in text
    assert 'build-backend = "setuptools.build_meta"' in text


def test_one_ci_folder():
    assert not os.path.exists(os.path.join(ROOT, "ci"))
    assert sorted(tracked(".ci")) == [
        ".ci/compare_smoke.py",
        ".ci/min-versions.txt",
        ".ci/run",
    ]


def test_studies_in_one_wing():
    assert not tracked("runs")
    assert len(tracked("docs/results")) <= 25
    studies = os.path.join(ROOT, "scripts", "studies")
    for name in os.listdir(studies):
        if os.path.isdir(os.path.join(studies, name)):
            assert os.path.isfile(os.path.join(studies, name, "README.md"))


def test_no_path_outside_the_repository():
    names = tracked(
        "README.md", "docs", "scripts", "Makefile", "mkdocs.yml", "aos_keras",
        "tests", "setup.cfg", "setup.py", ".ci",
    )  # fmt: skip
    found = []
    for name in names:
        if name.endswith((".png", ".csv", ".log")) or name == THIS_FILE:
            continue
        # Binary files (saved models of the tests) are read as text too.
        with open(
            os.path.join(ROOT, name), encoding="utf-8", errors="replace"
        ) as f:
            for number, line in enumerate(f, 1):
                if OUTSIDE.search(line):
                    found.append(f"{name}:{number}")
    assert found == []


def test_every_relative_link_resolves():
    broken = {p: b for p in markdown_files() if (b := broken_links(p))}
    assert broken == {}


def test_every_page_is_in_the_site_navigation():
    """`mkdocs build --strict` (`make docs`, in `.ci/run`) checks links and
    references; this checks that a user reaches every page from the
    navigation, not only by a link."""
    with open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8") as f:
        nav = set(re.findall(r":\s+(\S+\.md)\s*$", f.read(), re.M))
    pages = {
        os.path.relpath(name, "docs")
        for name in tracked("docs")
        if name.endswith(".md")
    }
    assert pages - nav == set()
    assert nav - pages == set()
