"""Reproduce the paper's Table 2: methods x datasets x seeds, resumable.

Each run writes a JSON file to the cache folder (atomically); rerunning the
same command skips finished runs, so an interrupted grid resumes. At the end
the tables are rebuilt from every cached run of this configuration:
`{out-dir}/table2.csv` and `table2.md` (`table2_quick.*` with --quick).

    python scripts/reproduce_table2.py    # full grid: 5 seeds, 100 epochs
    python scripts/reproduce_table2.py --quick --datasets haberman --seeds 1
    python scripts/reproduce_table2.py --datasets secom pima --methods Q DO

Backend: KERAS_BACKEND (jax is the fastest on CPU).
"""

import argparse
import os
import shlex
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from aos_keras import benchmark  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHARED_DATA = os.path.join(ROOT, "..", "shared", "datasets")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--datasets", nargs="+", default=list(benchmark.DATASETS)
    )
    parser.add_argument("--methods", nargs="+", default=list(benchmark.METHODS))
    parser.add_argument(
        "--seeds", type=int, default=None, help="seeds 0..N-1 (default 5)"
    )
    parser.add_argument(
        "--epochs", type=int, default=None, help="default 100 (3 with --quick)"
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 3 epochs, 1 seed, tables named table2_quick",
    )
    parser.add_argument(
        "--data-home",
        default=os.environ.get("AOS_KERAS_DATA", SHARED_DATA),
        help="folder of the datasets (AOS_KERAS_DATA, else ../shared/datasets)",
    )
    parser.add_argument(
        "--cache-dir", default=os.path.join(ROOT, "runs", "table2")
    )
    parser.add_argument(
        "--out-dir", default=os.path.join(ROOT, "docs", "results")
    )
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="only rebuild the tables from cached runs",
    )
    args = parser.parse_args(argv)
    for name in args.datasets:
        if name not in benchmark.DATASETS:
            parser.error(f"unknown dataset {name!r}: {benchmark.DATASETS}")
    for name in args.methods:
        if name not in benchmark.METHODS:
            parser.error(f"unknown method {name!r}: {benchmark.METHODS}")
    if args.epochs is None:
        args.epochs = 3 if args.quick else 100
    if args.seeds is None:
        args.seeds = 1 if args.quick else 5
    return args


def enable_jax_cache():
    import keras

    if keras.backend.backend() == "jax":
        import jax

        jax.config.update(
            "jax_compilation_cache_dir", os.path.join(ROOT, ".cache", "jax")
        )
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1)


def main(argv=None):
    args = parse_args(argv)
    enable_jax_cache()
    config = benchmark.RunConfig(epochs=args.epochs, batch_size=args.batch_size)
    seeds = list(range(args.seeds))
    if not args.no_run:
        benchmark.run_grid(
            args.datasets,
            args.methods,
            seeds,
            config,
            args.cache_dir,
            data_home=args.data_home,
        )
    records = benchmark.load_results(args.cache_dir, config)
    table = benchmark.summarize(records, args.datasets, args.methods, seeds)
    seconds = sum(
        r.get("seconds", 0.0)
        for r in records
        if r["dataset"] in args.datasets
        and r["method"] in args.methods
        and r["seed"] in seeds
    )
    command = "python scripts/reproduce_table2.py " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    stem = "table2_quick" if args.quick else "table2"
    benchmark.write_tables(table, config, args.out_dir, stem, command, seconds)
    print(f"wrote {os.path.join(args.out_dir, stem)}.csv and .md")
    print(benchmark.winners_line(table))


if __name__ == "__main__":
    main()
