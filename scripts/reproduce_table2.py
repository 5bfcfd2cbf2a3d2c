"""Reproduce the paper's Table 2: methods x datasets x seeds, resumable.

Each run writes a JSON file to the cache folder (atomically); rerunning the
same command skips finished runs, so an interrupted grid resumes. At the end
the tables are rebuilt from every cached run of this configuration:
`{out-dir}/table2.csv` and `table2.md` (`table2_quick.*` with --quick).

    python scripts/reproduce_table2.py    # full grid: 5 seeds, 100 epochs
    python scripts/reproduce_table2.py --quick --datasets haberman --seeds 1
    python scripts/reproduce_table2.py --datasets secom pima --methods Q DO

Default folders, in this repository: datasets `../shared/datasets` (or
`AOS_KERAS_DATA`), run files `runs/table2`, tables `docs/results`, JAX's
compilation cache `.cache/jax`.

Backend: KERAS_BACKEND (jax is the fastest on CPU).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from aos_bench import table2  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    """Run `aos_bench.table2.main` with this repository's folders."""
    table2.main(
        argv,
        data_home=os.path.join(ROOT, "..", "shared", "datasets"),
        cache_dir=os.path.join(ROOT, "runs", "table2"),
        out_dir=os.path.join(ROOT, "docs", "results"),
        jax_cache_dir=os.path.join(ROOT, ".cache", "jax"),
    )


if __name__ == "__main__":
    main()
