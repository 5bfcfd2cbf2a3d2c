"""Issue 31, questions 2 and 3: `AOSClassifier()` at its defaults on
compare's splits of the development suite.

For each table and split (compare's `make_splits`, seeds 0, 1, 2), the
wrapper is fitted on the split's fit + validation rows and scored on its
test rows (honest ACSA), two ways
(docs/research/early_stopping_protocol.md):

- `best-epoch`: `AOSClassifier(random_state=seed, refit=False)`: a
  stratified 20% of the rows held out, the best validation epoch kept,
  training stopped `--n-iter-no-change` epochs after it (default: the
  package's, 10);
- `refit`: `AOSClassifier(early_stopping=False, epochs=k)` on every row,
  `k` the epoch `best-epoch` kept (its `best_epoch_`).

Each (table, split, way) is one JSON file under `--out` (resumable: a
file found is not run again); `--shard I/N` runs every N-th pair from
the I-th, so two processes pinned one per core share the work. The page
is written by `summary.py` (trains nothing).

    KERAS_BACKEND=jax taskset -c 0 python wrapper_defaults.py --shard 0/2
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from aos_keras import AOSClassifier, stopping  # noqa: E402
from aos_keras.evaluation.harness import prepare_table, read_suite  # noqa: E402
from aos_keras.evaluation.protocol import make_splits  # noqa: E402
from aos_keras.metrics import acsa, geometric_mean  # noqa: E402
from aos_keras.saving import io  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WAYS = ("best-epoch", "refit")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--suite",
        default=os.path.join(os.environ.get("AOS_KERAS_DATA", ""), "dev"),
        help="the development suite's folder (default: $AOS_KERAS_DATA/dev)",
    )
    parser.add_argument("--tables", nargs="*", help="only these (stems)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--out", default=os.path.join(HERE, "wrapper"), help="run files"
    )
    parser.add_argument("--shard", default="0/1", help="I/N")
    parser.add_argument(
        "--n-iter-no-change", type=int, default=stopping.PATIENCE,
        help="the wrapper's patience (best-epoch way)",
    )  # fmt: skip
    return parser.parse_args(argv)


def pairs(tables, repeats):
    """Every (table, split) in a fixed order, split-major."""
    return [(t, r) for r in range(repeats) for t in sorted(tables)]


def run_pair(name, X, y, split, out, patience=stopping.PATIENCE):
    """Both ways on one split; write one JSON file per way."""
    frame, codes, classes = prepare_table(X, y)
    train = np.sort(np.concatenate([split["fit"], split["val"]]))
    test = split["test"]
    seed = int(split["seed"])
    labels = classes[codes]
    x_train, y_train = frame.iloc[train], labels[train]
    x_test, y_test = frame.iloc[test], codes[test]
    best = None
    for way in WAYS:
        path = os.path.join(out, name, f"{way}__{seed}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                record = json.load(f)
            if "method" not in record:  # written before the field existed
                io.write_json(path, {"method": "AOSClassifier", **record})
            best = best or record.get("best_epoch")
            continue
        if way == "best-epoch":
            clf = AOSClassifier(
                random_state=seed, refit=False, n_iter_no_change=patience
            )
        else:
            clf = AOSClassifier(
                random_state=seed, early_stopping=False, epochs=int(best)
            )
        start = time.perf_counter()
        clf.fit(x_train, y_train)
        seconds = time.perf_counter() - start
        index = {label: i for i, label in enumerate(classes.tolist())}
        pred = np.array([index[v] for v in clf.predict(x_test).tolist()])
        record = {
            "method": "AOSClassifier",  # marks a run file (tidy_runs.py)
            "table": name,
            "split": seed,
            "way": way,
            "acsa": acsa(y_test, pred, len(classes)),
            "gm": geometric_mean(y_test, pred, len(classes)),
            "seconds": seconds,
            "n_iter": int(clf.n_iter_),
            "best_epoch": clf.best_epoch_,
            "rows_train": int(len(train)),
            "rows_test": int(len(test)),
        }
        if way == "best-epoch":
            best = clf.best_epoch_ or clf.n_iter_
        os.makedirs(os.path.dirname(path), exist_ok=True)
        io.write_json(path, record)
        print(
            f"{name} split {seed} {way}: ACSA {100 * record['acsa']:.2f} "
            f"({seconds:.1f} s, {record['n_iter']} epochs)",
            flush=True,
        )


def main(argv=None):
    args = parse_args(argv)
    index, count = (int(v) for v in args.shard.split("/"))
    tables = read_suite(args.suite)
    if args.tables:
        tables = {k: v for k, v in tables.items() if k in args.tables}
    splits = {}
    for name, (X, y) in tables.items():
        _, codes, _ = prepare_table(X, y)
        splits[name] = make_splits(codes, repeats=args.repeats, seed=0)
    todo = pairs(tables, args.repeats)[index::count]
    for name, r in todo:
        run_pair(
            name, *tables[name], splits[name][r], args.out,
            patience=args.n_iter_no_change,
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
