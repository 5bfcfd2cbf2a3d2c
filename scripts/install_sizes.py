"""Install weight of each backend: `du -sh` of a fresh venv's site-packages.

Each install (`pip install "aos_keras[jax]"`, `[torch]`, `[tensorflow]`
and the package with no extra) goes into a fresh virtual environment
under `--root`, with the versions of constraints.txt (torch is the CPU
build that constraints.txt pins). With `--before REF` the same installs
are made from that git commit too (`git archive`), for a before/after
table. Prints a markdown table (the one in README's "Install"):

    python scripts/install_sizes.py --root /tmp/extras --before 3c17e7f

Takes minutes (TensorFlow, jax and torch are downloaded or taken from
pip's cache); the venvs stay under `--root` (`rm -r` it afterwards).
"""

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
INSTALLS = ("", "jax", "torch", "tensorflow")


def source_at(ref, folder):
    """The repository's files at git commit `ref`, extracted to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def site_packages_size(source, extra, venv, reuse=False):
    """`du -sh` of the site-packages of a fresh venv holding `source[extra]`.

    With `reuse`, a venv that this function finished earlier (for the same
    git commit: its files cannot have changed) is measured again as it is.
    """
    done = venv / ".installed"
    if reuse and done.exists():
        return _du(venv)
    subprocess.run(
        [sys.executable, "-m", "venv", "--clear", str(venv)], check=True
    )
    python = str(venv / "bin" / "python")
    target = f"{source}[{extra}]" if extra else str(source)
    pip = [
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "-c",
        str(source / "constraints.txt"),
    ]
    subprocess.run([*pip, target], check=True)
    done.touch()
    return _du(venv)


def _du(venv):
    """`du -sh` of the venv's site-packages: the size column."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    du = subprocess.run(
        ["du", "-sh", str(site)], check=True, capture_output=True
    )
    return du.stdout.decode().split()[0]


def table(sizes, columns):
    """Markdown: one row per install, one column per source."""
    lines = ["| install | " + " | ".join(columns) + " |"]
    lines.append("|---|" + "---|" * len(columns))
    for extra in INSTALLS:
        command = (
            f'`pip install "aos_keras[{extra}]"`'
            if extra
            else "`pip install aos_keras`"
        )
        row = [sizes[column][extra] for column in columns]
        lines.append(f"| {command} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main():
    """Measure each install, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--root", type=pathlib.Path, default=pathlib.Path("/tmp/extras")
    )
    parser.add_argument("--before", help="a git commit to measure too")
    args = parser.parse_args()
    sources = {"size": ROOT}
    if args.before:
        before = source_at(args.before, args.root / f"src-{args.before}")
        sources = {f"before ({args.before})": before, "after": ROOT}
    sizes = {}
    for column, source in sources.items():
        sizes[column] = {}
        for extra in INSTALLS:
            venv = args.root / f"venv-{column.split()[0]}-{extra or 'core'}"
            reuse = source != ROOT
            sizes[column][extra] = site_packages_size(
                source, extra, venv, reuse
            )
            print(
                f"{column} [{extra}]: {sizes[column][extra]}", file=sys.stderr
            )
    print(table(sizes, list(sources)))


if __name__ == "__main__":
    main()
