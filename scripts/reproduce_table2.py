"""Reproduce the paper's Table 2: methods x datasets x seeds, resumable.

Each run writes a JSON file to the cache folder (atomically); rerunning the
same command skips finished runs, so an interrupted grid resumes. At the end
the tables are rebuilt from every cached run of this configuration:
`{out-dir}/table2.csv` and `table2.md` (`table2_quick.*` with --quick).

    python scripts/reproduce_table2.py    # full grid: 5 seeds, 100 epochs
    python scripts/reproduce_table2.py --quick --datasets haberman --seeds 1
    python scripts/reproduce_table2.py --datasets secom pima --methods Q DO

Default folders, in this repository: datasets `$AOS_KERAS_DATA` (else
`~/aos_keras_data`), run files `scripts/studies/table2`, tables
`docs/results`, JAX's
compilation cache `.cache/jax`. The grid and its tables are in
`scripts/aos_bench/table2.py` and `table2_report.py`.

Backend: KERAS_BACKEND (jax is the fastest on CPU).
"""

import argparse
import os
import shlex
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from aos_bench import datasets, table2, table2_report  # noqa: E402
from aos_bench.datasets import DATASETS  # noqa: E402
from aos_keras import backend  # noqa: E402
from aos_keras.baselines import available_methods  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_HOME = datasets.data_home()
CACHE_DIR = os.path.join(ROOT, "scripts", "studies", "table2")
OUT_DIR = os.path.join(ROOT, "docs", "results")
JAX_CACHE = os.path.join(ROOT, ".cache", "jax")


def build_parser():
    """The command line, with this repository's folders as defaults."""
    parser = argparse.ArgumentParser(
        prog="reproduce_table2",
        description="Reproduce the paper's Table 2: methods x datasets x "
        "seeds, resumable.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--datasets", nargs="+", default=list(DATASETS))
    add("--methods", nargs="+", default=list(table2.METHODS))
    add("--seeds", type=int, default=None, help="seeds 0..N-1 (default 5)")
    add("--epochs", type=int, default=None, help="default 100 (3 with --quick)")
    add("--batch-size", type=int, default=32)
    add(
        "--quick",
        action="store_true",
        help="smoke run: 3 epochs, 1 seed, tables named table2_quick",
    )
    add(
        "--data-home",
        default=os.environ.get("AOS_KERAS_DATA", DATA_HOME),
        help="folder of the datasets (AOS_KERAS_DATA, else the default)",
    )
    add("--cache-dir", default=CACHE_DIR, help="folder of the run files")
    add("--out-dir", default=OUT_DIR, help="folder of the tables")
    add("--jobs", type=int, default=1, help="joblib workers (1: this process)")
    add(
        "--no-run",
        action="store_true",
        help="only rebuild the tables from cached runs",
    )
    return parser  # fmt: skip


def parse_args(argv=None):
    """The checked arguments, with the --quick defaults filled in."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in args.datasets:
        if name not in DATASETS:
            parser.error(f"unknown dataset {name!r}: {DATASETS}")
    for name in args.methods:
        if name not in available_methods():
            parser.error(f"unknown method {name!r}: {available_methods()}")
    if args.epochs is None:
        args.epochs = 3 if args.quick else 100
    if args.seeds is None:
        args.seeds = 1 if args.quick else 5
    return args


def main(argv=None):
    """Run the grid's missing cells, then write the tables."""
    args = parse_args(argv)
    backend.enable_compile_cache(JAX_CACHE)
    config = table2.RunConfig(epochs=args.epochs, batch_size=args.batch_size)
    seeds = list(range(args.seeds))
    if not args.no_run:
        table2.run_grid(
            args.datasets, args.methods, seeds, config, args.cache_dir,
            args.data_home, n_jobs=args.jobs, jax_cache=JAX_CACHE,
        )  # fmt: skip
    write(args, config, seeds, argv)


def write(args, config, seeds, argv):
    """Rebuild the tables from every cached run of this configuration."""
    records = table2.load_results(args.cache_dir, config)
    table = table2_report.summarize(records, args.datasets, args.methods, seeds)
    seconds = sum(
        r.get("seconds", 0.0)
        for r in records
        if r["dataset"] in args.datasets
        and r["method"] in args.methods
        and r["seed"] in seeds
    )
    command = "python scripts/reproduce_table2.py " + shlex.join(
        sys.argv[1:] if argv is None else list(argv)
    )
    stem = "table2_quick" if args.quick else "table2"
    table2_report.write_tables(
        table, config, args.out_dir, stem, command, seconds
    )
    print(f"wrote {os.path.join(args.out_dir, stem)}.csv and .md")
    print(table2_report.winners_line(table))


if __name__ == "__main__":
    main()
