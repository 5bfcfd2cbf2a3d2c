"""Issue 33's runs: the field and round 6 on the 58-table collection.

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/round6`. The collection comes from
`make dev-collection` (`scripts/fetch_dev_collection.py`).

Runs (or reads from the cache) the methods of
`docs/research/round6_protocol.md` under its settings, through the one
harness (`aos_keras.compare_suite`), with the round's variants registered
(`aos_bench.variants`). A rerun trains only the runs missing from the
cache, so it resumes after a stop; the generative peers run in their own
environment (`make .venv-peers/.done`) into the same cache.

    python $STUDY/run_round6.py --methods LR HGB --jobs 2      # train
    python $STUDY/run_round6.py --report     # every method from the cache
                                             # (trains none that is cached)
    python $STUDY/run_round6.py --paper ...  # the confirmation: the paper's
                                             # tables (cache $STUDY/paper)
"""

import argparse
import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from aos_bench import variants  # noqa: E402  (registers the round)
from aos_bench.datasets import data_home, load_tables  # noqa: E402
from aos_keras.evaluation import compare_suite  # noqa: E402
from aos_keras.stopping import PATIENCE  # noqa: E402

STUDY = os.path.dirname(os.path.abspath(__file__))
# Issue 33, item 2: the field (the peers in .venv-peers, at the step cap
# of issue 25).
FIELD = (
    "LR HGB HGB-plain BRF EasyEnsemble SMOTE+HGB CW-CE LA-CE LA-CE/HGB "
    "SMOTE+Q B-SMOTE+Q DO DO-T0.1 DO-T0.1-LA"
).split()
PEERS = "TVAE-C+HGB CTGAN+HGB".split()
OPTIONS = {m: {"peer_max_steps": 300} for m in PEERS}
# Item 3: the round (aos_bench.variants.ROUND6_BLENDS).
ROUND = list(variants.ROUND6_VARIANTS)
# Issue 25's protocol with issue 31's early stopping (the package's
# patience and anchor cap).
PROTOCOL = dict(
    repeats=3, epochs=60, batch_size="auto", seed=0, patience=PATIENCE
)
# The confirmation's tables (Credit left out for compute, as in round 5).
PAPER_TABLES = ("secom", "pima", "haberman", "wafer", "yeast")


def parse_args(argv=None):
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--methods", nargs="+", default=FIELD + ROUND,
        help="methods to train (default: the field but the peers, and the "
        "round)",
    )  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--collection",
        default=os.path.join(data_home(), "dev58"),
        help="folder of the 58 tables (make dev-collection)",
    )
    parser.add_argument(
        "--tables", nargs="+",
        help="only these tables (default: every table of the collection)",
    )  # fmt: skip
    parser.add_argument(
        "--paper", action="store_true",
        help="the confirmation: the paper's tables instead of the collection",
    )  # fmt: skip
    parser.add_argument(
        "--data-home", default=data_home(),
        help="folder of the paper's tables (--paper)",
    )  # fmt: skip
    parser.add_argument(
        "--cache-dir",
        help="the run cache (default `collection` beside this script; "
        "with --paper `paper`)",
    )
    parser.add_argument(
        "--report", action="store_true",
        help="every method of the protocol from the cache; trains none "
        "that is cached",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    methods = FIELD + PEERS + ROUND if args.report else args.methods
    tables, cache = args.collection, "collection"
    if args.paper:
        tables, cache = paper_tables(args.data_home), "paper"
    suite = compare_suite(
        tables, only=args.tables, methods=methods, n_jobs=args.jobs,
        cache_dir=args.cache_dir or os.path.join(STUDY, cache),
        options={m: o for m, o in OPTIONS.items() if m in methods},
        **PROTOCOL,
    )  # fmt: skip
    if args.report:
        print(suite.markdown())
    return suite


def paper_tables(home):
    """`{name: (X, y)}` of the confirmation's tables."""
    return load_tables(PAPER_TABLES, data_home=home)


if __name__ == "__main__":
    main()
