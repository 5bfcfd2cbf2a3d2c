"""Count the rows, columns and classes of the fetched collection's CSVs.

Reads the 58 CSVs that `scripts/fetch_dev_collection.py` wrote (checking
each one's sha256 first) and prints one Markdown row per table: rows,
feature columns, nominal columns, missing cells, classes, minority rows
(the smallest class) and the imbalance ratio. With `--write PAGE` the
table replaces the block between `<!-- dev-collection:start -->` and
`<!-- dev-collection:end -->` in that page. Nothing is trained.

Usage:
    python scripts/studies/dev_collection/collection_table.py [--dest DIR]
        [--write docs/research/dev_collection.md]
"""

import argparse
import collections
import csv
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FETCH = os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "fetch_dev_collection.py"
)


def _load_fetch():
    """`scripts/fetch_dev_collection.py` as a module (a script, not a
    package: loaded from its file, the import path untouched)."""
    spec = importlib.util.spec_from_file_location("fetch_dev_collection", FETCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fetch = _load_fetch()

START = "<!-- dev-collection:start (scripts/studies/dev_collection/"
START += "collection_table.py) -->"
END = "<!-- dev-collection:end -->"


def count(path):
    """The counts of one CSV (label last, an empty cell missing).

    Args:
        path: the CSV file.

    Returns:
        A dict: rows, features, nominal, missing, classes, minority.
    """
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    labels = collections.Counter(row[-1] for row in rows)
    nominal = 0
    for j in range(len(header) - 1):
        present = [row[j] for row in rows if row[j] != ""]
        if not all(fetch._is_number(v) for v in present):
            nominal += 1
    return {
        "rows": len(rows),
        "features": len(header) - 1,
        "nominal": nominal,
        "missing": sum(v == "" for row in rows for v in row),
        "classes": len(labels),
        "minority": min(labels.values()),
        "majority": max(labels.values()),
    }


def markdown(dest):
    """The Markdown table of the collection in `dest`, sha256 checked."""
    sums = fetch.read_sums()
    lines = [
        "| table | group | rows | features | nominal | missing cells "
        "| classes | minority rows | IR |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for table in fetch.read_tables():
        name = f"{table['table']}.csv"
        path = os.path.join(dest, name)
        if fetch.file_sha256(path) != sums[name]:
            raise fetch.CollectionError(f"{path}: not the committed file")
        c = count(path)
        ratio = c["majority"] / c["minority"]
        lines.append(
            f"| `{table['table']}` | {table['group']} | {c['rows']} "
            f"| {c['features']} | {c['nominal']} | {c['missing']} "
            f"| {c['classes']} | {c['minority']} | {ratio:.1f} |"
        )
    return "\n".join(lines) + "\n"


def write_block(page, text):
    """Replace the marked block of `page` with `text`."""
    with open(page) as f:
        content = f.read()
    head, rest = content.split(START, 1)
    _, tail = rest.split(END, 1)
    with open(page, "w") as f:
        f.write(f"{head}{START}\n{text}{END}{tail}")


def main(argv=None):
    """Print (or write into a page) the collection's counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default=fetch.default_dest())
    parser.add_argument("--write", help="a page with the marked block")
    args = parser.parse_args(argv)
    text = markdown(args.dest)
    if args.write:
        write_block(args.write, text)
    print(text, end="")


if __name__ == "__main__":
    main()
