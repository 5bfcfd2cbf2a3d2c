"""Issue 25's development-suite runs: the field and the round's variants.

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/round5`.

Runs (or reads from the cache) every method of
`docs/research/round5_protocol.md` on the 18 development tables under the
protocol's settings, through the one harness (`aos_keras.compare_suite`),
with the round's study variants registered (`aos_bench.variants`). A rerun
trains only the runs missing from the cache, so it resumes after a stop and
adds methods run later (the generative peers run in their own environment,
`make .venv-peers/.done`, into the same cache).

    python $STUDY/run_round5.py --methods DO-T0.1/HGB --jobs 2   # train
    python $STUDY/run_round5.py --report     # every method; writes the
                                              # suite report, trains none
    python $STUDY/run_round5.py --paper --methods ...   # the confirmation:
        # five of the paper's tables (cache $STUDY/paper_v05), same protocol
"""

import argparse
import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from aos_bench import variants  # noqa: E402  (registers the round)
from aos_bench.datasets import data_home, load_tables  # noqa: E402
from aos_keras.evaluation import compare_suite  # noqa: E402

STUDY = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(STUDY)))
GROUP_A = (
    "LR HGB SMOTE+HGB BRF UB-HGB EasyEnsemble Q CW-CE LA-CE SMOTE+Q B-SMOTE+Q"
).split()
GROUP_B = "DO-T0.1 DO DO-T0.1-LA DO-T0.1+HGB".split()
GROUP_C = "HGB-plain LA-CE/HGB".split()
PEERS = "CTGAN+HGB TVAE+HGB TVAE-C+HGB".split()
# The peers' runs cap each generator's fit (round5_protocol.md, change 1).
OPTIONS = {m: {"peer_max_steps": 300} for m in PEERS}
FIELD = GROUP_A + GROUP_B + GROUP_C + PEERS
ROUND = list(variants.ROUND5_VARIANTS)
PROTOCOL = dict(repeats=3, epochs=60, batch_size="auto", seed=0)
# The confirmation's tables (Credit left out for compute).
PAPER_TABLES = ("secom", "pima", "haberman", "wafer", "yeast")
# The tables the confirmation ran on (round5_protocol.md, change 4).
CONFIRMATION_TABLES = ("pima", "haberman", "yeast")


def parse_args(argv=None):
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--methods", nargs="+", default=GROUP_C + ROUND,
        help="methods to train (default: group C and the round)",
    )  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--dev-dir",
        default=os.path.join(data_home(), "dev"),
        help="folder of the development tables",
    )
    parser.add_argument(
        "--paper", action="store_true",
        help="the confirmation: the paper's tables instead of the suite",
    )  # fmt: skip
    parser.add_argument(
        "--tables", nargs="+",
        help="only these tables (default: every table of the collection)",
    )  # fmt: skip
    parser.add_argument(
        "--data-home",
        default=data_home(),
        help="folder of the paper's tables (--paper)",
    )
    parser.add_argument(
        "--cache-dir",
        help="the run cache (default dev_suite_v05 beside this script; "
        "with --paper paper_v05)",
    )
    parser.add_argument(
        "--report", action="store_true",
        help="every method of the protocol from the cache (trains none "
        "that is cached); write the suite report to --out",
    )  # fmt: skip
    parser.add_argument(
        "--out", default=os.path.join(ROOT, "docs", "results"),
        help="folder of the report (--report)",
    )  # fmt: skip
    parser.add_argument("--name", default="dev_suite", help="report stem")
    parser.add_argument("--metric", default="acsa", help="ranking metric")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    methods = FIELD + ROUND if args.report else args.methods
    tables, cache = args.dev_dir, "dev_suite_v05"
    if args.paper:
        tables, cache = paper_tables(args.data_home), "paper_v05"
    suite = compare_suite(
        tables, only=args.tables, methods=methods, n_jobs=args.jobs,
        metric=args.metric,
        cache_dir=args.cache_dir or os.path.join(STUDY, cache),
        options={m: o for m, o in OPTIONS.items() if m in methods},
        **PROTOCOL,
    )  # fmt: skip
    if args.report:
        suite.save(args.out, stem=args.name)
        print(suite.markdown())
    return suite


def paper_tables(data_home):
    """`{name: (X, y)}` of the confirmation's tables."""
    return load_tables(PAPER_TABLES, data_home=data_home)


if __name__ == "__main__":
    main()
