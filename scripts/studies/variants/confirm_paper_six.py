"""Confirmation on the paper's tables with the compare harness (both columns).

Run from the repository root with `PYTHONPATH=scripts` (for `aos_bench`);
`$STUDY` below is `scripts/studies/variants`.

Runs `aos_keras.compare` on five of the paper's six tables (Credit left out
for compute) for the leading methods of the development suite, honest and
post-hoc columns, and writes `docs/results/paper_six_compare.{csv,md}` and
its critical-difference diagram. Resumable (cache `$STUDY/paper_six`).

    KERAS_BACKEND=jax python $STUDY/confirm_paper_six.py [--repeats 3]
    python $STUDY/confirm_paper_six.py --smoke   # tests: Haberman, 2 fast
                                                  # methods, 1 split, 1 epoch
"""

import argparse
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from aos_bench.datasets import data_home, load_dataset  # noqa: E402
from aos_keras.evaluation import compare_suite  # noqa: E402

STUDY = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(STUDY)))
DATASETS = ("secom", "pima", "haberman", "wafer", "yeast")
# The best five of the development suite in either column, chosen there.
METHODS = ("HGB", "SMOTE+HGB", "DO-T0.1+HGB", "LA-CE", "LR")


def main(argv=None):
    """Run the comparison and write its tables and diagram."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--data-home", default=data_home())
    parser.add_argument(
        "--cache-dir", help="default scripts/studies/variants/paper_six"
    )
    parser.add_argument("--out-dir", help="default docs/results")
    parser.add_argument("--stem", default="paper_six_compare")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests: Haberman, LR and HGB, 1 split, 1 epoch; cache and "
        "output in a temporary folder unless given",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.datasets, args.methods = ["haberman"], ["LR", "HGB"]
        args.repeats, args.epochs = 1, 1
        tmp = tempfile.mkdtemp()
        args.cache_dir = args.cache_dir or os.path.join(tmp, "runs")
        args.out_dir = args.out_dir or tmp
    args.cache_dir = args.cache_dir or os.path.join(STUDY, "paper_six")
    args.out_dir = args.out_dir or os.path.join(ROOT, "docs", "results")
    tables = {}
    for name in args.datasets:
        data = load_dataset(name, data_home=args.data_home)
        tables[name] = (data.X, data.y)
    suite = compare_suite(
        tables,
        methods=args.methods,
        repeats=args.repeats,
        epochs=args.epochs,
        batch_size=32,
        n_jobs=args.jobs,
        cache_dir=args.cache_dir,
    )
    for path in suite.save(args.out_dir, stem=args.stem):
        print(f"wrote {path}")
    print(suite.rank_table(protocol="posthoc").to_string())


if __name__ == "__main__":
    main()
