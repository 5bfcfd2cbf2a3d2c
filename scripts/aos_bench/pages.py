"""What the rounds' summary scripts share (trains nothing).

A suite read back from a run cache (`cached_suite`, with `by_content` for
runs cached under another table fingerprint), Markdown tables (`fmt`,
`markdown`), each table's shape (`table_shapes`), the lines on runs
missing or read by content (`missing_lines`), a rule's outcome
(`verdict`) and the README's marked block (`write_block`). Used by
`scripts/studies/round5/round5_summary.py` and
`scripts/studies/round6/round6_summary.py`.
"""

import dataclasses
import glob
import json
import os

import pandas as pd

from aos_keras.evaluation.harness import _assemble, plan_runs, prepare_table
from aos_keras.evaluation.runs import jsonable
from aos_keras.saving import io


def cached_suite(tables, cache_dir, methods, protocol, *, found, **plan):
    """The runs of `methods` on `tables` that `cache_dir` holds.

    Args:
        tables: dict `{name: (X, y)}`.
        cache_dir: str. The run cache.
        methods: list of str.
        protocol: `Protocol` of the runs.
        found: list. Each run read by content (`by_content`) is appended
            as its tag.
        **plan: `repeats`, `seed`, `options` of `plan_runs`.

    Returns:
        `(SuiteComparison of the tables with a run, or None without any
        run; sorted list of the tags of the runs missing)`.

    Example:
    >>> suite, missing = cached_suite(tables, "runs/", ["LR"], Protocol(),
    ...                               found=[], repeats=3, seed=0, options={})
    """
    prepared = {t: prepare_table(X, y) for t, (X, y) in tables.items()}
    runs = plan_runs(prepared, methods, protocol, cache_dir=cache_dir, **plan)
    records = {r.tag: r.cached() or by_content(r, found) for r in runs}
    missing = sorted(t for t, r in records.items() if r is None)
    records = {t: r for t, r in records.items() if r is not None}
    ran = {t for t, _, _ in records}
    if not ran:
        return None, missing
    prepared = {t: v for t, v in prepared.items() if t in ran}
    return _assemble(prepared, records, methods), missing


def by_content(run, found):
    """A cached record of `run` under another key, matched by content.

    The key holds the table's fingerprint, which pandas 2 and 3 hash
    differently for some tables (vowel0), so the peers' runs (their
    environment has pandas 2.3) can have other keys there. A record in the
    run's folder with the same method, split seed, options and protocol is
    the same run; its tag is appended to `found`.
    """
    if run.path is None:
        return None
    prefix = os.path.basename(run.path).split("__")[0]
    want = jsonable(dataclasses.asdict(run.protocol))
    for path in glob.glob(os.path.join(os.path.dirname(run.path), "*.json")):
        if os.path.basename(path).split("__")[0] != prefix:
            continue
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        same = (
            record.get("repeat_seed") == run.split["seed"]
            and record.get("options") == jsonable(run.options)
            and record.get("protocol") == want
        )
        if same:
            found.append(run.tag)
            return record
    return None


def table_shapes(tables):
    """Rows, classes, smallest class and nominal columns of each table."""
    rows = {}
    for name, (X, y) in tables.items():
        counts = pd.Series(y).value_counts()
        nominal = sum(not pd.api.types.is_numeric_dtype(X[c]) for c in X)
        rows[name] = {
            "rows": len(X), "classes": len(counts),
            "smallest": int(counts.min()), "nominal": int(nominal),
        }  # fmt: skip
    return pd.DataFrame(rows).T


def fmt(value, digits=2):
    """A number for a table; `NA` for NaN."""
    return "NA" if value is None or pd.isna(value) else f"{value:.{digits}f}"


def markdown(frame):
    """A DataFrame as a markdown table (index first)."""
    cols = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in frame.iterrows():
        cells = [fmt(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(lines)


def missing_lines(missing, found, tables=()):
    """The runs of `tables` read by content (`found`, their tags), and one
    line per method with runs missing (`missing`, their tags)."""
    named = sorted({f"`{m}` on {t}" for t, m, _ in found if t in tables})
    lines = []
    if named:
        lines = [
            "Read by content, not by key (the table's fingerprint differs "
            "between pandas 2 and 3; see `by_content`): "
            + ", ".join(named) + ".", "",
        ]  # fmt: skip
    if not missing:
        return lines + ["Every planned run is in the cache."]
    counts = pd.Series([m for _, m, _ in missing]).value_counts()
    return (
        lines
        + ["Runs missing from the cache (left out of every table below):"]
        + [f"- `{m}`: {n} runs" for m, n in counts.sort_index().items()]
    )


def verdict(flag):
    """A rule's outcome: `met` / `not met` / `not decided (runs missing)`
    for True / False / None."""
    return {True: "**met**", False: "**not met**"}.get(
        flag, "**not decided** (runs missing)"
    )


def write_block(path, block, start, end):
    """Replace the text from `start` (a marker or its first part) through
    `end` in the file at `path` with `block`."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    i, j = text.index(start), text.index(end)
    io.write_text(path, text[:i] + block + text[j + len(end) :])
