"""Install weight of each backend: `du -sh` of a fresh venv's site-packages.

Each install (`pip install "aos_keras[jax]"`, `[torch]`, `[tensorflow]`
and the package with no extra) goes into a fresh virtual environment
under `--root`, with the versions of constraints.txt (torch is the CPU
build that constraints.txt pins). With `--before REF` the same installs
are made from that git commit too (`git archive`), for a before/after
table. Prints a markdown table; `--write README.md` also puts it, with the
command that made it, between the `<!-- install-sizes -->` lines of that
file (README's "Install"):

    python scripts/install_sizes.py --root /tmp/extras --before 3c17e7f \
        --write README.md

Takes minutes (TensorFlow, jax and torch are downloaded or taken from
pip's cache); the venvs stay under `--root` (`rm -r` it afterwards).
"""

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = "<!-- install-sizes -->"
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


def write_between_marks(path, text):
    """Replace what lies between the two `MARK` lines of `path` by `text`."""
    before, _, rest = path.read_text().partition(MARK + "\n")
    _, found, after = rest.partition(MARK + "\n")
    if not found:
        raise SystemExit(f"{path}: no two {MARK!r} lines")
    path.write_text(f"{before}{MARK}\n{text}\n{MARK}\n{after}")


def main():
    """Measure each install, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--root", type=pathlib.Path, default=pathlib.Path("/tmp/extras")
    )
    parser.add_argument("--before", help="a git commit to measure too")
    parser.add_argument(
        "--write", type=pathlib.Path, help="a file with two MARK lines"
    )
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
    text = table(sizes, list(sources))
    print(text)
    if args.write:
        command = "python scripts/install_sizes.py " + " ".join(sys.argv[1:])
        made = f"\n(`du -sh` of site-packages; made by `{command}`)"
        write_between_marks(args.write, text + "\n" + made)


if __name__ == "__main__":
    main()
