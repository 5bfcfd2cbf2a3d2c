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

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from aos_keras import benchmark  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

if __name__ == "__main__":
    benchmark.main(root=ROOT)
